import type { Logger } from 'pino'

import { nowIso, touchAgent } from '../db/index.js'
import type { Db } from '../db/index.js'

/**
 * Every authenticated call that names an agent counts as a sign of life: `last_seen` moves and the
 * leases of its tasks are renewed (v1 only refreshed on register, so busy agents lost their locks).
 * Throttled per agent so a chatty agent costs one write every few seconds.
 */
export class AgentActivity {
  readonly #db: Db
  readonly #log: Logger
  readonly #leaseMs: number
  readonly #throttleMs: number
  readonly #lastTouch = new Map<string, number>()

  constructor(db: Db, log: Logger, leaseMs: number, throttleMs = 5000) {
    this.#db = db
    this.#log = log
    this.#leaseMs = leaseMs
    this.#throttleMs = Math.min(throttleMs, leaseMs / 4)
  }

  /** Records activity now, unless recorded within the throttle window. Never throws. */
  async touch(agentId: string, force = false): Promise<void> {
    const now = Date.now()
    const last = this.#lastTouch.get(agentId)
    if (!force && last !== undefined && now - last < this.#throttleMs) return
    this.#lastTouch.set(agentId, now)
    if (this.#lastTouch.size > 10_000) this.#lastTouch.clear()
    try {
      await touchAgent(this.#db, agentId, nowIso(now), nowIso(now + this.#leaseMs))
    } catch (error) {
      this.#log.warn({ err: error, agentId }, 'recording agent activity failed')
    }
  }
}
