import type { Logger } from 'pino'

import type { ServerConfig } from '../config/index.js'
import type { Database, DialectName, PickupTerms } from '../db/index.js'
import type { Kysely } from 'kysely'
import type { AgentActivity } from './agent-activity.js'
import type { AgentTokens } from './auth.js'
import type { ChangeHub } from './change-hub.js'
import type { Clock } from './clock.js'
import type { BackgroundJobs } from './jobs.js'
import type { NextOffers } from './next-offers.js'
import type { TaskWaiters } from './task-waiters.js'

/**
 * The terms of a claim made now: current time, its lease end, and the pickup rules (where the
 * release cooldown starts — undefined when HPM_RELEASE_COOLDOWN_SECONDS is 0 — and HPM_QA_LEVEL_STRICT).
 */
export type LeaseClock = () => PickupTerms & {
  now: string
  leaseExpiresAt: string
}

/** What route plugins need; built once by buildApp. */
export interface ServerDeps {
  config: ServerConfig
  db: Kysely<Database>
  dialect: DialectName
  log: Logger
  /** The server's time; lease ends, timestamps and long-poll timeouts are measured in it. */
  clock: Clock
  hub: ChangeHub
  waiters: TaskWaiters
  /** Tasks `GET /tasks/next` just offered, kept from other askers for a few seconds. */
  nextOffers: NextOffers
  jobs: BackgroundJobs
  activity: AgentActivity
  /** Agent tokens already looked up; `forget` after a revocation. */
  tokens: AgentTokens
  /** Runs `work` in one transaction, then tells listeners about what it wrote. */
  mutate: <T>(work: (trx: Kysely<Database>) => Promise<T>) => Promise<T>
  /** Current time, the lease end and the cooldown start for a claim made now. */
  leaseNow: LeaseClock
  version: string
  /** Registers a cleanup for open streams when the server stops. */
  onShutdown: (cleanup: () => void) => () => void
}
