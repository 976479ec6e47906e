import type { z } from 'zod'

import { ErrorResponse } from '../contract/index.js'
import { ApiError } from './api-error.js'

/** A 2xx reply's body as the contract's schema reads it, or an `invalid_response` ApiError. */
export function readReply<S extends z.ZodType>(
  schema: S,
  text: string,
  endpoint: string,
  status: number,
  response?: Response,
): z.output<S> {
  const parsed = schema.safeParse(parseJsonOrThrow(text, endpoint, status, response))
  if (parsed.success) return parsed.data
  throw new ApiError({
    status,
    code: 'invalid_response',
    detail: parsed.error.issues.map(
      (i) => `${endpoint} reply ${i.path.join('.') || '(root)'}: ${i.message}`,
    ),
    requestId: requestIdOf(response),
    endpoint,
  })
}

function parseJsonOrThrow(
  text: string,
  endpoint: string,
  status: number,
  response?: Response,
): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ApiError({
      status,
      code: 'invalid_response',
      detail: `${endpoint} answered ${status} with a body that is not JSON: ${snippet(text)}`,
      requestId: requestIdOf(response),
      endpoint,
      cause: error,
    })
  }
}

/** An error reply: the server's `{detail, code, request_id}`, or whatever a proxy sent instead. */
export function errorFromText(response: Response, text: string, endpoint: string): ApiError {
  const headerId = requestIdOf(response)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  const parsed = ErrorResponse.safeParse(json)
  if (parsed.success) {
    return new ApiError({
      status: response.status,
      code: parsed.data.code,
      detail: parsed.data.detail,
      requestId: parsed.data.request_id ?? headerId,
      endpoint,
    })
  }
  const v1Detail = (json as { detail?: unknown } | undefined)?.detail
  const detail =
    typeof v1Detail === 'string'
      ? v1Detail
      : `${endpoint} failed with HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}` +
        (text.trim() === '' ? '' : `: ${snippet(text)}`)
  return new ApiError({
    status: response.status,
    code: codeForStatus(response.status),
    detail,
    requestId: headerId,
    endpoint,
  })
}

function requestIdOf(response: Response | undefined): string | undefined {
  return response?.headers.get('x-request-id') ?? undefined
}

function codeForStatus(status: number): string {
  if (status === 401) return 'unauthorized'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not_found'
  if (status === 409) return 'conflict'
  if (status === 422) return 'validation_failed'
  if (status === 502 || status === 503 || status === 504) return 'unavailable'
  if (status >= 500) return 'internal'
  return 'bad_request'
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || '(empty)'
}
