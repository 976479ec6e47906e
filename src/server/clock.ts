/**
 * The server's time: what time it is (lease ends, cooldowns, timestamps) and the timers measured
 * in it (long-poll timeouts, background jobs). Tests pass a clock they move forward instead of
 * waiting out a lease; the server uses `systemClock`. Socket timeouts and the retries that watch the
 * database connection stay on real time: they guard against the network, not against the clock.
 */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number
  /** Runs `run` once `ms` have passed on this clock; returns a function that cancels it. */
  after(ms: number, run: () => void): () => void
  /** Runs `run` every `ms` on this clock without keeping the process alive; returns a function that stops it. */
  every(ms: number, run: () => void): () => void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, run) => {
    const timer = setTimeout(run, ms)
    return () => clearTimeout(timer)
  },
  every: (ms, run) => {
    const timer = setInterval(run, ms)
    timer.unref()
    return () => clearInterval(timer)
  },
}
