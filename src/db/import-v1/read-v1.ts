import { existsSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'

import SQLite from 'better-sqlite3'

import { AppError } from '../../domain/index.js'
import { readV1Mysql } from './read-v1-mysql.js'
import { checkV1Schema, V1_COLUMNS } from './v1-schema.js'
import type { V1Row, V1Snapshot, V1Table } from './v1-schema.js'

/** Where the v1 data is: a SQLite file, or a MySQL server (v1's other backend). */
export type V1Source =
  | { kind: 'sqlite'; path: string }
  | { kind: 'mysql'; url: string }
  | { kind: 'unsupported'; scheme: string }

/** The forms `resolveV1Source` accepts, for usage messages. */
export const V1_SOURCE_FORMS = [
  '<path to the .db file>',
  'sqlite:///relative.db',
  'sqlite:////absolute/path.db',
  'sqlite:<path>',
  'mysql://user:password@host:port/database (needs mysql2)',
]

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
    const path = rest.startsWith('///')
      ? rest.slice(3)
      : rest.startsWith('//')
        ? rest.slice(2)
        : rest
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec)
  if (scheme) return { kind: 'unsupported', scheme: scheme[1] ?? '' }
  return { kind: 'sqlite', path: isAbsolute(spec) ? spec : resolve(cwd, spec) }
}

/** Reads the whole v1 database, from a SQLite file or a MySQL server (which needs mysql2). */
export async function readV1(
  source: Exclude<V1Source, { kind: 'unsupported' }>,
): Promise<V1Snapshot> {
  return source.kind === 'sqlite' ? readV1Sqlite(source.path) : readV1Mysql(source.url)
}

/** Reads a v1 SQLite file, read-only; fails naming the missing file, table or column. */
export function readV1Sqlite(path: string): V1Snapshot {
  if (!existsSync(path))
    throw new AppError('not_found', `no v1 database at ${path}: the file does not exist`)
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
    (
      database.prepare(`select name from sqlite_master where type = 'table'`).all() as Array<{
        name: string
      }>
    ).map((r) => r.name),
  )
  const tables = new Set(
    checkV1Schema(
      path,
      present,
      (table) =>
        new Set(
          (database.pragma(`table_info("${table}")`) as Array<{ name: string }>).map((c) => c.name),
        ),
    ),
  )
  const read = <T extends V1Table>(table: T): Array<V1Row<T>> => {
    if (!tables.has(table)) return []
    const columns = V1_COLUMNS[table].map((c) => `"${c}"`).join(', ')
    return database.prepare(`select ${columns} from "${table}" order by id`).all() as Array<
      V1Row<T>
    >
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
