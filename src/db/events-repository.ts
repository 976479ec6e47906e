import { sql } from 'kysely'

import type { ChangeEvent, ChangeType } from '../contract/index.js'
import type { Db, EventRow } from './database.js'
import { dialectOf } from './dialect.js'
import { fromJsonText } from './json.js'

/** The NOTIFY channel that tells other server instances new events were committed. */
export const EVENTS_CHANNEL = 'hpm_events'
// Arbitrary constant key of the advisory lock that orders event inserts on PostgreSQL.
const EVENTS_LOCK_KEY = 720_451_001

/**
 * Appends one activity-feed entry; call inside the transaction that makes the change.
 * On PostgreSQL, event inserts are serialised to the end of their transactions with an advisory
 * lock, so ids become visible in commit order and a reader that follows "id > last seen" never
 * skips one; the NOTIFY is delivered to other instances when the transaction commits.
 */
export async function recordEvent(
  db: Db,
  type: ChangeType,
  data: Record<string, unknown>,
  at: string,
): Promise<void> {
  if (dialectOf(db) === 'postgresql') {
    await sql`select pg_advisory_xact_lock(${sql.lit(EVENTS_LOCK_KEY)}), pg_notify(${EVENTS_CHANNEL}, '')`.execute(db)
  }
  await db.insertInto('events').values({ type, at, data: JSON.stringify(data) }).execute()
}

export function rowToChangeEvent(row: EventRow): ChangeEvent {
  return { id: row.id, type: row.type as ChangeType, timestamp: row.at, data: fromJsonText(row.data) ?? {} }
}

export async function listEventsSince(db: Db, sinceIso: string, limit: number): Promise<ChangeEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('at', '>', sinceIso)
    .orderBy('id', 'asc')
    .limit(limit)
    .execute()
  return rows.map(rowToChangeEvent)
}

export async function listEventsAfterId(db: Db, afterId: number, limit: number): Promise<ChangeEvent[]> {
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
