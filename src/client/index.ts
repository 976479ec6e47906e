/**
 * The typed HTTP client for Headless PM, used by the CLI, the runner, MCP and the dashboard.
 * Isomorphic: fetch only, no node: imports. Request and response types come from `src/contract`.
 */
export { ApiError, ApiUnavailableError } from './api-error.js'
export type {
  ApiErrorOptions,
  ApiUnavailableErrorOptions,
  ClientErrorCode,
  UnavailableReason,
} from './api-error.js'
export { HeadlessPMClient } from './headless-pm-client.js'
export type { StreamEventsOptions } from './headless-pm-client.js'
export { pause } from './pause.js'
export type { CallOptions, FetchLike, HeadlessPMClientOptions } from './transport.js'
