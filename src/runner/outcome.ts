import type { TaskResponse } from '../contract/index.js'
import type { ClaudeOutcome } from './components/index.js'
import { isPastReport } from './reconcile.js'
import { categoryForOutcome, isEnvironmentFailure } from './recovery.js'

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
  /** The task's claim count when this agent claimed it (lock file), to tell our report from a later holder's. */
  claimCount?: number
}

/** Decides what a finished run achieved (pure). */
export function judgeRun({
  task,
  agentId,
  isQa,
  commitsAhead,
  claimCount,
}: VerdictInput): RunVerdict {
  const isOurs = task.locked_by === agentId
  if (!isOurs) {
    if (isPastReport(task, agentId, isQa, claimCount))
      return { kind: 'reported', status: task.status }
    return {
      kind: 'lost',
      reason: task.locked_by
        ? `task ${task.id} is held by ${task.locked_by}`
        : `task ${task.id} was released (${task.status})`,
    }
  }
  if (isQa)
    return {
      kind: 'no_work',
      reason: 'the QA agent gave no verdict (neither qa_done nor created with a report)',
    }
  if (commitsAhead > 0) return { kind: 'report_dev_done' }
  return { kind: 'no_work', reason: 'the agent left no commits and no changes on the task branch' }
}

/** What one Claude attempt came to, before the work itself is looked at. */
export type AttemptClass =
  /** The runner is being stopped (SIGINT/SIGTERM): never judged as finished; the next start resumes. */
  | 'interrupted'
  /** Claude ended on its own while the runner was stopping: judged on the next start. */
  | 'judge_later'
  /** The server no longer gives the task to this agent. */
  | 'lease_lost'
  /** The agent reported through `hpm` (whatever Claude's exit): its word is taken. */
  | 'reported'
  /** Nothing about the task is at fault: Claude cannot run here (not logged in, not installed). */
  | 'environment'
  /** Claude crashed, timed out, stalled or ended with an error: a failed attempt. */
  | 'failed'
  /** Claude finished and the task is still ours: look at the work. */
  | 'judge_work'

export interface AttemptFacts {
  outcome: ClaudeOutcome
  isStopping: boolean
  isLeaseLost: boolean
  /** The server's view after the run: still ours, reported by the agent, or gone. */
  serverView: 'ours' | 'reported' | 'lost'
}

/** Classifies a finished attempt (pure). The order matters: an interrupted run is never judged. */
export function classifyAttempt({
  outcome,
  isStopping,
  isLeaseLost,
  serverView,
}: AttemptFacts): AttemptClass {
  if (outcome === 'interrupted' && !isLeaseLost) return 'interrupted'
  if (isLeaseLost) return 'lease_lost'
  if (serverView === 'reported') return 'reported'
  if (serverView === 'lost') return 'lease_lost'
  if (isStopping) return 'judge_later'
  const category = categoryForOutcome(outcome)
  if (category === null) return 'judge_work'
  return isEnvironmentFailure(category) ? 'environment' : 'failed'
}

/** Where a task stands on the server after a run, as `classifyAttempt` needs it. */
export function serverViewOf(
  task: TaskResponse | undefined,
  agentId: string,
  isReview: boolean,
  claimCount?: number,
): AttemptFacts['serverView'] {
  if (!task) return 'lost'
  if (task.locked_by === agentId) return 'ours'
  return isPastReport(task, agentId, isReview, claimCount) ? 'reported' : 'lost'
}

export type AfterFailure = 'retry' | 'ask_operator' | 'budget_spent'

/**
 * After a failed attempt (pure): a spent failure budget ends the task's time with this agent (the
 * server already sent it to `pending`); otherwise retry at once until `maxAttempts` in a row fail.
 */
export function nextAfterFailure(input: {
  failuresInARow: number
  maxAttempts: number
  isBudgetSpent: boolean
}): AfterFailure {
  if (input.isBudgetSpent) return 'budget_spent'
  return input.failuresInARow < input.maxAttempts ? 'retry' : 'ask_operator'
}
