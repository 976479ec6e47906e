/**
 * Waits `ms`, or less when `signal` aborts (then it resolves early: callers look at the signal).
 * Keeps the process alive meanwhile. Browser-safe: the dashboard, the client and the runner use it.
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
