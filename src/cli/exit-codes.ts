/** The exit-code table lives in lib/ (the runner exits by it too); the CLI's errors map onto it. */
export { EXIT } from '../lib/index.js'
export type { ExitCode } from '../lib/index.js'

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
