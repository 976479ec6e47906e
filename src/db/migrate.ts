import { Migrator } from 'kysely'
import type { Kysely, MigrationResultSet } from 'kysely'

import { AppError } from '../domain/index.js'
import type { Database } from './database.js'
import { MIGRATIONS, migrationProvider } from './migrations/index.js'

export interface SchemaStatus {
  applied: string[]
  pending: string[]
  /** Migrations the database has that this build does not know: it was written by a newer version. */
  unknown: string[]
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
  return { applied, pending, unknown }
}

/** Applies pending migrations; refuses a database whose schema is newer than this build. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const status = await schemaStatus(db)
  if (status.unknown.length > 0) {
    throw new AppError(
      'schema_too_new',
      `the database schema is newer than this version of headless-pm knows (unknown migrations: ${status.unknown.join(', ')}); upgrade headless-pm`,
    )
  }
  const result: MigrationResultSet = await migratorFor(db).migrateToLatest()
  if (result.error) {
    throw new AppError('internal', `database migration failed: ${String(result.error)}`, { cause: result.error })
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
