import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { Migrator, sql } from 'kysely'
import type { TestContext } from 'vitest'
import { describe, expect, it } from 'vitest'

import {
  connectDatabase,
  findTask,
  listRuns,
  migrateToLatest,
  rowToTask,
  tableNames,
} from '../../../src/db/index.js'
import type { Connection } from '../../../src/db/index.js'
import { MIGRATIONS, OWN_TABLES, migrationProvider } from '../../../src/db/migrations/index.js'
import { createTestDatabase, isPgLane } from '../../helpers/pg-database.js'

/** A fresh database of this lane's dialect (SQLite file, or PostgreSQL in the postgres lane). */
async function freshConnection({ onTestFinished }: TestContext): Promise<Connection> {
  if (isPgLane) {
    const database = await createTestDatabase()
    const connection = connectDatabase({ databaseUrl: database.url })
    onTestFinished(async () => {
      await connection.db.destroy()
      await database.drop()
    })
    return connection
  }
  const dir = mkdtempSync(join(tmpdir(), 'hpm-migrate-'))
  const connection = connectDatabase({ databaseUrl: 'sqlite:', sqliteFile: join(dir, 'hpm.db') })
  onTestFinished(async () => {
    await connection.db.destroy()
    rmSync(dir, { recursive: true, force: true })
  })
  return connection
}

const NOW = '2025-01-01T00:00:00.000Z'

describe('migration 0003-run-verdicts', () => {
  it('upgrades a database with tasks and runs written by the previous version', async (context) => {
    const { db } = await freshConnection(context)
    const migrator = new Migrator({ db, provider: migrationProvider })
    expect((await migrator.migrateTo('0002-one-task-per-agent')).error).toBeUndefined()
    const epic = await db
      .insertInto('epics')
      .values({ name: 'e', description: 'd', created_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow()
    const feature = await db
      .insertInto('features')
      .values({ epic_id: epic.id, name: 'f', description: 'd', created_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow()
    const task = await db
      .insertInto('tasks')
      .values({
        feature_id: feature.id,
        title: 'old',
        description: '',
        created_by: 'pm',
        target_role: 'backend_dev',
        difficulty: 'junior',
        complexity: 'major',
        branch: 'b',
        status: 'under_work',
        locked_by: 'dev_1',
        priority: 0,
        attempts: 2,
        created_at: NOW,
        updated_at: NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await db
      .insertInto('task_runs')
      .values({
        task_id: task.id,
        agent_id: 'dev_1',
        attempt: 1,
        outcome: 'agent_timeout',
        is_error: 1,
        started_at: NOW,
        finished_at: NOW,
        duration_ms: 0,
        created_at: NOW,
      })
      .execute()

    const applied = await migrateToLatest(db)

    // Every migration after the two the database was written with.
    expect(applied).toEqual(Object.keys(MIGRATIONS).slice(2))
    const upgraded = rowToTask((await findTask(db, task.id))!)
    expect(upgraded).toMatchObject({
      status: 'under_work',
      locked_by: 'dev_1',
      attempts: 2,
      failures: 0,
      work_branch: null,
      work_commit: null,
      budget_usd: null,
    })
    expect(await listRuns(db, task.id)).toEqual([
      expect.objectContaining({
        outcome: 'agent_timeout',
        verdict: 'failed',
        verdict_reason: null,
      }),
    ])
  })

  it('migrates the latest migration down and up again', async (context) => {
    const latest = Object.keys(MIGRATIONS).at(-1)
    const { db } = await freshConnection(context)
    const migrator = new Migrator({ db, provider: migrationProvider })
    await migrateToLatest(db)

    const down = await migrator.migrateDown()
    const up = await migrator.migrateUp()

    expect(down.error).toBeUndefined()
    expect(down.results?.map((r) => [r.migrationName, r.status])).toEqual([[latest, 'Success']])
    expect(up.error).toBeUndefined()
    expect(up.results?.map((r) => [r.migrationName, r.status])).toEqual([[latest, 'Success']])
  })
})

describe('migrating a database', () => {
  it('creates exactly the tables headless-pm counts as its own', async (context) => {
    const { db } = await freshConnection(context)

    await migrateToLatest(db)

    expect(await tableNames(db)).toEqual([...OWN_TABLES].sort())
  })

  it('leaves no table behind when a migration fails half-way (one transaction)', async (context) => {
    const { db } = await freshConnection(context)
    // A view is not a table, so the database is not refused; 0001 then fails at its changelog table.
    await sql`create view changelog as select 1 as x`.execute(db)

    await expect(migrateToLatest(db)).rejects.toThrow(/migration failed/)

    const left = await tableNames(db)
    expect(left.filter((name) => !name.startsWith('kysely_'))).toEqual([])
    expect(
      await db
        .selectFrom('kysely_migration' as never)
        .selectAll()
        .execute(),
    ).toEqual([])
  })

  it('refuses a v1 database before writing anything, pointing to the import', async (context) => {
    const { db } = await freshConnection(context)
    for (const table of ['agent', 'epic', 'feature', 'task', 'changelog']) {
      await sql`create table ${sql.table(table)} (id integer primary key)`.execute(db)
    }

    const error = await migrateToLatest(db).catch((e: unknown) => e)

    expect(error).toMatchObject({
      code: 'foreign_schema',
      message: expect.stringContaining('hpm db import-v1'),
    })
    expect((error as Error).message).toContain('Headless PM v1 database')
    expect(await tableNames(db)).toEqual(['agent', 'changelog', 'epic', 'feature', 'task'])
  })

  it("refuses a database holding another application's tables, naming them", async (context) => {
    const { db } = await freshConnection(context)
    await sql`create table invoices (id integer primary key)`.execute(db)

    await expect(migrateToLatest(db)).rejects.toMatchObject({
      code: 'foreign_schema',
      message: expect.stringContaining('(invoices)'),
    })
    expect(await tableNames(db)).toEqual(['invoices'])
  })
})
