import type { FailureBudget } from '../contract/index.js'

/** How much of a failure to quote in the comment that sends a task back to its planners. */
const QUOTE_CHARS = 500

/** A task's budget after `failures` failed runs; `maxFailures` 0 means no budget. */
export function failureBudget(failures: number, maxFailures: number): FailureBudget {
  return {
    failures,
    max_failures: maxFailures,
    is_spent: maxFailures > 0 && failures >= maxFailures,
  }
}

export interface BudgetSpentNotice {
  taskId: number
  failures: number
  maxFailures: number
  agentId: string
  attempt: number
  /** The last failure in words: the verdict reason, else Claude's error, else the outcome. */
  reason: string
}

/**
 * The comment that tells planners why a task left the pool. The `@pm` is in the head, apart from
 * the quoted failure, so text quoted from Claude cannot notify anyone.
 */
export function budgetSpentComment(notice: BudgetSpentNotice): { head: string; body: string } {
  const head =
    `@pm task ${notice.taskId} failed ${notice.failures} runner attempts (HPM_TASK_MAX_FAILURES=${notice.maxFailures}) ` +
    'and is back at pending until a planner approves it again.'
  const text = notice.reason.trim()
  const quote = text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text
  return {
    head,
    body: `${head} Last failure (${notice.agentId}, attempt ${notice.attempt}): ${quote}`,
  }
}
