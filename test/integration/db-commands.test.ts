import { createHash } from 'node:crypto'
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import SQLite from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { MIGRATIONS } from '../../src/db/migrations/index.js'
import { runProcess } from '../../src/lib/index.js'

const HPM = join(import.meta.dirname, '..', '..', 'bin', 'hpm.js')
let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hpm-db-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function hpm(...args: string[]) {
  return runProcess(process.execPath, [HPM, ...args], {
    cwd: dir,
    timeoutMs: 60_000,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      HEADLESS_PM_API_KEY: 'a-test-key-123',
      HPM_LOG_LEVEL: 'silent',
    },
  })
}

describe('hpm db', () => {
  it('reports pending migrations, applies them, then reports the schema current', async () => {
    const before = await hpm('db', 'status', '--json')
    const migrate = await hpm('db', 'migrate', '--json')
    const after = await hpm('db', 'status', '--json')

    expect(JSON.parse(before.stdout)).toMatchObject({
      pending: Object.keys(MIGRATIONS),
      state: 'behind',
    })
    expect(JSON.parse(migrate.stdout)).toEqual({ applied: Object.keys(MIGRATIONS) })
    expect(JSON.parse(after.stdout)).toMatchObject({
      applied: Object.keys(MIGRATIONS),
      pending: [],
      state: 'current',
    })
  })

  it('refuses to serve a database written by a newer version, with a clear message', async () => {
    await hpm('db', 'migrate')
    const db = new SQLite(join(dir, '.headless-pm', 'headless-pm.db'))
    db.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run(
      '9999-from-the-future',
      new Date().toISOString(),
    )
    db.close()

    const status = await hpm('db', 'status')
    const serve = await hpm('serve', '--port', '0')

    expect(status.exitCode).toBe(1)
    expect(status.stderr).toContain('9999-from-the-future')
    expect(serve.exitCode).toBe(1)
    expect(serve.stderr).toContain('the database schema is newer than this version of headless-pm')
  })

  it("refuses to start in a v1 project directory and leaves v1's database byte for byte as it was", async () => {
    // What a v1 user has: v1's .env (read by us too) naming v1's SQLite file in SQLAlchemy form.
    await copyFile(
      join(import.meta.dirname, '..', 'fixtures', 'v1-database', 'headless-pm-v1.db'),
      join(dir, 'headless-pm.db'),
    )
    await writeFile(join(dir, '.env'), 'DATABASE_URL=sqlite:///headless-pm.db\n')
    const digest = async () =>
      createHash('sha256')
        .update(await readFile(join(dir, 'headless-pm.db')))
        .digest('hex')
    const before = await digest()

    const serve = await hpm('serve', '--port', '0')
    const migrate = await hpm('db', 'migrate')
    const status = await hpm('db', 'status')

    for (const result of [serve, migrate, status]) {
      expect(result.exitCode).toBe(1)
      expect(result.stderr).toContain('this is a Headless PM v1 database')
      expect(result.stderr).toContain('hpm db import-v1')
    }
    expect(await digest()).toBe(before)
    expect((await readdir(dir)).filter((name) => name.startsWith('headless-pm.db'))).toEqual([
      'headless-pm.db',
    ])
  })
})
