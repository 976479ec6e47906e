import type * as Mysql2 from 'mysql2/promise'

import { AppError } from '../../domain/index.js'
import { checkV1Schema, V1_COLUMNS, V1_TABLES } from './v1-schema.js'
import type { V1Snapshot, V1Table } from './v1-schema.js'

/** Where a v1 MySQL database is. `password` is never put in a message. */
export interface MysqlLocation {
  host: string
  port: number
  user: string
  password: string
  database: string
}

const DEFAULT_PORT = 3306
const CONNECT_TIMEOUT_MS = 10_000

/**
 * Reads `mysql://user:password@host:port/database`, or SQLAlchemy's `mysql+pymysql://…` and
 * `mysql+mysqldb://…` (the driver suffix is dropped). Query parameters (`?charset=…`) are ignored.
 */
export function parseMysqlUrl(url: string): MysqlLocation {
  let parsed: URL
  try {
    parsed = new URL(url.replace(/^mysql\+[a-z0-9]+:/i, 'mysql:'))
  } catch (error) {
    // The URL is not echoed: it may hold the password.
    throw new AppError(
      'bad_request',
      'the MySQL URL is not valid: give mysql://user:password@host:port/database',
      { cause: error },
    )
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  if (database === '' || database.includes('/')) {
    throw new AppError(
      'bad_request',
      'the MySQL URL names no database: give mysql://user:password@host:port/database',
    )
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: parsed.port === '' ? DEFAULT_PORT : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
  }
}

/**
 * Loads mysql2, an optional package: a user who imports only from SQLite never needs it.
 * `specifier` is a variable so that neither tsc nor the bundler resolves it (a test passes a missing one).
 */
export async function loadMysql2(specifier = 'mysql2/promise'): Promise<typeof Mysql2> {
  try {
    return (await import(specifier)) as typeof Mysql2
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error
    throw new AppError(
      'bad_request',
      'importing from MySQL needs the optional mysql2 package, which is not installed: npm i mysql2',
      { cause: error },
    )
  }
}

/**
 * Reads a v1 MySQL database in one read-only transaction, with the checks of the SQLite reader,
 * and yields the values that reader yields: timestamps and JSON as text, booleans as 0/1.
 */
export async function readV1Mysql(url: string): Promise<V1Snapshot> {
  const at = parseMysqlUrl(url)
  const mysql = await loadMysql2()
  const where = `MySQL database ${at.database} at ${at.host}:${at.port}`
  let connection: Mysql2.Connection
  try {
    connection = await mysql.createConnection({
      host: at.host,
      port: at.port,
      user: at.user,
      password: at.password,
      database: at.database,
      charset: 'utf8mb4',
      connectTimeout: CONNECT_TIMEOUT_MS,
      // What the SQLite reader yields: `2026-11-30 03:20:40.037265`, JSON text, and exact integers
      // (a BIGINT past 2^53 comes back as a string, which the mapper reports, instead of rounded).
      dateStrings: true,
      jsonStrings: true,
      supportBigNumbers: true,
    })
  } catch (error) {
    throw new AppError(
      'unavailable',
      `cannot connect to the v1 ${where} as user ${at.user || '(none)'}: ${reasonOf(error)}`,
      { cause: error },
    )
  }
  try {
    await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY')
    const snapshot = await readTables(connection, where)
    await connection.query('COMMIT')
    return snapshot
  } catch (error) {
    if (error instanceof AppError) throw error
    throw new AppError('bad_request', `cannot read the v1 ${where}: ${reasonOf(error)}`, {
      cause: error,
    })
  } finally {
    await connection.end().catch(() => connection.destroy())
  }
}

async function readTables(connection: Mysql2.Connection, where: string): Promise<V1Snapshot> {
  const [tableRows] = await connection.query<Mysql2.RowDataPacket[]>(
    'select table_name as name from information_schema.tables where table_schema = database()',
  )
  const [columnRows] = await connection.query<Mysql2.RowDataPacket[]>(
    'select table_name as name, column_name as col from information_schema.columns where table_schema = database()',
  )
  const columns = new Map<string, Set<string>>()
  for (const row of columnRows) {
    const name = String(row.name)
    columns.set(name, (columns.get(name) ?? new Set()).add(String(row.col)))
  }
  const present = new Set(tableRows.map((row) => String(row.name)))
  const tables = new Set(checkV1Schema(where, present, (table) => columns.get(table) ?? new Set()))
  const snapshot: Partial<Record<V1Table, Array<Record<string, unknown>>>> = {}
  for (const table of V1_TABLES) {
    if (!tables.has(table)) {
      snapshot[table] = []
      continue
    }
    const list = V1_COLUMNS[table].map((c) => `\`${c}\``).join(', ')
    const [rows] = await connection.query<Mysql2.RowDataPacket[]>(
      `select ${list} from \`${table}\` order by id`,
    )
    snapshot[table] = rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, sqliteLike(v)])),
    )
  }
  return snapshot as unknown as V1Snapshot
}

/**
 * A MySQL value as the SQLite reader would give it. mysql2 already returns DATETIME as text
 * (dateStrings), JSON as text (jsonStrings), BOOL/TINYINT and INT as numbers; what is left is
 * a binary-collated text column (a Buffer) and a JSON value parsed despite jsonStrings.
 */
export function sqliteLike(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  if (value !== null && typeof value === 'object') return JSON.stringify(value)
  return value
}

// A refused connection to a name with several addresses (localhost: ::1 and 127.0.0.1) is an
// AggregateError with an empty message.
function describeCode(code: unknown): string {
  return typeof code === 'string' || typeof code === 'number' ? String(code) : ''
}

function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.message === '')
    return error.errors.map(reasonOf).join('; ')
  if (error instanceof Error)
    return error.message || describeCode((error as { code?: unknown }).code) || error.name
  return String(error)
}
