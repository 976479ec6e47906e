import { ApiError, ApiUnavailableError, HeadlessPMClient } from '../../src/client/index.js'
import type { FetchLike } from '../../src/client/index.js'

/** The dashboard is served by `hpm serve`, so the API lives on the page's own origin. */
export function createClient(apiKey: string, fetch?: FetchLike): HeadlessPMClient {
  return new HeadlessPMClient({
    baseUrl: window.location.origin,
    apiKey,
    ...(fetch ? { fetch } : {}),
  })
}

export const REFUSED_KEY_MESSAGE = 'That key was refused by the server.'

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401
}

/** What to tell a person about a failed call: the server's `detail` when it refused. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError)
    return typeof error.detail === 'string' ? error.detail : error.detail.join('; ')
  if (error instanceof ApiUnavailableError)
    return 'cannot reach the Headless PM server; is `hpm serve` running?'
  if (error instanceof Error) return error.message
  return String(error)
}
