import { mkdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'

import SQLite from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'

import type { ImportV1Result } from '../../../src/cli/commands/db.js'
import { runHpm, tempDir } from '../../cli/run-hpm.js'
import { createMysqlDatabase } from '../../helpers/mysql-database.js'
import type { MysqlTestDatabase } from '../../helpers/mysql-database.js'
import { expectFixtureImported } from '../../helpers/v1-fixture-checks.js'

// The MySQL lane (HPM_TEST_MYSQL_URL; CI starts a server with scripts/mysql-test-cluster.sh): v1's
// MySQL schema, filled with every row of the SQLite file v1 wrote, imported by the real `hpm`.
const FIXTURE = resolve(import.meta.dirname, '../../fixtures/v1-database/headless-pm-v1.db')
const MYSQL_SCHEMA = resolve(
  import.meta.dirname,
  '../../fixtures/v1-database/headless-pm-v1-mysql.sql',
)
// Foreign-key order, so the server's checks pass row by row.
const V1_TABLES = [
  'agent',
  'epic',
  'feature',
  'task',
  'document',
  'service',
  'taskevaluation',
  'changelog',
  'mention',
]
const FIXTURE_COUNTS = {
  agents: 8,
  epics: 2,
  features: 2,
  tasks: 7,
  documents: 7,
  mentions: 8,
  services: 1,
}
const TABLES = [
  'agents',
  'epics',
  'features',
  'tasks',
  'task_comments',
  'changelog',
  'documents',
  'mentions',
  'services',
  'events',
]

let v1: MysqlTestDatabase

beforeAll(async () => {
  v1 = await createMysqlDatabase()
  await v1.query(readFileSync(MYSQL_SCHEMA, 'utf8'))
  const fixture = new SQLite(FIXTURE, { readonly: true })
  try {
    for (const table of V1_TABLES) {
      const rows = fixture.prepare(`select * from ${table} order by id`).all() as Array<
        Record<string, unknown>
      >
      if (rows.length === 0) continue
      const columns = Object.keys(rows[0] ?? {})
      await v1.query(`insert into ${table} (${columns.join(', ')}) values ?`, [
        rows.map((row) => columns.map((c) => row[c])),
      ])
    }
  } finally {
    fixture.close()
  }
})

afterAll(async () => {
  await v1?.drop()
})

async function importInto(dir: string, source: string) {
  return runHpm(['db', 'import-v1', source, '--data-dir', 'data', '--json'], {
    cwd: dir,
    env: { HOME: dir, HPM_LOG_LEVEL: 'silent' },
  })
}

function withDb<T>(file: string, work: (db: SQLite.Database) => T): T {
  const db = new SQLite(file, { readonly: true })
  try {
    return work(db)
  } finally {
    db.close()
  }
}

function count(file: string, table: string): number {
  return withDb(
    file,
    (db) => (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n,
  )
}

/** Every row of every table we import into; the time of each dropped-lock row (the import's own) blanked. */
function dump(file: string): Record<string, unknown[]> {
  return withDb(file, (db) =>
    Object.fromEntries(
      TABLES.map((t) => [
        t,
        (db.prepare(`select * from ${t} order by id`).all() as Array<Record<string, unknown>>).map(
          (row) =>
            t === 'changelog' && row.changed_by === 'v1-import'
              ? { ...row, changed_at: '(import time)' }
              : row,
        ),
      ]),
    ),
  )
}

function line(result: ImportV1Result, from: string) {
  return result.tables.find((t) => t.from === from)
}

async function deadPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}

describe('hpm db import-v1 from MySQL', () => {
  it('imports every row, exactly as from the SQLite file, as a user that may only read', async () => {
    const dir = await tempDir('hpm-import-v1-mysql-')
    for (const from of ['mysql', 'sqlite']) mkdirSync(join(dir, from))

    const fromMysql = await importInto(join(dir, 'mysql'), v1.readerUrl)
    const fromSqlite = await importInto(join(dir, 'sqlite'), FIXTURE)

    expect(fromMysql.code, fromMysql.stderr).toBe(0)
    expect(fromSqlite.code, fromSqlite.stderr).toBe(0)
    const target = join(dir, 'mysql', 'data', 'headless-pm.db')
    for (const [table, n] of Object.entries(FIXTURE_COUNTS))
      expect(count(target, table), table).toBe(n)
    // v1's 39 rows plus one per dropped lock (tasks 8 and 10).
    expect(count(target, 'changelog')).toBe(41)
    expect(dump(target)).toEqual(dump(join(dir, 'sqlite', 'data', 'headless-pm.db')))
    const result = fromMysql.json<ImportV1Result>()
    expect(result.skipped).toEqual([])
    expect(line(result, 'changelog')).toMatchObject({
      read: 39,
      imported: 39,
      already_present: 0,
      skipped: 0,
    })
    expect(result.source).toBe(v1.readerUrl.replace(`:${v1.readerPassword}@`, ':***@'))
    expect(fromMysql.stdout + fromMysql.stderr).not.toContain(v1.readerPassword)
  })

  it('lower-cases v1 enums, turns notes into the first comment and drops locks with a changelog note', async () => {
    const dir = await tempDir('hpm-import-v1-mysql-')
    const target = join(dir, 'data', 'headless-pm.db')

    const run = await importInto(dir, v1.readerUrl)

    expect(run.code, run.stderr).toBe(0)
    withDb(target, (db) => {
      expectFixtureImported(db)
      expect(db.prepare('select doc_type, meta_data from documents where id = 3').get()).toEqual({
        doc_type: 'update',
        meta_data: '{"priority": "low"}',
      })
      expect(db.prepare('select status, last_ping_success from services').get()).toEqual({
        status: 'down',
        last_ping_success: 0,
      })
    })
  })

  it('changes nothing when run a second time, given as a mysql+pymysql:// URL', async () => {
    const dir = await tempDir('hpm-import-v1-mysql-')
    const target = join(dir, 'data', 'headless-pm.db')
    await importInto(dir, v1.readerUrl)
    const before = dump(target)

    const again = await importInto(dir, v1.readerUrl.replace(/^mysql:/, 'mysql+pymysql:'))

    expect(again.code, again.stderr).toBe(0)
    expect(dump(target)).toEqual(before)
    for (const t of again.json<ImportV1Result>().tables) expect(t.imported, t.from).toBe(0)
    expect(line(again.json<ImportV1Result>(), 'task')).toMatchObject({
      read: 7,
      already_present: 7,
    })
  })

  it.each<[string, () => Promise<string>, RegExp]>([
    [
      'a wrong password',
      async () => v1.readerUrl.replace(`:${v1.readerPassword}@`, ':wrong-secret@'),
      /cannot connect to the v1 MySQL database hpm_t_\w+ at \S+:\d+ as user hpm_t_\w+: Access denied/,
    ],
    [
      'a port nothing listens on',
      async () => {
        const url = new URL(v1.readerUrl)
        url.port = String(await deadPort())
        url.password = 'wrong-secret'
        return url.toString()
      },
      /cannot connect to the v1 MySQL database hpm_t_\w+ at \S+:\d+ as user hpm_t_\w+: .*ECONNREFUSED/,
    ],
    [
      'a database without v1 tables',
      async () => {
        const empty = await createMysqlDatabase()
        onTestFinished(() => empty.drop())
        return empty.readerUrl
      },
      /MySQL database hpm_t_\w+ at \S+:\d+ is not a Headless PM v1 database: table\(s\) agent, epic, feature, task, document, mention, service, changelog missing \(it has no tables\)/,
    ],
  ])(
    'fails with exit 1 and a clear message on %s, never printing the password',
    async (_case, sourceOf, message) => {
      const dir = await tempDir('hpm-import-v1-mysql-')
      const source = await sourceOf()
      const password = decodeURIComponent(new URL(source).password)

      const run = await importInto(dir, source)

      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(message)
      expect(run.stdout + run.stderr).not.toContain(password)
    },
  )
})
