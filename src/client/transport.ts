import type { z } from 'zod'

import { MAX_WAIT_SECONDS } from '../contract/index.js'
import type { Endpoint, PathParamName } from '../contract/index.js'
import { ApiError, ApiUnavailableError } from './api-error.js'
import type { UnavailableReason } from './api-error.js'
import { pause } from './pause.js'
import { errorFromText, readReply } from './reply.js'

/** The fetch signature the client needs; inject one for tests or other runtimes. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

export interface HeadlessPMClientOptions {
  /** Server base URL without `/api/v1`, e.g. `http://127.0.0.1:6969`. */
  baseUrl: string
  /** Sent as `X-API-Key`. Without it only the public endpoints answer. */
  apiKey?: string | undefined
  /** Per-call timeout for ordinary calls, ms. Default 200 000 (longer than the 180 s long-poll). */
  timeoutMs?: number
  /** Extra attempts for idempotent calls after a connection error. Default 2. */
  retries?: number
  /** First retry delay, ms, doubled per attempt and capped at `maxRetryDelayMs`. Default 250. */
  retryDelayMs?: number
  /** Largest retry delay, ms. Default 2000. */
  maxRetryDelayMs?: number
  /** Default `globalThis.fetch`. */
  fetch?: FetchLike
  /** Makes the `x-request-id` of each call (kept across its retries). Default `crypto.randomUUID`. */
  requestId?: () => string
}

/** Options every method takes last. */
export interface CallOptions {
  /** Overrides the client's timeout for this call, ms. */
  timeoutMs?: number
  /** Cancels the call; the abort reason is rethrown as is. */
  signal?: AbortSignal
  /** `x-request-id` for this call, to follow it in the server log. */
  requestId?: string
}

type Query = Record<string, string | number | boolean | undefined>

/** What one call sends besides its endpoint: a value for each `:name` of the path, query, body. */
export type CallRequest<P extends string> = ([PathParamName<P>] extends [never]
  ? { params?: undefined }
  : { params: Record<PathParamName<P>, string | number> }) & {
  query?: Query
  body?: unknown
  /** Overrides the client's timeout (a long-poll waits longer); `CallOptions.timeoutMs` wins. */
  timeoutMs?: number
  /** Sees the answer's headers (a page's `x-next-cursor`) before its body is returned. */
  onHeaders?: (headers: Headers) => void
}

/** Extra time a long-poll call gets beyond the wait it asked the server for, ms. */
const LONG_POLL_GRACE_MS = 30_000

/**
 * One HTTP exchange per call, against the endpoints of the contract: timeouts, retries after
 * connection errors, request ids, and replies checked against the endpoint's schema.
 */
export class Transport {
  readonly baseUrl: string
  readonly #apiKey: string | undefined
  readonly #timeoutMs: number
  readonly #retries: number
  readonly #retryDelayMs: number
  readonly #maxRetryDelayMs: number
  readonly #fetch: FetchLike
  readonly #requestId: () => string

  constructor(options: HeadlessPMClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '')
    this.#apiKey = options.apiKey
    this.#timeoutMs = options.timeoutMs ?? 200_000
    this.#retries = Math.max(0, options.retries ?? 2)
    this.#retryDelayMs = options.retryDelayMs ?? 250
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? 2000
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.#requestId = options.requestId ?? (() => globalThis.crypto.randomUUID())
  }

  /** The time a long-poll that asked the server to wait `waitSeconds` may take, ms. */
  longPollTimeoutMs(waitSeconds: number | undefined): number {
    // Without an explicit wait the server uses its configured default, which may be as long as the maximum.
    const waitMs = (waitSeconds ?? MAX_WAIT_SECONDS) * 1000
    return Math.max(this.#timeoutMs, waitMs + LONG_POLL_GRACE_MS)
  }

  async call<P extends string, R extends z.ZodType>(
    endpoint: Endpoint<P, R>,
    request: CallRequest<P>,
    options: CallOptions = {},
  ): Promise<z.output<R>> {
    const path = fillPath(endpoint.path, request.params)
    const name = `${endpoint.method} ${path}`
    const url = this.#url(path, request.query)
    const timeoutMs = options.timeoutMs ?? request.timeoutMs ?? this.#timeoutMs
    const requestId = options.requestId ?? this.#requestId()
    const body = request.body === undefined ? undefined : JSON.stringify(request.body)
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(
        url,
        endpoint.method,
        body,
        requestId,
        timeoutMs,
        options.signal,
      )
      if ('response' in outcome) {
        const { response, text } = outcome
        if (!response.ok) throw errorFromText(response, text, name)
        request.onHeaders?.(response.headers)
        return readReply(endpoint.response, text, name, response.status, response)
      }
      const { reason, error } = outcome
      // A refused connection never delivered the request, so even a non-idempotent call may go again.
      const mayRetry = reason !== 'timeout' && (endpoint.isIdempotent || reason === 'refused')
      if (!mayRetry || attempt > this.#retries)
        throw this.#unavailable(reason, name, attempt, timeoutMs, error)
      const delayMs = Math.min(this.#retryDelayMs * 2 ** (attempt - 1), this.#maxRetryDelayMs)
      await pause(delayMs, options.signal)
      options.signal?.throwIfAborted()
    }
  }

  /**
   * A server-sent event stream: each event's data, read with the endpoint's schema. It ends when
   * the server closes the stream or `signal` aborts; it is never retried.
   */
  async *stream<P extends string, R extends z.ZodType>(
    endpoint: Endpoint<P, R>,
    request: CallRequest<P>,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<z.output<R>> {
    const path = fillPath(endpoint.path, request.params)
    const name = `${endpoint.method} ${path}`
    let response: Response
    try {
      response = await this.#fetch(this.#url(path, request.query), {
        method: endpoint.method,
        headers: this.#headers(this.#requestId(), false),
        signal,
      })
    } catch (error) {
      if (signal?.aborted) return
      throw this.#unavailable(classify(error) ?? 'connection_failed', name, 1, undefined, error)
    }
    if (!response.ok || !response.body) {
      throw errorFromText(response, await response.text().catch(() => ''), name)
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    try {
      for await (const data of eventData(reader))
        yield readReply(endpoint.response, data, name, 200)
    } catch (error) {
      if (signal?.aborted) return
      if (error instanceof ApiError) throw error
      throw this.#unavailable('connection_failed', name, 1, undefined, error)
    } finally {
      reader.releaseLock()
    }
  }

  #url(path: string, query: Query = {}): string {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value))
    }
    const search = params.toString()
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`
  }

  #headers(requestId: string, hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-request-id': requestId,
    }
    if (this.#apiKey !== undefined) headers['x-api-key'] = this.#apiKey
    if (hasBody) headers['content-type'] = 'application/json'
    return headers
  }

  /** One HTTP exchange; the reply with its whole body, or why there is none. */
  async #attempt(
    url: string,
    method: string,
    body: string | undefined,
    requestId: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{ response: Response; text: string } | { reason: UnavailableReason; error: unknown }> {
    signal?.throwIfAborted()
    const controller = new AbortController()
    let isTimedOut = false
    const timer = setTimeout(() => {
      isTimedOut = true
      controller.abort()
    }, timeoutMs)
    const onAbort = () => controller.abort(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const response = await this.#fetch(url, {
        method,
        headers: this.#headers(requestId, body !== undefined),
        body,
        signal: controller.signal,
      })
      // The body is read under the same timer: a server that sends headers and then stalls is a timeout too.
      const text = await response.text()
      return { response, text }
    } catch (error) {
      if (isTimedOut) return { reason: 'timeout', error }
      if (signal?.aborted) throw signal.reason
      return { reason: classify(error) ?? 'connection_failed', error }
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }

  #unavailable(
    reason: UnavailableReason,
    endpoint: string,
    attempts: number,
    timeoutMs: number | undefined,
    cause: unknown,
  ) {
    return new ApiUnavailableError({
      baseUrl: this.baseUrl,
      reason,
      endpoint,
      attempts,
      timeoutMs,
      cause,
    })
  }
}

/** The endpoint's path with each `:name` replaced by its value, encoded as one segment. */
function fillPath(path: string, params: Record<string, string | number> | undefined): string {
  return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(params?.[name])))
}

/** The data of each server-sent event, frame by frame. */
async function* eventData(reader: ReadableStreamDefaultReader<string>): AsyncGenerator<string> {
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += value
    let end: number
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const frame = buffer.slice(0, end)
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '')
      const data = frame
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n')
      if (data !== '') yield data
    }
  }
}

/** Whether a fetch failure was a refused connection; undefined for anything else. */
function classify(error: unknown): UnavailableReason | undefined {
  const codes: unknown[] = []
  for (
    let e: unknown = error, depth = 0;
    e && depth < 4;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    codes.push((e as { code?: unknown }).code)
    // Node tries every address of a name (IPv6 and IPv4) and reports an AggregateError.
    for (const inner of (e as { errors?: unknown[] }).errors ?? [])
      codes.push((inner as { code?: unknown }).code)
  }
  return codes.includes('ECONNREFUSED') ? 'refused' : undefined
}
