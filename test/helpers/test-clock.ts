import type { Clock } from '../../src/server/clock.js'

interface Timer {
  at: number
  run: () => void
  /** Repeats every this many ms; undefined for a one-off. */
  everyMs: number | undefined
}

/**
 * A server clock that stands still until the test moves it forward, so a lease lapses or a
 * long-poll times out the moment the test says, and nothing does so on its own.
 */
export class TestClock implements Clock {
  #now: number
  readonly #timers = new Set<Timer>()

  /** Starts at the real time, so stored timestamps look like those of a live server. */
  constructor(startMs = Date.now()) {
    this.#now = startMs
  }

  now(): number {
    return this.#now
  }

  after(ms: number, run: () => void): () => void {
    return this.#add({ at: this.#now + ms, run, everyMs: undefined })
  }

  every(ms: number, run: () => void): () => void {
    const everyMs = Math.max(ms, 1)
    return this.#add({ at: this.#now + everyMs, run, everyMs })
  }

  /**
   * Moves time forward by `ms`, then runs each timer that fell due once, earliest first, as a real
   * event loop does after a stall: a job paced every second runs one pass that sees the new time.
   */
  advance(ms: number): void {
    this.#now += ms
    for (;;) {
      const due = this.#nextDue()
      if (due === undefined) return
      if (due.everyMs === undefined) this.#timers.delete(due)
      else due.at += due.everyMs * Math.floor((this.#now - due.at) / due.everyMs + 1)
      due.run()
    }
  }

  #add(timer: Timer): () => void {
    this.#timers.add(timer)
    return () => this.#timers.delete(timer)
  }

  #nextDue(): Timer | undefined {
    let next: Timer | undefined
    for (const timer of this.#timers) {
      if (timer.at <= this.#now && (next === undefined || timer.at < next.at)) next = timer
    }
    return next
  }
}
