import { describe, expect, it } from 'vitest'

import { makeTask } from '../../test/fixtures/make-task.js'
import type { ClaudeOutcome } from './components/index.js'
import { classifyAttempt, nextAfterFailure, serverViewOf } from './outcome.js'
import type { AttemptClass, AttemptFacts } from './outcome.js'
import { modeOfClaim } from './runner-context.js'

const task = makeTask

const facts = (outcome: ClaudeOutcome, overrides: Partial<AttemptFacts> = {}): AttemptFacts => ({
  outcome,
  isStopping: false,
  isLeaseLost: false,
  serverView: 'ours',
  ...overrides,
})

describe('classifyAttempt', () => {
  const cases: Array<[string, AttemptFacts, AttemptClass]> = [
    [
      'never judges a run the runner interrupted, even with work on the branch',
      facts('interrupted'),
      'interrupted',
    ],
    [
      'never judges an interrupted run whose agent had reported',
      facts('interrupted', { serverView: 'reported' }),
      'interrupted',
    ],
    [
      'treats a run stopped because the lease was lost as lost, not as interrupted',
      facts('interrupted', { isLeaseLost: true }),
      'lease_lost',
    ],
    [
      'takes the agent at its word when it reported and Claude then crashed',
      facts('agent_exit', { serverView: 'reported' }),
      'reported',
    ],
    [
      'takes the report of a run that succeeded',
      facts('succeeded', { serverView: 'reported' }),
      'reported',
    ],
    [
      'is lost when the server gave the task to someone else',
      facts('succeeded', { serverView: 'lost' }),
      'lease_lost',
    ],
    [
      'judges later a run that ended on its own while the runner stops',
      facts('succeeded', { isStopping: true }),
      'judge_later',
    ],
    [
      'is an environment failure when Claude is not logged in',
      facts('not_logged_in'),
      'environment',
    ],
    ['is an environment failure when claude is missing', facts('agent_not_found'), 'environment'],
    [
      'is an environment failure when root claude refuses to run',
      facts('not_sandboxed'),
      'environment',
    ],
    ['is a failed attempt when Claude crashed', facts('agent_exit'), 'failed'],
    ['is a failed attempt when Claude timed out', facts('agent_timeout'), 'failed'],
    ['is a failed attempt when Claude stalled', facts('agent_stalled'), 'failed'],
    ['is a failed attempt when Claude ended with an error result', facts('failed'), 'failed'],
    [
      'looks at the work when Claude succeeded and the task is still ours',
      facts('succeeded'),
      'judge_work',
    ],
  ]
  it.each(cases)('%s', (_name, input, expected) => {
    expect(classifyAttempt(input)).toBe(expected)
  })
})

describe('serverViewOf', () => {
  it.each([
    ['ours while locked by the agent', task(), false, 'ours'],
    [
      'reported when dev work reached dev_done and was released',
      task({ status: 'dev_done', locked_by: null }),
      false,
      'reported',
    ],
    [
      'reported when a review ended at qa_done',
      task({ status: 'qa_done', locked_by: null }),
      true,
      'reported',
    ],
    [
      'reported when a review failed the task back to created',
      task({ status: 'created', locked_by: null }),
      true,
      'reported',
    ],
    [
      'lost when dev work went back to created (released by someone)',
      task({ status: 'created', locked_by: null }),
      false,
      'lost',
    ],
    ['lost when another agent holds it', task({ locked_by: 'dev_2' }), false, 'lost'],
    [
      'reported when QA already claimed the dev_done task (before our Claude exited)',
      task({ locked_by: 'qa_1', claimed_from: 'dev_done' }),
      false,
      'reported',
    ],
    [
      'reported when a developer already claimed back what the review failed',
      task({ locked_by: 'dev_2', claimed_from: 'created' }),
      true,
      'reported',
    ],
    [
      'lost when another reviewer took the review over (lease lapsed)',
      task({ locked_by: 'qa_2', claimed_from: 'dev_done' }),
      true,
      'lost',
    ],
    ['lost when the task is gone', undefined, false, 'lost'],
  ] as const)('is %s', (_name, input, isReview, expected) => {
    expect(serverViewOf(input, 'dev_1', isReview)).toBe(expected)
  })
})

describe('nextAfterFailure', () => {
  it.each([
    [
      'retries at once below the limit',
      { failuresInARow: 1, maxAttempts: 3, isBudgetSpent: false },
      'retry',
    ],
    [
      'asks the operator at the limit',
      { failuresInARow: 3, maxAttempts: 3, isBudgetSpent: false },
      'ask_operator',
    ],
    [
      'stops when the task budget is spent, whatever the limit',
      { failuresInARow: 1, maxAttempts: 3, isBudgetSpent: true },
      'budget_spent',
    ],
  ] as const)('%s', (_name, input, expected) => {
    expect(nextAfterFailure(input)).toBe(expected)
  })
})

describe('modeOfClaim', () => {
  it.each([
    [
      'reviews a developer task QA claimed from dev_done',
      task({ claimed_from: 'dev_done' }),
      'review',
    ],
    [
      'works on a task targeted at qa claimed from created',
      task({ target_role: 'qa', claimed_from: 'created' }),
      'work',
    ],
    [
      'reviews a task targeted at qa once it reached dev_done',
      task({ target_role: 'qa', claimed_from: 'dev_done' }),
      'review',
    ],
    ['works on a dev task claimed from created', task(), 'work'],
  ] as const)('%s', (_name, input, expected) => {
    expect(modeOfClaim(input)).toBe(expected)
  })
})
