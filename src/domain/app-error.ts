import type { ErrorCode } from '../contract/index.js'

export interface AppErrorOptions {
  /** Extra machine-readable detail (e.g. the allowed transitions). */
  details?: unknown
  cause?: unknown
}

/** The one error type domain and repository code throws; the server maps `code` to a status. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: unknown

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.details = options.details
  }
}
