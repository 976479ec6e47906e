import type { AgentActivity } from '../../src/contract/index.js'

/** An activity's current step in words: `Bash npm test`, `thinking` (Claude between tools), or the runner's phase. */
export function describeStep(activity: Pick<AgentActivity, 'phase' | 'tool' | 'detail'>): string {
  if (activity.tool !== null)
    return activity.detail === null ? activity.tool : `${activity.tool} ${activity.detail}`
  return activity.phase === 'claude' ? 'thinking' : activity.phase
}
