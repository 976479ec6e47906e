import { randomUUID } from 'node:crypto'

import type { Logger } from 'pino'

import type { ServerConfig } from '../config/index.js'
import {
  listExpiredLeases,
  listServiceRows,
  nowIso,
  recordPing,
  releaseTask,
  tryAcquireJobLock,
} from '../db/index.js'
import type { Db, ServiceRow } from '../db/index.js'
import type { Clock } from './clock.js'
import { pingService } from './service-ping.js'

export interface JobsOptions {
  db: Db
  log: Logger
  config: ServerConfig
  /** Decides which leases lapsed and paces the jobs. */
  clock: Clock
  /** Called after a job changed something, so waiters and streams hear of it. */
  onChange: () => void
}

/**
 * Background jobs: lapsed leases go back to the pool; registered services are pinged. Each release
 * and each ping result is a conditional update, so with several instances it happens once.
 */
export class BackgroundJobs {
  readonly #options: JobsOptions
  readonly #instanceId = randomUUID()
  readonly #stops: (() => void)[] = []
  #stopped = false
  #leaseRun: Promise<number> | undefined

  constructor(options: JobsOptions) {
    this.#options = options
  }

  start(): void {
    const { config } = this.#options
    this.#every(config.leaseCheckIntervalMs, () => this.expireLeases())
    if (config.pingIntervalSeconds > 0 && config.pingAllow !== 'none') {
      void this.pingServices()
      this.#every(config.pingIntervalSeconds * 1000, () => this.pingServices())
    }
  }

  stop(): void {
    this.#stopped = true
    for (const stop of this.#stops) stop()
  }

  #every(ms: number, job: () => Promise<unknown>): void {
    this.#stops.push(
      this.#options.clock.every(ms, () => {
        if (!this.#stopped) void job()
      }),
    )
  }

  /** Releases every task whose lease lapsed; returns how many this instance released. */
  expireLeases(): Promise<number> {
    this.#leaseRun ??= this.#expireLeases().finally(() => {
      this.#leaseRun = undefined
    })
    return this.#leaseRun
  }

  async #expireLeases(): Promise<number> {
    const { db, log, clock, onChange } = this.#options
    let released = 0
    try {
      const now = nowIso(clock.now())
      for (const task of await listExpiredLeases(db, now)) {
        const reason = `lease expired: agent ${task.locked_by} did not renew its claim; task returned to ${task.claimed_from ?? 'created'}`
        const done = await db
          .transaction()
          .execute((trx) => releaseTask(trx, task, 'system', reason, now, { leaseBefore: now }))
        if (done) {
          released++
          log.warn({ taskId: task.id, agentId: task.locked_by }, 'lease expired')
        }
      }
    } catch (error) {
      log.error({ err: error }, 'lease expiry failed')
    }
    if (released > 0) onChange()
    return released
  }

  /** Pings every service once (when this instance holds the ping lease). */
  async pingServices(): Promise<void> {
    const { db, log, config, clock, onChange } = this.#options
    try {
      const now = clock.now()
      const leaseMs = Math.max(config.pingIntervalSeconds * 1000 - 1000, 1000)
      const mine = await tryAcquireJobLock(
        db,
        'service_pings',
        this.#instanceId,
        nowIso(now),
        nowIso(now + leaseMs),
      )
      if (!mine) return
      const services = await listServiceRows(db)
      await Promise.all(services.map((s) => this.#pingOne(s)))
      if (services.length > 0) onChange()
    } catch (error) {
      log.error({ err: error }, 'service ping pass failed')
    }
  }

  async #pingOne(service: ServiceRow): Promise<void> {
    const { db, log, config, clock } = this.#options
    let ok = false
    try {
      ok = await pingService(service.ping_url, {
        timeoutMs: config.pingTimeoutMs,
        allow: config.pingAllow,
      })
    } catch (error) {
      log.debug({ err: error, service: service.service_name }, 'service ping failed')
    }
    await db.transaction().execute((trx) => recordPing(trx, service, ok, nowIso(clock.now())))
  }
}
