import type { TaskResponse } from '../contract/index.js'
import type { TaskLockRead, TaskLockState, TaskPhase } from './components/index.js'

/** What the runner does at start, before it may claim anything. */
export type Reconciliation =
  /** Nothing is ours: claim new work. */
  | { action: 'claim' }
  /** The server still gives us the task in the lock file: carry on from its phase. */
  | { action: 'resume'; state: TaskLockState; task: TaskResponse }
  /** The server holds a task for us that the lock file lacks (a crash between claim and write). */
  | { action: 'adopt'; task: TaskResponse }
  /** Our work on the task was reported; only the tail (post_task, merge, cleanup) is left. */
  | { action: 'finish'; state: TaskLockState; task: TaskResponse | undefined }
  /** The server no longer gives us the task: stop it, keep its branch, say so. */
  | { action: 'drop'; state: TaskLockState; task: TaskResponse | undefined; reason: string }

export interface ReconcileInput {
  local: TaskLockRead
  /** Tasks the server says this agent holds (locked_by = agent id). */
  held: readonly TaskResponse[]
  /** The server's view of the lock file's task (undefined when deleted or not asked). */
  localTask: TaskResponse | undefined
  isQa: boolean
}

const REPORTED_PHASES: readonly TaskPhase[] = ['reported', 'post_task_done', 'merging', 'done']

/** Statuses that mean the holder's report reached the server (the agent may have sent it itself). */
export function isReportedStatus(task: TaskResponse, isQa: boolean): boolean {
  if (isQa) return ['qa_done', 'documentation_done', 'committed', 'created'].includes(task.status)
  return ['dev_done', 'qa_done', 'documentation_done', 'committed'].includes(task.status)
}

/**
 * Whether the task has moved past this holder's report: unlocked at a reported status, or already
 * claimed by the next stage from it (QA claims a `dev_done` task within milliseconds of the dev
 * agent's report, often before its Claude has even exited; a developer claims back what QA failed).
 */
export function isPastReport(
  task: TaskResponse,
  agentId: string,
  isQa: boolean,
  claimCount?: number,
): boolean {
  if (task.locked_by === agentId) return false
  // Every claim counts (`attempts`): a report made after someone else claimed the task since ours
  // (our lease lapsed) is theirs, not ours, and must not be finished as our work.
  const claimsSince = claimCount === undefined ? undefined : task.attempts - claimCount
  if (task.locked_by === null) {
    if (!isReportedStatus(task, isQa)) return false
    // After a developer's report, one review may have come and gone (qa_done, then committed).
    const isPastReview =
      !isQa && ['qa_done', 'documentation_done', 'committed'].includes(task.status)
    return claimsSince === undefined || claimsSince === 0 || (isPastReview && claimsSince === 1)
  }
  return (
    task.claimed_from === (isQa ? 'created' : 'dev_done') &&
    (claimsSince === undefined || claimsSince === 1)
  )
}

/**
 * Reconciles the lock file with the server before any new work (pure). The server is the
 * authority on who holds a task; the lock file says how far this runner got with it.
 */
export function reconcile({ local, held, localTask, isQa }: ReconcileInput): Reconciliation {
  if (local.kind !== 'ok') {
    const first = held[0]
    return first ? { action: 'adopt', task: first } : { action: 'claim' }
  }
  const state = local.state
  const ours = held.find((t) => t.id === state.task_id)
  if (ours) return { action: 'resume', state, task: ours }
  if (REPORTED_PHASES.includes(state.phase)) return { action: 'finish', state, task: localTask }
  if (localTask && isPastReport(localTask, state.agent_id, isQa, state.claim_count)) {
    return { action: 'finish', state, task: localTask }
  }
  const reason = !localTask
    ? `task ${state.task_id} no longer exists on the server`
    : localTask.locked_by
      ? `task ${state.task_id} is now held by ${localTask.locked_by}`
      : `the server no longer gives task ${state.task_id} to this agent (it is ${localTask.status}, unlocked: lease expired or unlocked)`
  return { action: 'drop', state, task: localTask, reason }
}
