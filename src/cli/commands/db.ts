import { loadServerConfig, sqlitePath } from '../../config/index.js'
import type { ServerFlags } from '../../config/index.js'
import { connectDatabase, migrateToLatest, schemaStatus } from '../../db/index.js'
import type { SchemaStatus } from '../../db/index.js'
import { CommandFailedError } from '../exit-codes.js'

export type DbFlags = Pick<ServerFlags, 'dataDir' | 'databaseUrl'>

async function withDatabase<T>(flags: DbFlags, work: (db: ReturnType<typeof connectDatabase>['db']) => Promise<T>): Promise<T> {
  // eslint-disable-next-line no-restricted-properties -- entry point: hands env to the pure loader
  const config = loadServerConfig({ flags, env: process.env, cwd: process.cwd() })
  const isSqlite = config.databaseUrl.startsWith('sqlite:')
  const { db } = connectDatabase({
    databaseUrl: config.databaseUrl,
    sqliteFile: isSqlite ? sqlitePath(config.databaseUrl, process.cwd()) : undefined,
    pgPoolSize: 2,
  })
  try {
    return await work(db)
  } finally {
    await db.destroy()
  }
}

/** `hpm db status`: applied, pending and unknown (newer) migrations. Fails when the schema is newer. */
export async function dbStatus(flags: DbFlags): Promise<SchemaStatus & { state: 'current' | 'behind' | 'newer' }> {
  const status = await withDatabase(flags, (db) => schemaStatus(db))
  if (status.unknown.length > 0) {
    throw new CommandFailedError(
      `the database schema is newer than this headless-pm (unknown migrations: ${status.unknown.join(', ')}); upgrade headless-pm`,
    )
  }
  return { ...status, state: status.pending.length > 0 ? 'behind' : 'current' }
}

/** `hpm db migrate`: applies pending migrations (hpm serve also does this on start). */
export async function dbMigrate(flags: DbFlags): Promise<{ applied: string[] }> {
  return { applied: await withDatabase(flags, (db) => migrateToLatest(db)) }
}
