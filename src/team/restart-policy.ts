import { EXIT } from '../lib/index.js'

/**
 * What a runner's exit means to its supervisor. `hpm run` exits with these codes (lib's EXIT) on
 * its own decision; restarting would undo that decision, so the agent stays stopped. Everything
 * else, `unavailable` and a kill by a signal (SIGKILL, a segfault) included, is a crash and is
 * restarted.
 */
export const ON_PURPOSE_EXITS: Readonly<Record<number, string>> = {
  [EXIT.ok]: 'finished (--single-task done, or drained)',
  [EXIT.failed]:
    'stopped itself (quit chosen, --single-task not done, or its start-up checks failed: see its log)',
  [EXIT.usage]: 'refused its configuration (see its log)',
  [EXIT.interrupted]: 'stopped by SIGINT',
  [EXIT.terminated]: 'stopped by SIGTERM',
}

/** The first restart is immediate; then 1 s, 2 s, 4 s … up to this. */
export const MAX_RESTART_DELAY_MS = 5 * 60 * 1000

/** A runner that ran this long before crashing starts the count of crashes in a row afresh. */
export const STABLE_RUN_MS = 60 * 1000

/** Why a runner ended; undefined when it was a crash (restart it). */
export function onPurposeReason(exit: {
  exitCode: number | null
  signal: string | null
}): string | undefined {
  return exit.exitCode === null ? undefined : ON_PURPOSE_EXITS[exit.exitCode]
}

/** How long to wait before restart number `crashesInARow` (1 = the first crash: at once). */
export function restartDelayMs(crashesInARow: number, maxDelayMs = MAX_RESTART_DELAY_MS): number {
  if (crashesInARow <= 1) return 0
  return Math.min(1000 * 2 ** (crashesInARow - 2), maxDelayMs)
}

/** The crash count after a runner that ran `ranMs` crashed. */
export function nextCrashCount(
  crashesInARow: number,
  ranMs: number,
  stableRunMs = STABLE_RUN_MS,
): number {
  return ranMs >= stableRunMs ? 1 : crashesInARow + 1
}

/** How a runner ended, for people: `exit 3` or `killed by SIGKILL`. */
export function describeExit(exit: { exitCode: number | null; signal: string | null }): string {
  return exit.exitCode === null ? `killed by ${exit.signal ?? 'a signal'}` : `exit ${exit.exitCode}`
}
