import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { listEventsAfterId, recordEvent } from '../../../src/db/index.js'
import type { Db } from '../../../src/db/database.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

// Readers (the change hub, SSE replays, other instances) follow "id > last seen": an event whose
// id became visible after a higher one would be skipped for ever. This lane's database is
// PostgreSQL, where transactions commit concurrently.
let server: TestServer
let db: Db

beforeAll(async () => {
  server = await startTestServer()
  db = server.running.connection.db
})
afterAll(() => server.close())

/** Opens a transaction that records `type` and stays open until the returned `commit` is called. */
async function openTransactionWithEvent(type: 'document_created' | 'document_updated') {
  let commit!: () => void
  const released = new Promise<void>((resolve) => (commit = resolve))
  let recorded!: () => void
  const isRecorded = new Promise<void>((resolve) => (recorded = resolve))
  const done = db.transaction().execute(async (trx) => {
    await recordEvent(trx, type, { late: type === 'document_created' }, new Date().toISOString())
    recorded()
    await released
  })
  await isRecorded
  return { commit, done }
}

describe('event ids on PostgreSQL', () => {
  it('become visible in commit order: a reader never sees a later id before an earlier one', async () => {
    const start = (await listEventsAfterId(db, 0, 10_000)).at(-1)?.id ?? 0
    const slow = await openTransactionWithEvent('document_created')

    // A second writer records and commits while the first is still open, without waiting for it.
    await db
      .transaction()
      .execute((trx) =>
        recordEvent(trx, 'document_updated', { late: false }, new Date().toISOString()),
      )
    const seenFirst = await listEventsAfterId(db, start, 100)
    slow.commit()
    await slow.done
    const seenAfter = await listEventsAfterId(db, seenFirst.at(-1)!.id, 100)

    expect(seenFirst.map((e) => e.type)).toEqual(['document_updated'])
    // The open transaction's event took its id at its commit: after everything seen before.
    expect(seenAfter.map((e) => [e.type, e.data])).toEqual([['document_created', { late: true }]])
  })

  it('leaves nothing waiting once transactions end, committed or rolled back', async () => {
    await db
      .transaction()
      .execute(async (trx) => {
        await recordEvent(trx, 'document_deleted', {}, new Date().toISOString())
        throw new Error('roll back')
      })
      .catch(() => undefined)

    const pending = await db.selectFrom('pending_events').selectAll().execute()
    const all = await listEventsAfterId(db, 0, 10_000)

    expect(pending).toEqual([])
    expect(all.map((e) => e.type)).not.toContain('document_deleted')
  })
})
