import type { Logger } from 'pino'

import type { ServerConfig } from '../config/index.js'
import type { Database, DialectName } from '../db/index.js'
import type { Kysely } from 'kysely'
import type { AgentActivity } from './agent-activity.js'
import type { ChangeHub } from './change-hub.js'
import type { BackgroundJobs } from './jobs.js'
import type { TaskWaiters } from './task-waiters.js'

/** What route plugins need; built once by buildApp. */
export interface ServerDeps {
  config: ServerConfig
  db: Kysely<Database>
  dialect: DialectName
  log: Logger
  hub: ChangeHub
  waiters: TaskWaiters
  jobs: BackgroundJobs
  activity: AgentActivity
  /** Runs `work` in one transaction, then tells listeners about what it wrote. */
  mutate: <T>(work: (trx: Kysely<Database>) => Promise<T>) => Promise<T>
  /** Current time and the lease end for a claim made now. */
  leaseNow: () => { now: string; leaseExpiresAt: string }
  version: string
  /** Registers a cleanup for open streams when the server stops. */
  onShutdown: (cleanup: () => void) => () => void
}
