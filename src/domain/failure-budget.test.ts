import { describe, expect, it } from 'vitest'

import { budgetSpentComment, failureBudget } from './failure-budget.js'
import type { BudgetSpentNotice } from './failure-budget.js'

describe('failureBudget', () => {
  it('is not spent while failures stay below the limit', () => {
    expect(failureBudget(2, 3)).toEqual({ failures: 2, max_failures: 3, is_spent: false })
  })

  it('is spent when failures reach the limit', () => {
    expect(failureBudget(3, 3).is_spent).toBe(true)
  })

  it('is never spent when the limit is 0', () => {
    expect(failureBudget(50, 0).is_spent).toBe(false)
  })
})

describe('budgetSpentComment', () => {
  const notice: BudgetSpentNotice = {
    taskId: 12,
    failures: 3,
    maxFailures: 3,
    agentId: 'backend_dev_001',
    attempt: 4,
    reason: '  tests fail on empty input\n',
  }

  it('tells the planners in the head why the task is back at pending', () => {
    const { head } = budgetSpentComment(notice)

    expect(head).toBe(
      '@pm task 12 failed 3 runner attempts (HPM_TASK_MAX_FAILURES=3) and is back at pending until a planner approves it again.',
    )
  })

  it('quotes the trimmed reason after the head with the agent and attempt', () => {
    const { head, body } = budgetSpentComment(notice)

    expect(body).toBe(
      `${head} Last failure (backend_dev_001, attempt 4): tests fail on empty input`,
    )
  })

  it('keeps the quoted reason out of the head', () => {
    const { head } = budgetSpentComment({ ...notice, reason: 'ask @architect' })

    expect(head).not.toContain('@architect')
  })

  it('cuts a long reason to 500 characters and an ellipsis', () => {
    const { body } = budgetSpentComment({ ...notice, reason: 'x'.repeat(501) })

    expect(body).toMatch(/: x{500}…$/)
  })

  it('quotes a reason of exactly 500 characters whole', () => {
    const { body } = budgetSpentComment({ ...notice, reason: 'x'.repeat(500) })

    expect(body).toMatch(/: x{500}$/)
  })
})
