import type { ClaudeOutcome } from './components/index.js'

/** How the runner loop reacts to a failure: at once, after a capped backoff, by asking, or not at all. */
export type RetryPolicy = 'immediate' | 'backoff' | 'operator' | 'none'

export interface RecoveryRule {
  retry: RetryPolicy
  description: string
}

/**
 * Every way a task attempt can fail, and what the runner does about it. The runner loop and
 * docs/runner-spec.md both follow this table. "Immediate" retries resume the same task (and Claude
 * session); after the configured number of failures in a row the operator decides (retry / release /
 * quit), or the non-TTY policy does.
 */
export const RECOVERY = {
  agent_not_found: {
    retry: 'none',
    description:
      'the claude binary is missing, not executable, or refuses to run (as root without IS_SANDBOX=1): the task goes back to the pool at once; fix the installation or HEADLESS_PM_CLAUDE_BIN',
  },
  agent_timeout: {
    retry: 'immediate',
    description:
      'claude ran past the wall-clock timeout and its process group was killed; retry the same task, resuming the session',
  },
  agent_stalled: {
    retry: 'immediate',
    description:
      'claude printed no event for the stall timeout and its process group was killed; retry the same task, resuming the session',
  },
  agent_exit: {
    retry: 'immediate',
    description:
      'claude exited without a successful result (crash, non-zero exit, or an error result); retry the same task, resuming the session',
  },
  not_logged_in: {
    retry: 'none',
    description:
      'claude has no valid credentials ("Not logged in"): nothing about the task is at fault, so it goes back to the pool at once; log in (`claude /login`) or set ANTHROPIC_API_KEY (Bedrock/Vertex: their variables)',
  },
  hook_failed: {
    retry: 'operator',
    description:
      'pre_task exited non-zero (the attempt does not start); post_task failures are only logged, a failing health_check pauses claiming',
  },
  hook_timeout: {
    retry: 'operator',
    description:
      'a hook ran past the hook timeout and its process group was killed; handled like a failed hook',
  },
  workspace_invalid: {
    retry: 'operator',
    description:
      'the task worktree cannot be prepared or fails an invariant (branch checked out elsewhere, repository without commits, path outside the worktree base)',
  },
  git_failed: {
    retry: 'operator',
    description:
      'a git operation failed (commit, merge conflict, base branch cannot be fast-forwarded, a push the remote refused); the base branch is left unchanged',
  },
  api_unavailable: {
    retry: 'backoff',
    description:
      'the Headless PM server is unreachable; keep the local lock and retry with capped backoff, so a server restart meets no retry storm',
  },
  lease_lost: {
    retry: 'none',
    description:
      'the server no longer honours our claim (lease expired, task unlocked or reassigned); stop the task, keep its worktree, drop the local lock and say so',
  },
  interrupted: {
    retry: 'none',
    description:
      'the operator stopped the runner (SIGINT/SIGTERM); the lock file stays so the next start resumes the task',
  },
} as const satisfies Record<string, RecoveryRule>

export type FailureCategory = keyof typeof RECOVERY
export const FAILURE_CATEGORIES = Object.keys(RECOVERY) as FailureCategory[]

/** The failure category of a Claude run, or `null` when it succeeded. */
export function categoryForOutcome(outcome: ClaudeOutcome): FailureCategory | null {
  switch (outcome) {
    case 'succeeded':
      return null
    case 'not_sandboxed':
      return 'agent_not_found'
    case 'failed':
      return 'agent_exit'
    default:
      return outcome
  }
}

/** Failures of the installation, not of the task: the task goes back at once, claiming stops. */
export function isEnvironmentFailure(category: FailureCategory): boolean {
  return category === 'not_logged_in' || category === 'agent_not_found'
}
