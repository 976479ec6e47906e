import { sql } from 'kysely'

import type { ChangeEvent, ChangeType } from '../contract/index.js'
import type { Db, EventRow } from './database.js'
import { dialectOf } from './dialect.js'
import { fromJsonText } from './json.js'

/** The NOTIFY channel that tells other server instances new events were committed. */
export const EVENTS_CHANNEL = 'hpm_events'
// Arbitrary constant key of the advisory lock that orders event inserts on PostgreSQL.
const EVENTS_LOCK_KEY = 720_451_001

interface PendingEvent {
  type: ChangeType
  at: string
  data: string
}

/** Events of transactions run by `withEventsLast`, written when their work is done. */
const heldBack = new WeakMap<Db, PendingEvent[]>()

/**
 * Appends one activity-feed entry; call inside the transaction that makes the change.
 * On PostgreSQL, event inserts are serialised with an advisory lock held to the commit, so ids
 * become visible in commit order and a reader that follows "id > last seen" never skips one; the
 * NOTIFY is delivered to other instances when the transaction commits. In a transaction run by
 * `withEventsLast` the insert waits for the end of the work, so the lock is held only for it.
 */
export async function recordEvent(
  db: Db,
  type: ChangeType,
  data: Record<string, unknown>,
  at: string,
): Promise<void> {
  const event = { type, at, data: JSON.stringify(data) }
  const pending = heldBack.get(db)
  if (pending) pending.push(event)
  else await writeEvents(db, [event])
}

async function writeEvents(db: Db, events: readonly PendingEvent[]): Promise<void> {
  if (events.length === 0) return
  if (dialectOf(db) === 'postgresql') {
    await sql`select pg_advisory_xact_lock(${sql.lit(EVENTS_LOCK_KEY)}), pg_notify(${EVENTS_CHANNEL}, '')`.execute(
      db,
    )
  }
  // One insert per event, in the order they happened: ids follow it.
  for (const event of events) await db.insertInto('events').values(event).execute()
}

/**
 * Runs `work` in transaction `trx` with its events written after it, just before the commit. On
 * PostgreSQL the lock that orders every event insert was otherwise held from a transaction's first
 * event to its commit, making concurrent writers wait for each other's remaining statements.
 */
export async function withEventsLast<T>(trx: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (dialectOf(trx) !== 'postgresql') return work(trx)
  const pending: PendingEvent[] = []
  heldBack.set(trx, pending)
  try {
    const result = await work(trx)
    heldBack.delete(trx)
    await writeEvents(trx, pending)
    return result
  } finally {
    heldBack.delete(trx)
  }
}

export function rowToChangeEvent(row: EventRow): ChangeEvent {
  return {
    id: row.id,
    type: row.type as ChangeType,
    timestamp: row.at,
    data: fromJsonText(row.data) ?? {},
  }
}

export async function listEventsSince(
  db: Db,
  sinceIso: string,
  limit: number,
): Promise<ChangeEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('at', '>', sinceIso)
    .orderBy('id', 'asc')
    .limit(limit)
    .execute()
  return rows.map(rowToChangeEvent)
}

export async function listEventsAfterId(
  db: Db,
  afterId: number,
  limit: number,
): Promise<ChangeEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('id', '>', afterId)
    .orderBy('id', 'asc')
    .limit(limit)
    .execute()
  return rows.map(rowToChangeEvent)
}

export async function lastEventId(db: Db): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('max'))
    .executeTakeFirst()
  return Number(row?.max ?? 0)
}
