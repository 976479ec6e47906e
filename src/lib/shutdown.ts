import { exitCodeOfSignal } from './exit-codes.js'

/**
 * Ctrl-C and SIGTERM for a command that stops gracefully: `onStop(signal, count)` on each signal
 * until the `exitOn`-th (default the second), which exits at once with the signal's code: the
 * person means it, and whatever must survive (a lock file, a claim) is already on disk. Returns a
 * function that removes the handlers.
 */
export function onStopSignals(
  onStop: (signal: NodeJS.Signals, count: number) => void,
  options: { exitOn?: number } = {},
): () => void {
  const exitOn = options.exitOn ?? 2
  let count = 0
  const handle = (signal: NodeJS.Signals): void => {
    count++
    if (count >= exitOn) process.exit(exitCodeOfSignal(signal))
    onStop(signal, count)
  }
  process.on('SIGINT', handle)
  process.on('SIGTERM', handle)
  return () => {
    process.off('SIGINT', handle)
    process.off('SIGTERM', handle)
  }
}
