import type { ProcessResult, ProcessStartError } from '../../lib/index.js'
import type { ClaudeEvent, ClaudeResultSummary } from './claude-stream.js'

/** How a Claude run ended; the runner maps each failure to a category in runner/recovery.ts. */
export type ClaudeOutcome =
  | 'succeeded'
  | 'agent_timeout'
  | 'agent_stalled'
  | 'agent_exit'
  | 'agent_not_found'
  | 'not_logged_in'
  /** Running as root and claude refused --dangerously-skip-permissions: IS_SANDBOX=1 is missing. */
  | 'not_sandboxed'
  | 'failed'
  | 'interrupted'

const ROOT_REFUSAL = 'cannot be used with root/sudo privileges'
const LOGIN_TEXT = /not logged in|please run \/login|invalid api key/i

/** What the executor saw during a run, as far as the outcome depends on it. */
export interface RunObservation {
  result: ClaudeResultSummary | null
  hasAuthError: boolean
  lastEvent: ClaudeEvent['type'] | null
}

export interface Verdict {
  outcome: ClaudeOutcome
  message: string | null
}

/**
 * Classifies a finished run. The `result` line decides when there is one (`is_error` or a non-success
 * subtype is a failure, whatever the exit code); without one, the kill reason or exit decides.
 */
export function judge(
  processResult: ProcessResult,
  state: RunObservation,
  limits: { timeoutMs: number; stallTimeoutMs: number },
): Verdict {
  const { result } = state
  const stderrLine = lastLine(processResult.stderr)
  if (result === null && processResult.killReason === 'abort') {
    return { outcome: 'interrupted', message: 'claude was interrupted' }
  }
  if (result === null && processResult.killReason === 'timeout') {
    const retrying =
      state.lastEvent === 'api_retry' ? '; it was still retrying an unreachable API' : ''
    return {
      outcome: 'agent_timeout',
      message: `claude did not finish within ${seconds(limits.timeoutMs)}${retrying}`,
    }
  }
  if (result === null && processResult.killReason === 'stall') {
    return {
      outcome: 'agent_stalled',
      message: `claude printed nothing for ${seconds(limits.stallTimeoutMs)}`,
    }
  }
  // Run under `timeout`, a claude that cannot be started shows as the guard's exit 126 (found, not
  // runnable) or 127 (not found), before any event; its message may be translated.
  if (
    result === null &&
    state.lastEvent === null &&
    (processResult.exitCode === 126 || processResult.exitCode === 127)
  ) {
    return {
      outcome: 'agent_not_found',
      message: `cannot run claude: ${stderrLine}; install it or set HEADLESS_PM_CLAUDE_BIN`,
    }
  }
  if (processResult.stderr.includes(ROOT_REFUSAL)) {
    return {
      outcome: 'not_sandboxed',
      message:
        'claude refused --dangerously-skip-permissions because it runs as root: set IS_SANDBOX=1 in its environment (only inside a real sandbox)',
    }
  }
  if (result !== null && (result.isError || result.subtype !== 'success')) {
    const text = result.text ?? result.subtype
    if (state.hasAuthError || LOGIN_TEXT.test(text)) {
      return {
        outcome: 'not_logged_in',
        message: `claude is not logged in (${text}): run \`claude /login\` or set ANTHROPIC_API_KEY`,
      }
    }
    if (result.subtype === 'error_max_budget_usd') {
      return {
        outcome: 'failed',
        message: `claude stopped at the task's spending limit (--max-budget-usd): ${text}`,
      }
    }
    return { outcome: 'failed', message: `claude reported an error (${result.subtype}): ${text}` }
  }
  if (result !== null) return { outcome: 'succeeded', message: null }
  if (LOGIN_TEXT.test(processResult.stderr)) {
    return { outcome: 'not_logged_in', message: `claude is not logged in: ${stderrLine}` }
  }
  const how =
    processResult.exitCode === null
      ? `was killed by ${processResult.signal ?? 'a signal'}`
      : `exited with code ${processResult.exitCode}`
  return {
    outcome: 'agent_exit',
    message: `claude ${how} without a result${stderrLine ? `: ${stderrLine}` : ''}`,
  }
}

export function notStarted(error: ProcessStartError, claudeBin: string): Verdict {
  if (error.code === 'cwd_not_found') return { outcome: 'failed', message: error.message }
  return {
    outcome: 'agent_not_found',
    message: `cannot run claude (${claudeBin}): ${error.message}; install it or set HEADLESS_PM_CLAUDE_BIN`,
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? ''
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`
}
