import { Migrator, sql } from 'kysely'
import type { Kysely, MigrationResultSet } from 'kysely'

import { AppError } from '../domain/index.js'
import type { Database } from './database.js'
import { dialectOf } from './dialect.js'
import { MIGRATIONS, OWN_TABLES, migrationProvider } from './migrations/index.js'

export interface SchemaStatus {
  applied: string[]
  pending: string[]
  /** Migrations the database has that this build does not know: it was written by a newer version. */
  unknown: string[]
  /** Tables that are not ours: the database belongs to something else (v1, another application). */
  foreign: string[]
}

// v1 (SQLModel) named its tables in the singular; these four together mean a v1 database.
const V1_TABLES = ['agent', 'epic', 'feature', 'task']

/** The tables in the schema we would write to (PostgreSQL: the current schema only). */
export async function tableNames(db: Kysely<Database>): Promise<string[]> {
  const rows =
    dialectOf(db) === 'postgresql'
      ? await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
      : await sql<{
          name: string
        }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(
          db,
        )
  return rows.rows.map((r) => r.name).sort()
}

/** Why the database is refused, naming what was found; undefined when it is ours or empty. */
export function foreignSchemaMessage(foreign: readonly string[]): string | undefined {
  if (foreign.length === 0) return undefined
  const found = `it holds tables headless-pm did not create (${foreign.join(', ')})`
  if (V1_TABLES.every((t) => foreign.includes(t))) {
    return `this is a Headless PM v1 database: ${found}. Nothing was written to it. Point headless-pm at a database of its own (unset DATABASE_URL, or choose one with --database-url) and copy v1's data over with: hpm db import-v1 <this database>`
  }
  return `refusing to use this database: ${found}. Nothing was written to it. Give headless-pm a database (or PostgreSQL schema) of its own with --database-url / DATABASE_URL`
}

function migratorFor(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: migrationProvider })
}

export async function schemaStatus(db: Kysely<Database>): Promise<SchemaStatus> {
  const known = Object.keys(MIGRATIONS)
  const infos = await migratorFor(db).getMigrations()
  const applied = infos.filter((m) => m.executedAt !== undefined).map((m) => m.name)
  const pending = infos.filter((m) => m.executedAt === undefined).map((m) => m.name)
  // getMigrations() lists only known migrations; ask the table for the rest.
  let recorded: string[] = []
  try {
    const rows = await db
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute()
    recorded = rows.map((r) => (r as { name: string }).name)
  } catch {
    recorded = []
  }
  const unknown = recorded.filter((name) => !known.includes(name))
  const foreign = (await tableNames(db)).filter((name) => !OWN_TABLES.has(name))
  return { applied, pending, unknown, foreign }
}

/**
 * Applies pending migrations, all in one transaction (a failure leaves the database as it was).
 * Refuses, before writing anything, a database whose schema is newer than this build or that
 * holds tables we did not create.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const status = await schemaStatus(db)
  const foreign = foreignSchemaMessage(status.foreign)
  if (foreign)
    throw new AppError('foreign_schema', foreign, { details: { tables: status.foreign } })
  // WAL lets readers work while a writer commits; it persists in the file, so once is enough.
  if (dialectOf(db) === 'sqlite') await sql`pragma journal_mode = wal`.execute(db)
  if (status.unknown.length > 0) {
    throw new AppError(
      'schema_too_new',
      `the database schema is newer than this version of headless-pm knows (unknown migrations: ${status.unknown.join(', ')}); upgrade headless-pm`,
    )
  }
  const result: MigrationResultSet = await migratorFor(db).migrateToLatest()
  if (result.error) {
    throw new AppError(
      'internal',
      `database migration failed: ${result.error instanceof Error ? result.error.message : JSON.stringify(result.error)}`,
      {
        cause: result.error,
      },
    )
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
