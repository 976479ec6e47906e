/**
 * The exit codes of every `hpm` command, `hpm run` included: the one table (docs/cli.md and the
 * README list the same; `hpm team` reads a runner's exit by it).
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unavailable: 3,
  interrupted: 130,
  terminated: 143,
} as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** The code of a process stopped by `signal`, as shells report it (128 + the signal number). */
export function exitCodeOfSignal(signal: NodeJS.Signals): ExitCode {
  return signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated
}
