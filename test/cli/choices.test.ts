import { describe, expect, it } from 'vitest'

import * as choices from '../../src/cli/choices.js'
import * as contract from '../../src/contract/index.js'

describe('cli choices', () => {
  it.each([
    ['AGENT_ROLES', choices.AGENT_ROLES, contract.AGENT_ROLES],
    ['SKILL_LEVELS', choices.SKILL_LEVELS, contract.SKILL_LEVELS],
    ['TASK_COMPLEXITIES', choices.TASK_COMPLEXITIES, contract.TASK_COMPLEXITIES],
    ['CONNECTION_TYPES', choices.CONNECTION_TYPES, contract.CONNECTION_TYPES],
    ['DOCUMENT_TYPES', choices.DOCUMENT_TYPES, contract.DOCUMENT_TYPES],
    ['SERVICE_STATUSES', choices.SERVICE_STATUSES, contract.SERVICE_STATUSES],
    ['TASK_STATUSES', choices.TASK_STATUSES, contract.TASK_STATUSES],
  ])('matches the contract for %s', (_name, copy, original) => {
    expect([...copy]).toEqual([...original])
  })

  it('matches the contract for MAX_BUDGET_USD', () => {
    expect(choices.MAX_BUDGET_USD).toBe(contract.MAX_TASK_BUDGET_USD)
  })
})
