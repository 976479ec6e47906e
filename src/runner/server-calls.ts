import { ApiError, ApiUnavailableError, pause } from '../client/index.js'

export interface ServerRetryOptions {
  /** Stops the retrying (shutdown); the last error is then thrown. */
  signal: AbortSignal
  /** Called before each wait, e.g. to tell the operator. */
  onRetry?: (error: ApiUnavailableError | ApiError, delayMs: number, attempt: number) => void
  /** Give up after this long overall; default: never (until `signal`). */
  giveUpAfterMs?: number
  firstDelayMs?: number
  maxDelayMs?: number
}

/** A server that cannot answer now: unreachable, or a proxy/server saying so (502/503/504). */
export function isTransient(error: unknown): error is ApiUnavailableError | ApiError {
  return (
    error instanceof ApiUnavailableError ||
    (error instanceof ApiError && [502, 503, 504].includes(error.status))
  )
}

/**
 * Calls the server until it answers: an unreachable server (or a gateway saying it is down) is
 * waited for with a capped backoff, so a restart meets no retry storm and nothing the runner has to
 * report is dropped. Other API errors (the server answered) are thrown at once.
 */
export async function untilServerAnswers<T>(
  call: () => Promise<T>,
  options: ServerRetryOptions,
): Promise<T> {
  const started = Date.now()
  let delay = options.firstDelayMs ?? 1000
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (!isTransient(error)) throw error
      const isOutOfTime =
        options.giveUpAfterMs !== undefined && Date.now() - started + delay > options.giveUpAfterMs
      if (options.signal.aborted || isOutOfTime) throw error
      options.onRetry?.(error, delay, attempt)
      await pause(delay, options.signal)
      delay = Math.min(delay * 2, options.maxDelayMs ?? 30_000)
    }
  }
}
