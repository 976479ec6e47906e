import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'

import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteAdapter, SqliteDialect } from 'kysely'
import type { DialectAdapter, SqliteDatabase } from 'kysely'
import type pg from 'pg'

import type { Database } from './database.js'
import type { DialectName } from './dialect.js'

export interface ConnectOptions {
  /** `sqlite:<path>` (or `:memory:`) or `postgres://...`. */
  databaseUrl: string
  /** Resolved file path for SQLite URLs. */
  sqliteFile?: string
  pgPoolSize?: number
  /**
   * SQLite's `synchronous` in WAL mode. `normal` (default): a crashed process loses nothing, a power
   * cut may lose the last commits. `full`: nothing acknowledged is lost even then; each commit waits
   * for the disk.
   */
  sqliteSynchronous?: 'normal' | 'full'
  /**
   * Told when PostgreSQL drops an idle pooled connection (a restart, an administrator). The pool
   * replaces the connection; without a listener the error would end the process.
   */
  onPoolError?: (error: Error) => void
}

export interface Connection {
  db: Kysely<Database>
  dialect: DialectName
  /** The raw pg pool, for LISTEN/NOTIFY; undefined on SQLite. */
  pgPool?: pg.Pool
}

let pgModule: typeof pg | undefined

/** pg, loaded for the first PostgreSQL URL only: a SQLite server need not start slower for it. */
export function loadPg(): typeof pg {
  if (pgModule === undefined) {
    pgModule = createRequire(import.meta.url)('pg') as typeof pg
    // Timestamps are text and ids are integers, so pg's default parsers are left alone except
    // bigint (int8), which pg returns as a string: our counts and token totals fit in a double.
    pgModule.types.setTypeParser(20, (value) => Number(value))
  }
  return pgModule
}

// SQLite runs DDL inside transactions, but Kysely's adapter says it does not, so its migrator
// would apply a migration statement by statement: a failure half-way would leave some tables made.
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true
  }
}

class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter()
  }
}

/** Distinct statements kept prepared; more (say, IN lists of many lengths) push out the oldest. */
const PREPARED_STATEMENTS = 500

/**
 * better-sqlite3 with its prepared statements kept by SQL text. Kysely asks for a statement on
 * every query, and preparing one cost a fifth of a claim's server time; a prepared statement is
 * reused as is (Kysely runs one query at a time on this connection and never streams here).
 */
function withPreparedStatements(database: SQLite.Database): SqliteDatabase {
  const prepared = new Map<string, SQLite.Statement>()
  return {
    close: () => database.close(),
    prepare: (text: string) => {
      let statement = prepared.get(text)
      if (statement) {
        // Most recently used last, so the first key is the one to drop.
        prepared.delete(text)
      } else {
        statement = database.prepare(text)
        if (prepared.size >= PREPARED_STATEMENTS) prepared.delete(prepared.keys().next().value!)
      }
      prepared.set(text, statement)
      return statement
    },
  }
}

export function connectDatabase(options: ConnectOptions): Connection {
  if (/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    const pool = new (loadPg().Pool)({
      connectionString: options.databaseUrl,
      max: options.pgPoolSize ?? 10,
    })
    pool.on('error', (error) => options.onPoolError?.(error))
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      dialect: 'postgresql',
      pgPool: pool,
    }
  }
  const file = options.sqliteFile ?? ':memory:'
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const database = new SQLite(file)
  // journal_mode = WAL is set by migrateToLatest once the file is known to be ours: it is a write.
  database.pragma(`synchronous = ${options.sqliteSynchronous === 'full' ? 'FULL' : 'NORMAL'}`)
  database.pragma('foreign_keys = ON')
  // Several processes may share one file (CLI tools, a second server): wait for locks instead of failing.
  database.pragma('busy_timeout = 5000')
  return {
    db: new Kysely<Database>({
      dialect: new TransactionalDdlSqliteDialect({ database: withPreparedStatements(database) }),
    }),
    dialect: 'sqlite',
  }
}
