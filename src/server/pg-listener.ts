import type pg from 'pg'
import type { Logger } from 'pino'

import { loadPg } from '../db/index.js'

export interface PgListenerOptions {
  connectionString: string
  channel: string
  log: Logger
  /** Called for every notification, and after each (re)connect to catch up on anything missed. */
  onNotify: () => void
}

/**
 * LISTENs on one dedicated connection (a pooled one would be recycled) and reconnects with a capped
 * backoff. Notifications are only a hint: the hub re-reads the events table, and a periodic re-check
 * covers notifications lost while disconnected.
 */
export class PgListener {
  readonly #options: PgListenerOptions
  #client: pg.Client | undefined
  #stopped = false
  #retryMs = 250
  #timer: NodeJS.Timeout | undefined

  constructor(options: PgListenerOptions) {
    this.#options = options
  }

  async start(): Promise<void> {
    await this.#connect()
  }

  async #connect(): Promise<void> {
    const { connectionString, channel, log, onNotify } = this.#options
    const client = new (loadPg().Client)({ connectionString })
    client.on('notification', () => onNotify())
    client.on('error', (error) => {
      log.warn({ err: error }, 'event listener connection lost')
      this.#reconnectLater(client)
    })
    client.on('end', () => this.#reconnectLater(client))
    try {
      await client.connect()
      await client.query(`LISTEN ${channel}`)
      this.#client = client
      this.#retryMs = 250
      onNotify()
    } catch (error) {
      log.warn({ err: error }, 'event listener could not connect')
      this.#reconnectLater(client)
    }
  }

  #reconnectLater(client: pg.Client): void {
    if (this.#stopped || this.#timer || (this.#client !== undefined && this.#client !== client))
      return
    this.#client = undefined
    client.removeAllListeners('end')
    void client.end().catch(() => undefined)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#connect()
    }, this.#retryMs)
    this.#timer.unref()
    this.#retryMs = Math.min(this.#retryMs * 2, 10_000)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    const client = this.#client
    this.#client = undefined
    if (client) {
      client.removeAllListeners('end')
      await client.end().catch(() => undefined)
    }
  }
}
