import { chmodSync, copyFileSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

import SQLite from 'better-sqlite3'
import { describe, expect, it } from 'vitest'

import type { ImportV1Result } from '../../src/cli/commands/db.js'
import { runHpm, tempDir } from '../cli/run-hpm.js'
import { expectFixtureImported } from '../helpers/v1-fixture-checks.js'

// The real thing: a file v1's own server wrote (see its README). Never written to: each test copies it.
const FIXTURE = resolve(import.meta.dirname, '../fixtures/v1-database/headless-pm-v1.db')
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

interface Workspace {
  dir: string
  source: string
  target: string
}

/** A temp dir with a writable copy of the v1 fixture; the target is `<dir>/data/headless-pm.db`. */
async function workspace(): Promise<Workspace> {
  const dir = await tempDir('hpm-import-v1-')
  const source = join(dir, 'v1.db')
  copyFileSync(FIXTURE, source)
  chmodSync(source, 0o644)
  return { dir, source, target: join(dir, 'data', 'headless-pm.db') }
}

function hpm(ws: Workspace, ...args: string[]) {
  return runHpm(['db', ...args, '--data-dir', 'data', '--json'], {
    cwd: ws.dir,
    env: { HOME: ws.dir, HPM_LOG_LEVEL: 'silent' },
  })
}

function withDb<T>(
  file: string,
  work: (db: SQLite.Database) => T,
  options: SQLite.Options = {},
): T {
  const db = new SQLite(file, options)
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
    { readonly: true },
  )
}

/** Every row of every table we import into, for before/after comparisons. */
function dump(file: string): Record<string, unknown[]> {
  return withDb(
    file,
    (db) =>
      Object.fromEntries(
        TABLES.map((t) => [t, db.prepare(`select * from ${t} order by id`).all()]),
      ),
    { readonly: true },
  )
}

function line(result: ImportV1Result, from: string) {
  return result.tables.find((t) => t.from === from)
}

/** Adds rows to the v1 copy for what the fixture lacks: more statuses, a standup, and rows that cannot be mapped. */
function addV1Rows(source: string): void {
  withDb(source, (db) => {
    const t = '2026-12-01 10:00:00.123456'
    db.prepare(
      `insert into agent (id, agent_id, role, level, connection_type, last_seen) values (20, 'fs_1', 'FULLSTACK_DEV', 'SENIOR', 'CLIENT', ?)`,
    ).run(t)
    const task =
      db.prepare(`insert into task (id, feature_id, title, description, created_by_id, target_role, difficulty, complexity, branch, status, locked_by_id, locked_at, notes, created_at, updated_at)
      values (?, 2, ?, 'd', 6, ?, ?, 'MAJOR', ?, ?, ?, ?, null, ?, ?)`)
    task.run(20, 'in progress', 'FULLSTACK_DEV', 'SENIOR', 'b/20', 'under_work', 20, t, t, t)
    task.run(
      21,
      'documented',
      'BACKEND_DEV',
      'JUNIOR',
      'b/21',
      'documentation_done',
      null,
      null,
      t,
      t,
    )
    task.run(22, 'bad difficulty', 'BACKEND_DEV', 'WIZARD', 'b/22', 'created', null, null, t, t)
    task.run(23, 'bad status', 'QA', 'JUNIOR', 'b/23', 'testing', null, null, t, t)
    db.prepare(
      `insert into changelog (id, task_id, old_status, new_status, changed_by, notes, changed_at) values (60, 20, 'created', 'under_work', 'fs_1', null, ?)`,
    ).run(t)
    db.prepare(
      `insert into changelog (id, task_id, old_status, new_status, changed_by, notes, changed_at) values (61, 22, 'pending', 'created', 'pm_2', null, ?)`,
    ).run(t)
    db.prepare(
      `insert into document (id, doc_type, author_id, title, content, meta_data, created_at, updated_at, expires_at) values (20, 'STANDUP', 'fs_1', 'standup', 'did things', 'null', ?, ?, null)`,
    ).run(t, t)
    db.prepare(
      `insert into mention (id, document_id, task_id, mentioned_agent_id, created_by, is_read, created_at) values (20, null, 22, 'qa_001', 'pm_2', 0, ?)`,
    ).run(t)
    db.prepare(
      `insert into taskevaluation (id, task_id, evaluated_by, approved, comment, evaluated_at) values (1, 1, 'qa_001', 1, 'ok', ?)`,
    ).run(t)
  })
}

describe('hpm db import-v1', () => {
  it('imports every row of a v1 database written by v1 itself', async () => {
    const ws = await workspace()

    const run = await hpm(ws, 'import-v1', ws.source)

    expect(run.code, run.stderr).toBe(0)
    for (const [table, n] of Object.entries(FIXTURE_COUNTS))
      expect(count(ws.target, table), table).toBe(n)
    // v1's 39 rows plus one per dropped lock (tasks 8 and 10).
    expect(count(ws.target, 'changelog')).toBe(41)
    const result = run.json<ImportV1Result>()
    expect(result.skipped).toEqual([])
    expect(line(result, 'changelog')).toMatchObject({
      read: 39,
      imported: 39,
      already_present: 0,
      skipped: 0,
    })
  })

  it('lower-cases v1 enums, turns notes into the first comment and drops locks with a changelog note', async () => {
    const ws = await workspace()

    await hpm(ws, 'import-v1', ws.source)

    withDb(
      ws.target,
      (db) => {
        expectFixtureImported(db)
        expect(db.prepare('select doc_type from documents where id = 5').get()).toEqual({
          doc_type: 'critical_issue',
        })
      },
      { readonly: true },
    )
  })

  it('changes nothing when run a second time, and says everything is already there', async () => {
    const ws = await workspace()
    await hpm(ws, 'import-v1', ws.source)
    const before = dump(ws.target)

    const again = await hpm(ws, 'import-v1', `sqlite:///v1.db`)

    expect(again.code, again.stderr).toBe(0)
    expect(dump(ws.target)).toEqual(before)
    for (const t of again.json<ImportV1Result>().tables) expect(t.imported, t.from).toBe(0)
    expect(line(again.json<ImportV1Result>(), 'task')).toMatchObject({
      read: 7,
      already_present: 7,
    })
  })

  it('writes nothing on --dry-run, not even the target file, and reports what it would import', async () => {
    const ws = await workspace()

    const dry = await hpm(ws, 'import-v1', ws.source, '--dry-run')

    expect(dry.code, dry.stderr).toBe(0)
    expect(existsSync(join(ws.dir, 'data'))).toBe(false)
    const report = dry.json<ImportV1Result>()
    expect(report.dry_run).toBe(true)
    expect(line(report, 'task')).toMatchObject({ read: 7, imported: 7 })
    expect(report.migrations).toContain('0001-initial')
  })

  it('writes nothing on --dry-run against a database that was imported into before', async () => {
    const ws = await workspace()
    await hpm(ws, 'import-v1', ws.source)
    addV1Rows(ws.source)
    const before = dump(ws.target)

    const dry = await hpm(ws, 'import-v1', ws.source, '--dry-run')

    expect(dry.code, dry.stderr).toBe(0)
    expect(dump(ws.target)).toEqual(before)
    expect(line(dry.json<ImportV1Result>(), 'task')).toMatchObject({
      imported: 2,
      already_present: 7,
      skipped: 2,
    })
  })

  it('imports statuses and types the fixture lacks, and lists what it cannot map', async () => {
    const ws = await workspace()
    addV1Rows(ws.source)

    const run = await hpm(ws, 'import-v1', ws.source)

    expect(run.code, run.stderr).toBe(0)
    withDb(
      ws.target,
      (db) => {
        expect(
          db
            .prepare('select status, locked_by, claimed_from, target_role from tasks where id = 20')
            .get(),
        ).toEqual({
          status: 'under_work',
          locked_by: null,
          claimed_from: 'created',
          target_role: 'fullstack_dev',
        })
        expect(
          db
            .prepare(`select notes from changelog where task_id = 20 and changed_by = 'v1-import'`)
            .get(),
        ).toEqual({ notes: 'v1 lock by fs_1 dropped on import' })
        expect(db.prepare('select status from tasks where id = 21').get()).toEqual({
          status: 'documentation_done',
        })
        expect(db.prepare('select doc_type from documents where id = 20').get()).toEqual({
          doc_type: 'standup',
        })
        expect(db.prepare('select count(*) as n from tasks where id in (22, 23)').get()).toEqual({
          n: 0,
        })
      },
      { readonly: true },
    )
    const report = run.json<ImportV1Result>()
    expect(report.skipped).toEqual([
      {
        table: 'task',
        id: 22,
        reason: 'difficulty "WIZARD" is not one of junior, senior, principal',
      },
      {
        table: 'task',
        id: 23,
        reason: expect.stringMatching(
          /^status "testing" is not one of pending, created, under_work/,
        ),
      },
      { table: 'mention', id: 20, reason: 'its task 22 was not imported' },
      { table: 'changelog', id: 61, reason: 'its task 22 was not imported' },
      { table: 'taskevaluation', id: 1, reason: expect.stringMatching(/legacy task evaluations/) },
    ])
    expect(line(report, 'task')).toMatchObject({ read: 11, imported: 9, skipped: 2 })
    expect(run.stderr).toContain('5 v1 row(s) were not imported')
  })

  it('writes nothing when a write fails half-way: one transaction', async () => {
    const ws = await workspace()
    await hpm(ws, 'migrate')
    // Mentions are written after agents, epics, features, tasks and documents.
    withDb(ws.target, (db) =>
      db.exec(
        `create trigger no_mentions before insert on mentions begin select raise(abort, 'mentions are refused'); end`,
      ),
    )

    const run = await hpm(ws, 'import-v1', ws.source)

    expect(run.code).toBe(1)
    expect(run.stderr).toContain('mentions are refused')
    for (const table of TABLES) expect(count(ws.target, table), table).toBe(0)
  })

  it('refuses a target that holds other data under v1 ids, before writing anything', async () => {
    const ws = await workspace()
    await hpm(ws, 'migrate')
    withDb(ws.target, (db) =>
      db
        .prepare(
          `insert into epics (id, name, description, created_at) values (2, 'Billing', '', '2025-01-01T00:00:00.000Z')`,
        )
        .run(),
    )

    const run = await hpm(ws, 'import-v1', ws.source)

    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(
      /holds other data under the ids of this v1 database \(epics 2: here \["Billing",.*in v1 \["LP",/,
    )
    expect(run.stderr).toContain('Nothing was written')
    expect(count(ws.target, 'agents')).toBe(0)
    expect(count(ws.target, 'epics')).toBe(1)
  })

  it.each<[string, (ws: Workspace) => string, number, RegExp]>([
    [
      'a file that does not exist',
      (ws) => join(ws.dir, 'missing.db'),
      1,
      /no v1 database at .*missing\.db: the file does not exist/,
    ],
    [
      'a SQLite file without v1 tables',
      (ws) => {
        withDb(join(ws.dir, 'other.db'), (db) => db.exec('create table agent (id integer)'))
        return 'other.db'
      },
      1,
      /not a Headless PM v1 database: table\(s\) epic, feature, task, document, mention, service, changelog missing/,
    ],
    [
      'a MySQL server that is not there',
      () => 'mysql+pymysql://hpm:secret@127.0.0.1:1/headless_pm',
      1,
      /cannot connect to the v1 MySQL database headless_pm at 127\.0\.0\.1:1 as user hpm: .*ECONNREFUSED/,
    ],
    [
      'a URL of a kind v1 never used',
      () => 'postgres://127.0.0.1/v1',
      2,
      /cannot import a v1 database from a postgres:\/\/ URL; give one of: .*sqlite:\/\/\/relative\.db/,
    ],
  ])('fails clearly on %s', async (_case, sourceOf, code, message) => {
    const ws = await workspace()

    const run = await hpm(ws, 'import-v1', sourceOf(ws))

    expect(run.code).toBe(code)
    expect(run.stderr).toMatch(message)
    expect(run.stderr).not.toContain('secret')
    expect(existsSync(ws.target)).toBe(false)
  })
})
