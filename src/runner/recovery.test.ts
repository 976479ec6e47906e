import { describe, expect, it } from 'vitest'
import type { ClaudeOutcome } from './components/index.js'
import { categoryForOutcome, FAILURE_CATEGORIES, RECOVERY } from './recovery.js'

const OUTCOMES: ClaudeOutcome[] = [
  'succeeded',
  'agent_timeout',
  'agent_stalled',
  'agent_exit',
  'agent_not_found',
  'not_logged_in',
  'not_sandboxed',
  'failed',
  'interrupted',
]

describe('RECOVERY', () => {
  it('has a rule with a description for each of the runner failure categories', () => {
    expect(FAILURE_CATEGORIES).toEqual([
      'agent_not_found',
      'agent_timeout',
      'agent_stalled',
      'agent_exit',
      'not_logged_in',
      'hook_failed',
      'hook_timeout',
      'workspace_invalid',
      'git_failed',
      'api_unavailable',
      'lease_lost',
      'interrupted',
    ])
    for (const category of FAILURE_CATEGORIES)
      expect(RECOVERY[category].description.length).toBeGreaterThan(20)
  })

  it('backs off only for an unreachable server', () => {
    const backoff = FAILURE_CATEGORIES.filter((category) => RECOVERY[category].retry === 'backoff')

    expect(backoff).toEqual(['api_unavailable'])
  })
})

describe('categoryForOutcome', () => {
  it.each(OUTCOMES)('maps %s to a known category or null for success', (outcome) => {
    const category = categoryForOutcome(outcome)

    if (outcome === 'succeeded') expect(category).toBeNull()
    else expect(FAILURE_CATEGORIES).toContain(category)
  })
})
