import type { ChangeEvent, ChangeType } from '../contract/index.js'
import type { Db, EventRow } from './database.js'
import { fromJsonText } from './json.js'

/** Appends one activity-feed entry; call inside the transaction that makes the change. */
export async function recordEvent(
  db: Db,
  type: ChangeType,
  data: Record<string, unknown>,
  at: string,
): Promise<void> {
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
