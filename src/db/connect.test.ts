import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { sql } from 'kysely'
import { describe, expect, it, onTestFinished } from 'vitest'

import { connectDatabase } from './connect.js'

function sqliteFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hpm-connect-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'test.db')
}

async function synchronous(level?: 'normal' | 'full'): Promise<number> {
  const file = sqliteFile()
  const { db } = connectDatabase({
    databaseUrl: `sqlite:${file}`,
    sqliteFile: file,
    sqliteSynchronous: level,
  })
  try {
    const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db)
    return rows[0]!.synchronous
  } finally {
    await db.destroy()
  }
}

describe('connectDatabase on SQLite', () => {
  it('syncs NORMAL by default and FULL when asked (HPM_SQLITE_SYNCHRONOUS)', async () => {
    expect(await synchronous()).toBe(1)
    expect(await synchronous('full')).toBe(2)
  })

  it('reuses a prepared statement for the same SQL, and still answers each call with its own parameters', async () => {
    const file = sqliteFile()
    const { db } = connectDatabase({ databaseUrl: `sqlite:${file}`, sqliteFile: file })
    try {
      const answers = []
      for (const n of [1, 2, 3])
        answers.push((await sql<{ n: number }>`select ${n} as n`.execute(db)).rows[0]!.n)
      expect(answers).toEqual([1, 2, 3])
    } finally {
      await db.destroy()
    }
  })
})
