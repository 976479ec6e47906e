/** The exit-code table lives in lib/ (the runner exits by it too); the CLI's errors map onto it. */
// Straight from the table's module: lib/index would load execa, pino and write-file-atomic on every start.
export { EXIT } from '../lib/exit-codes.js'
export type { ExitCode } from '../lib/exit-codes.js'

/** A usage mistake found by our own checks (commander reports its own). Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** A command could not do its job for a reason that is not the API's (e.g. not in a git repo). Exit code 1. */
export class CommandFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CommandFailedError'
  }
}
