import { describe, expect, it } from 'vitest'
import type { ProcessResult } from '../../lib/index.js'
import { judge, type RunObservation } from './claude-outcome.js'
import type { ClaudeResultSummary } from './claude-stream.js'

const limits = { timeoutMs: 600_000, stallTimeoutMs: 120_000 }

function ended(overrides: Partial<ProcessResult> = {}): ProcessResult {
  return {
    exitCode: 0,
    signal: null,
    stdout: '',
    stderr: '',
    timedOut: false,
    killReason: null,
    durationMs: 10,
    ...overrides,
  }
}

function saw(result: Partial<ClaudeResultSummary> | null, extra: Partial<RunObservation> = {}) {
  const full: ClaudeResultSummary | null = result && {
    isError: false,
    subtype: 'success',
    text: 'done',
    sessionId: 's',
    numTurns: 1,
    durationMs: 5,
    costUsd: 0.1,
    usage: null,
    ...result,
  }
  return { result: full, hasAuthError: false, lastEvent: full ? 'result' : null, ...extra } as const
}

describe('judge', () => {
  it.each([
    ['a success result', ended(), saw({}), 'succeeded'],
    ['a success result despite exit 1', ended({ exitCode: 1 }), saw({}), 'succeeded'],
    [
      'a result after which claude was killed for lingering',
      ended({ exitCode: null, killReason: 'after_result' }),
      saw({}),
      'succeeded',
    ],
    [
      'is_error with subtype success',
      ended({ exitCode: 1 }),
      saw({ isError: true, text: 'Credit balance is too low' }),
      'failed',
    ],
    [
      'error_max_turns',
      ended({ exitCode: 1 }),
      saw({ isError: true, subtype: 'error_max_turns' }),
      'failed',
    ],
    [
      'the not-logged-in result',
      ended({ exitCode: 1 }),
      saw({ isError: true, text: 'Not logged in · Please run /login' }),
      'not_logged_in',
    ],
    [
      'an authentication_failed tag',
      ended({ exitCode: 1 }),
      saw({ isError: true, text: 'x' }, { hasAuthError: true }),
      'not_logged_in',
    ],
    ['exit 0 without a result', ended(), saw(null), 'agent_exit'],
    ['a crash without a result', ended({ exitCode: 2 }), saw(null), 'agent_exit'],
    [
      'a kill by someone else',
      ended({ exitCode: null, signal: 'SIGKILL' }),
      saw(null),
      'agent_exit',
    ],
    [
      'a timeout',
      ended({ exitCode: null, killReason: 'timeout', timedOut: true }),
      saw(null),
      'agent_timeout',
    ],
    ['a stall', ended({ exitCode: null, killReason: 'stall' }), saw(null), 'agent_stalled'],
    ['an abort', ended({ exitCode: null, killReason: 'abort' }), saw(null), 'interrupted'],
    [
      'the root refusal',
      ended({
        exitCode: 1,
        stderr:
          '--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons\n',
      }),
      saw(null),
      'not_sandboxed',
    ],
  ] as const)('returns the right outcome for %s', (_name, processResult, observation, outcome) => {
    expect(judge(processResult, observation, limits).outcome).toBe(outcome)
  })

  it('mentions the unreachable API when the timeout hit during api retries', () => {
    const verdict = judge(
      ended({ exitCode: null, killReason: 'timeout' }),
      saw(null, { lastEvent: 'api_retry' }),
      limits,
    )

    expect(verdict.message).toBe(
      'claude did not finish within 600 s; it was still retrying an unreachable API',
    )
  })
})
