import type { StoredActivity } from '../../../src/contract/index.js'
import { describeStep } from '../agent-step.js'
import { formatDuration } from '../format.js'
import { useNow } from '../hooks/use-now.js'
import { TEST_IDS } from '../test-ids.js'
import { TranscriptEntries } from './TranscriptEntries.js'

export interface AgentNowProps {
  agentId: string
  activity: StoredActivity | null
  /** Open the activity's task (its drawer). */
  onOpenTask: (taskId: number) => void
}

/** The step an agent's runner reported last: "task #4, attempt 2: Bash npm test", for how long, and the last entries. */
export function AgentNow({ agentId, activity, onOpenTask }: AgentNowProps) {
  // Its own component, so the one-second clock re-renders only this cell.
  const now = useNow(1000)
  if (activity === null) {
    return (
      <span className="muted" data-testid={TEST_IDS.agentActivity(agentId)} data-state="idle">
        idle
      </span>
    )
  }
  const { task_id: taskId, attempt } = activity
  const step = describeStep(activity)
  return (
    <div className="agent-now" data-testid={TEST_IDS.agentActivity(agentId)} data-state="active">
      <div className="agent-now-head">
        {taskId === null ? (
          'no task'
        ) : (
          <button type="button" className="link-button inline" onClick={() => onOpenTask(taskId)}>
            task #{taskId}
          </button>
        )}
        {attempt !== null && `, attempt ${attempt}`}: <span className="mono">{step}</span>{' '}
        <span className="muted" title={`since ${new Date(activity.since).toLocaleString()}`}>
          ({formatDuration(now - Date.parse(activity.since))})
        </span>
      </div>
      {activity.recent.length > 0 && <TranscriptEntries entries={activity.recent} />}
    </div>
  )
}
