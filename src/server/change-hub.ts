import type { Logger } from 'pino'

import type { ChangeEvent } from '../contract/index.js'
import { lastEventId, listEventsAfterId } from '../db/index.js'
import type { Db } from '../db/index.js'

export type ChangeListener = (event: ChangeEvent) => void

const BATCH = 500

/**
 * Publishes the events table to in-process listeners (SSE streams, long-poll waiters). A write
 * pokes the hub after it commits; the hub reads what is new since the last id it published, so
 * every listener sees every event once and in order, whichever instance wrote it.
 */
export class ChangeHub {
  readonly #db: Db
  readonly #log: Logger
  readonly #listeners = new Set<ChangeListener>()
  #lastId = 0
  #reading: Promise<void> | undefined
  #again = false

  constructor(db: Db, log: Logger) {
    this.#db = db
    this.#log = log
  }

  async start(): Promise<void> {
    this.#lastId = await lastEventId(this.#db)
  }

  get lastId(): number {
    return this.#lastId
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Reads and publishes new events; concurrent pokes coalesce. Resolves once they are published. */
  poke(): Promise<void> {
    if (this.#reading) {
      this.#again = true
      return this.#reading
    }
    this.#reading = this.#read().finally(() => {
      this.#reading = undefined
    })
    return this.#reading
  }

  async #read(): Promise<void> {
    do {
      this.#again = false
      let batch: ChangeEvent[]
      do {
        try {
          batch = await listEventsAfterId(this.#db, this.#lastId, BATCH)
        } catch (error) {
          this.#log.error({ err: error }, 'reading events failed')
          // Try again shortly: on SQLite nothing else would re-read until the next write.
          setTimeout(() => void this.poke(), 1000).unref()
          return
        }
        for (const event of batch) {
          this.#lastId = event.id
          for (const listener of this.#listeners) {
            try {
              listener(event)
            } catch (error) {
              this.#log.error({ err: error, eventId: event.id }, 'event listener failed')
            }
          }
        }
      } while (batch.length === BATCH)
    } while (this.#again)
  }
}
