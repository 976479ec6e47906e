import type { Logger } from 'pino'

import { markAgentSeen, nowIso, touchAgent } from '../db/index.js'
import type { Db } from '../db/index.js'
import type { Clock } from './clock.js'

/**
 * Records signs of life. `touch` (the agent's own writes and heartbeats) moves `last_seen` and
 * renews the leases of its tasks (v1 only refreshed on register, so busy agents lost their locks);
 * `seen` (an agent waiting for work on `GET /tasks/next`) moves `last_seen` only. Reads never
 * renew a lease: anyone with the key may name any agent in a read, so a watcher must not keep a
 * dead agent's claim alive (sign-of-life.ts decides which call is which).
 * Throttled per agent so a chatty agent costs one write every few seconds.
 */
export class AgentActivity {
  readonly #db: Db
  readonly #log: Logger
  readonly #clock: Clock
  readonly #leaseMs: number
  readonly #throttleMs: number
  readonly #lastTouch = new Map<string, number>()
  readonly #lastSeen = new Map<string, number>()

  constructor(db: Db, log: Logger, clock: Clock, leaseMs: number, throttleMs = 5000) {
    this.#db = db
    this.#log = log
    this.#clock = clock
    this.#leaseMs = leaseMs
    this.#throttleMs = Math.min(throttleMs, leaseMs / 4)
  }

  /** Marks the agent alive and renews its leases, unless done within the throttle window. Never throws. */
  async touch(agentId: string, force = false): Promise<void> {
    const now = this.#clock.now()
    if (!force && this.#isThrottled(this.#lastTouch, agentId, now)) return
    await this.#record(agentId, () =>
      touchAgent(this.#db, agentId, nowIso(now), nowIso(now + this.#leaseMs)),
    )
  }

  /** Moves `last_seen` only, unless done within the throttle window. Never throws. */
  async seen(agentId: string): Promise<void> {
    const now = this.#clock.now()
    if (this.#isThrottled(this.#lastSeen, agentId, now)) return
    await this.#record(agentId, () => markAgentSeen(this.#db, agentId, nowIso(now)))
  }

  #isThrottled(times: Map<string, number>, agentId: string, now: number): boolean {
    const last = times.get(agentId)
    if (last !== undefined && now - last < this.#throttleMs) return true
    if (times.size >= 10_000) times.clear()
    times.set(agentId, now)
    return false
  }

  async #record(agentId: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write()
    } catch (error) {
      this.#log.warn({ err: error, agentId }, 'recording agent activity failed')
    }
  }
}
