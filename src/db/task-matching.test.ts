import { CompiledQuery } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'

import { connectDatabase } from './connect.js'
import { migrateToLatest } from './migrate.js'
import { SQLITE_PICKUP } from './task-matching.js'

// Which task is picked is tested on both databases (test/integration/server/pickup-order.test.ts);
// this file holds SQLite to reading it through the index, whatever the board's size.
const { db } = connectDatabase({ databaseUrl: 'sqlite::memory:', sqliteFile: ':memory:' })
afterAll(() => db.destroy())

async function plan(query: CompiledQuery<unknown>): Promise<string[]> {
  const { rows } = await db.executeQuery<{ detail: string }>(
    CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
  )
  return rows.map((r) => r.detail)
}

describe('pickup on SQLite', () => {
  it('reads each (status, role, level) through the ready-task index and never scans tasks', async () => {
    await migrateToLatest(db)
    const details = await plan(CompiledQuery.raw(SQLITE_PICKUP, ['[]', '[]', null, null]))

    expect(details.filter((d) => d.includes('tasks_ready_idx'))).toEqual([
      expect.stringContaining(
        'SEARCH s USING INDEX tasks_ready_idx (target_role=? AND difficulty=? AND status=?)',
      ),
    ])
    expect(details.filter((d) => /^SCAN (s|t|tasks)\b/.test(d))).toEqual([])
    // The index serves each seek's order: only the few seeks' results are sorted.
    expect(details.filter((d) => d.includes('TEMP B-TREE'))).toHaveLength(1)
  })
})
