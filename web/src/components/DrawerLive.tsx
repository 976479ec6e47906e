import type { StoredActivity } from '../../../src/contract/index.js'
import { describeStep } from '../agent-step.js'
import { formatDuration } from '../format.js'
import { useNow } from '../hooks/use-now.js'
import { TEST_IDS } from '../test-ids.js'
import { TranscriptEntries } from './TranscriptEntries.js'

export interface DrawerLiveProps {
  agentId: string
  activity: StoredActivity
}

/** The attempt in progress: the holder's current step and its last entries, as its runner reports them. */
export function DrawerLive({ agentId, activity }: DrawerLiveProps) {
  const now = useNow(1000)
  const step = describeStep(activity)
  return (
    <section
      className="drawer-section live-attempt"
      data-testid={TEST_IDS.liveAttempt}
      aria-labelledby="drawer-live-heading"
    >
      <h3 id="drawer-live-heading">
        <span className="live-dot" aria-hidden="true" /> Live
        {activity.attempt !== null && `: attempt ${activity.attempt}`}
      </h3>
      <p>
        {agentId}: <span className="mono">{step}</span>{' '}
        <span className="muted">({formatDuration(now - Date.parse(activity.since))})</span>
      </p>
      {activity.recent.length > 0 && <TranscriptEntries entries={activity.recent} />}
    </section>
  )
}
