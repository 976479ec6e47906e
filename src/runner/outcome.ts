import type { TaskResponse } from '../contract/index.js'
import { isReportedStatus } from './reconcile.js'

/** What the server and the worktree say about a finished Claude run. */
export type RunVerdict =
  /** The agent reported through `hpm` itself. */
  | { kind: 'reported'; status: TaskResponse['status'] }
  /** Dev work is on the branch but not reported: the runner reports dev_done. */
  | { kind: 'report_dev_done' }
  /** Nothing to show for the run: counts as a failed attempt. */
  | { kind: 'no_work'; reason: string }
  /** The task is no longer ours. */
  | { kind: 'lost'; reason: string }

export interface VerdictInput {
  task: TaskResponse
  agentId: string
  isQa: boolean
  /** Commits on the task branch that the base branch lacks (dev only). */
  commitsAhead: number
}

/** Decides what a finished run achieved (pure). */
export function judgeRun({ task, agentId, isQa, commitsAhead }: VerdictInput): RunVerdict {
  const isOurs = task.locked_by === agentId
  if (!isOurs) {
    if (task.locked_by === null && isReportedStatus(task, isQa)) return { kind: 'reported', status: task.status }
    return { kind: 'lost', reason: task.locked_by ? `task ${task.id} is held by ${task.locked_by}` : `task ${task.id} was released (${task.status})` }
  }
  if (isQa) return { kind: 'no_work', reason: 'the QA agent gave no verdict (neither qa_done nor created with a report)' }
  if (commitsAhead > 0) return { kind: 'report_dev_done' }
  return { kind: 'no_work', reason: 'the agent left no commits and no changes on the task branch' }
}
