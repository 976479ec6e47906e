import type { ErrorCode } from '../contract/index.js'

/**
 * Codes the client itself assigns: `invalid_response` when a reply does not match the contract
 * (non-JSON body, or a shape the schemas reject). Every other code comes from the server.
 */
export type ClientErrorCode = 'invalid_response'

export interface ApiErrorOptions {
  status: number
  code: ErrorCode | ClientErrorCode | (string & {})
  /** The server's `detail`: a message, or `path: message` items for validation errors (422). */
  detail: string | readonly string[]
  requestId?: string | undefined
  /** `METHOD /path` of the call, for messages. */
  endpoint?: string | undefined
  cause?: unknown
}

/**
 * The server answered with an error (any non-2xx reply), or with a reply the contract rejects.
 * Branch on `code` (stable snake_case, see docs/errors.md), never on the message.
 *
 * @example
 * try { await client.lockTask(12, 'dev_1') } catch (e) {
 *   if (e instanceof ApiError && e.code === 'task_locked') ...
 * }
 */
export class ApiError extends Error {
  readonly status: number
  readonly code: ErrorCode | ClientErrorCode | (string & {})
  readonly detail: string | readonly string[]
  readonly requestId: string | undefined
  readonly endpoint: string | undefined

  constructor(options: ApiErrorOptions) {
    const text = typeof options.detail === 'string' ? options.detail : options.detail.join('; ')
    super(text, { cause: options.cause })
    this.name = 'ApiError'
    this.status = options.status
    this.code = options.code
    this.detail = options.detail
    this.requestId = options.requestId
    this.endpoint = options.endpoint
  }
}

/** Why the server could not be reached. */
export type UnavailableReason = 'refused' | 'connection_failed' | 'timeout'

export interface ApiUnavailableErrorOptions {
  baseUrl: string
  reason: UnavailableReason
  endpoint?: string | undefined
  /** How many attempts were made before giving up. */
  attempts: number
  timeoutMs?: number | undefined
  cause?: unknown
}

/**
 * The server could not be reached: connection refused or dropped, DNS failure, or no answer within
 * the timeout. The message names the URL and how to start the server.
 */
export class ApiUnavailableError extends Error {
  readonly baseUrl: string
  readonly reason: UnavailableReason
  readonly endpoint: string | undefined
  readonly attempts: number

  constructor(options: ApiUnavailableErrorOptions) {
    super(unavailableMessage(options), { cause: options.cause })
    this.name = 'ApiUnavailableError'
    this.baseUrl = options.baseUrl
    this.reason = options.reason
    this.endpoint = options.endpoint
    this.attempts = options.attempts
  }
}

function unavailableMessage({
  baseUrl,
  reason,
  endpoint,
  attempts,
  timeoutMs,
  cause,
}: ApiUnavailableErrorOptions): string {
  const call = endpoint ? ` (${endpoint})` : ''
  const tries = attempts > 1 ? ` after ${attempts} attempts` : ''
  if (reason === 'timeout') {
    const seconds = timeoutMs === undefined ? '' : ` within ${Math.round(timeoutMs / 100) / 10} s`
    return `no answer from the Headless PM server at ${baseUrl}${seconds}${call}; is it overloaded or stuck?`
  }
  const why = reason === 'refused' ? 'connection refused' : `connection failed: ${causeText(cause)}`
  return (
    `cannot reach the Headless PM server at ${baseUrl}${call}${tries} (${why}); ` +
    'start it with `hpm serve`, or point HEADLESS_PM_API_URL (or --url) at a running server'
  )
}

function causeText(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause)
  const inner = (cause as { cause?: unknown }).cause
  if (inner instanceof Error) {
    const code = (inner as { code?: unknown }).code
    return typeof code === 'string' ? `${code} ${inner.message}` : inner.message
  }
  return cause.message
}
