import { existsSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'

import SQLite from 'better-sqlite3'

import { AppError } from '../../domain/index.js'

/**
 * The v1 columns the import reads, per table, as v1 (SQLModel, madviking/headless-pm 191061a)
 * created them. `taskevaluation` is legacy and optional: only counted, never imported.
 */
export const V1_COLUMNS = {
  agent: ['id', 'agent_id', 'role', 'level', 'connection_type', 'last_seen'],
  epic: ['id', 'name', 'description', 'created_at'],
  feature: ['id', 'epic_id', 'name', 'description'],
  task: [
    'id', 'feature_id', 'title', 'description', 'created_by_id', 'target_role', 'difficulty', 'complexity',
    'branch', 'status', 'locked_by_id', 'locked_at', 'notes', 'created_at', 'updated_at',
  ],
  document: ['id', 'doc_type', 'author_id', 'title', 'content', 'meta_data', 'created_at', 'updated_at', 'expires_at'],
  mention: ['id', 'document_id', 'task_id', 'mentioned_agent_id', 'created_by', 'is_read', 'created_at'],
  service: [
    'id', 'service_name', 'owner_agent_id', 'ping_url', 'port', 'status', 'last_heartbeat', 'last_ping_at',
    'last_ping_success', 'meta_data', 'updated_at',
  ],
  changelog: ['id', 'task_id', 'old_status', 'new_status', 'changed_by', 'notes', 'changed_at'],
  taskevaluation: ['id', 'task_id'],
} as const

export type V1Table = keyof typeof V1_COLUMNS
const OPTIONAL_TABLES: ReadonlySet<V1Table> = new Set(['taskevaluation'])

/** One v1 row as stored. Values are unchecked (SQLite columns hold any type): the mapper checks them. */
export type V1Row<T extends V1Table> = Readonly<Record<(typeof V1_COLUMNS)[T][number], unknown>>

/** Every row of every v1 table the import knows, ordered by id. */
export type V1Snapshot = { readonly [T in V1Table]: ReadonlyArray<V1Row<T>> }

/** Where the v1 data is: a SQLite file, or a MySQL server (v1's other backend). */
export type V1Source =
  | { kind: 'sqlite'; path: string }
  | { kind: 'mysql'; url: string }
  | { kind: 'unsupported'; scheme: string }

/** The forms `resolveV1Source` accepts, for usage messages. */
export const V1_SOURCE_FORMS = ['<path to the .db file>', 'sqlite:///relative.db', 'sqlite:////absolute/path.db', 'sqlite:<path>', 'mysql://… (needs mysql2)']

/**
 * Reads a v1 database location: a plain path, v1's SQLAlchemy URLs (`sqlite:///relative.db`,
 * `sqlite:////abs.db`), `sqlite:<path>`, or `mysql://` / `mysql+pymysql://`. Relative paths are
 * resolved against `cwd`.
 */
export function resolveV1Source(spec: string, cwd: string): V1Source {
  if (/^mysql(\+[a-z0-9]+)?:\/\//i.test(spec)) return { kind: 'mysql', url: spec }
  const sqlite = /^sqlite(\+[a-z0-9]+)?:(.*)$/i.exec(spec)
  if (sqlite) {
    const rest = sqlite[2] ?? ''
    // SQLAlchemy: three slashes then a relative path, four for an absolute one.
    const path = rest.startsWith('///') ? rest.slice(3) : rest.startsWith('//') ? rest.slice(2) : rest
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec)
  if (scheme) return { kind: 'unsupported', scheme: scheme[1] ?? '' }
  return { kind: 'sqlite', path: isAbsolute(spec) ? spec : resolve(cwd, spec) }
}

/** Reads the whole v1 database. Only SQLite is read; MySQL is recognised and refused with what it needs. */
export async function readV1(source: Exclude<V1Source, { kind: 'unsupported' }>): Promise<V1Snapshot> {
  if (source.kind === 'sqlite') return readV1Sqlite(source.path)
  // A variable specifier: mysql2 is optional, so neither tsc nor the bundler may resolve it.
  const mysqlModule = 'mysql2'
  try {
    await import(mysqlModule)
  } catch (error) {
    throw new AppError('bad_request', 'importing from MySQL needs the optional mysql2 package, which is not installed: npm i mysql2', { cause: error })
  }
  throw new AppError(
    'bad_request',
    'importing from MySQL is not implemented yet: only SQLite v1 databases can be imported (copy the v1 data into a SQLite file first)',
  )
}

/** Reads a v1 SQLite file, read-only; fails naming the missing file, table or column. */
export function readV1Sqlite(path: string): V1Snapshot {
  if (!existsSync(path)) throw new AppError('not_found', `no v1 database at ${path}: the file does not exist`)
  const database = new SQLite(path, { readonly: true, fileMustExist: true })
  try {
    return readTables(database, path)
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') {
      throw new AppError('bad_request', `${path} is not a SQLite database`, { cause: error })
    }
    throw error
  } finally {
    database.close()
  }
}

function readTables(database: SQLite.Database, path: string): V1Snapshot {
  const present = new Set(
    (database.prepare(`select name from sqlite_master where type = 'table'`).all() as Array<{ name: string }>).map((r) => r.name),
  )
  const tables = Object.keys(V1_COLUMNS) as V1Table[]
  const missingTables = tables.filter((t) => !present.has(t) && !OPTIONAL_TABLES.has(t))
  if (missingTables.length > 0) {
    if (present.has('kysely_migration')) {
      throw new AppError('bad_request', `${path} is a database of this headless-pm, not of v1: there is nothing to import from it`)
    }
    const found = present.size === 0 ? 'it has no tables' : `it has: ${[...present].sort().join(', ')}`
    throw new AppError('bad_request', `${path} is not a Headless PM v1 database: table(s) ${missingTables.join(', ')} missing (${found})`)
  }
  const missingColumns: string[] = []
  for (const table of tables.filter((t) => present.has(t))) {
    const columns = new Set((database.pragma(`table_info("${table}")`) as Array<{ name: string }>).map((c) => c.name))
    for (const column of V1_COLUMNS[table]) if (!columns.has(column)) missingColumns.push(`${table}.${column}`)
  }
  if (missingColumns.length > 0) {
    throw new AppError('bad_request', `${path} does not have the v1 schema this import knows: column(s) ${missingColumns.join(', ')} missing`)
  }
  const read = <T extends V1Table>(table: T): Array<V1Row<T>> => {
    if (!present.has(table)) return []
    const columns = V1_COLUMNS[table].map((c) => `"${c}"`).join(', ')
    return database.prepare(`select ${columns} from "${table}" order by id`).all() as Array<V1Row<T>>
  }
  return {
    agent: read('agent'),
    epic: read('epic'),
    feature: read('feature'),
    task: read('task'),
    document: read('document'),
    mention: read('mention'),
    service: read('service'),
    changelog: read('changelog'),
    taskevaluation: read('taskevaluation'),
  }
}
