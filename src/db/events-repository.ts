import type { ChangeEvent, ChangeType } from '../contract/index.js'
import type { Db, EventRow } from './database.js'
import { dialectOf } from './dialect.js'
import { fromJsonText } from './json.js'

/**
 * The NOTIFY channel that tells other server instances new events were committed (sent by the
 * trigger of migration 0008, which names it too).
 */
export const EVENTS_CHANNEL = 'hpm_events'

/**
 * Appends one activity-feed entry; call inside the transaction that makes the change. On
 * PostgreSQL it waits in `pending_events` until the commit, where a deferred trigger moves the
 * transaction's events to `events` under a lock held only inside the commit: ids become visible
 * in commit order, so a reader that follows "id > last seen" never skips one, and other instances
 * are notified (migration 0008). SQLite has one writer at a time: it writes `events` directly.
 */
export async function recordEvent(
  db: Db,
  type: ChangeType,
  data: Record<string, unknown>,
  at: string,
): Promise<void> {
  const table = dialectOf(db) === 'postgresql' ? 'pending_events' : 'events'
  await db
    .insertInto(table)
    .values({ type, at, data: JSON.stringify(data) })
    .execute()
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
