import { sql } from 'kysely'
import type { Kysely } from 'kysely'

import { dialectOf, idColumn } from '../dialect.js'

// The advisory lock key that orders event ids on PostgreSQL (it was taken from Node before).
const EVENTS_LOCK_KEY = 720_451_001

/**
 * PostgreSQL: a transaction's events wait in `pending_events` and move to `events` when it
 * commits, from a deferred trigger that takes the lock ordering their ids. Ids then become visible
 * in commit order, as a reader following "id > last seen" needs, while the lock is held only
 * inside the commit: taken from Node, it was held across the round trip to COMMIT, and when Node
 * was busy every writer waited ~18 ms for it (100 claimers). SQLite has one writer at a time and
 * writes `events` directly; the table exists there too, empty, so both schemas match.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = idColumn(dialectOf(db))
  await db.schema
    .createTable('pending_events')
    .addColumn('seq', id.type, id.build)
    .addColumn('tx', 'bigint')
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute()
  if (dialectOf(db) !== 'postgresql') return
  await sql`alter table pending_events alter column tx set default txid_current()`.execute(db)
  await sql`create index pending_events_tx_idx on pending_events (tx)`.execute(db)
  await sql
    .raw(
      `create function hpm_publish_pending_events() returns trigger language plpgsql as $$
begin
  perform pg_advisory_xact_lock(${EVENTS_LOCK_KEY});
  with moved as (
    delete from pending_events where tx = txid_current() returning seq, type, at, data
  )
  insert into events (type, at, data) select type, at, data from moved order by seq;
  if found then
    perform pg_notify('hpm_events', '');
  end if;
  return null;
end
$$`,
    )
    .execute(db)
  // One firing per event row; the first moves them all, the rest find nothing.
  await sql`create constraint trigger pending_events_publish after insert on pending_events
    deferrable initially deferred for each row execute procedure hpm_publish_pending_events()`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgresql') {
    await sql`drop trigger pending_events_publish on pending_events`.execute(db)
    await sql`drop function hpm_publish_pending_events()`.execute(db)
  }
  await db.schema.dropTable('pending_events').execute()
}
