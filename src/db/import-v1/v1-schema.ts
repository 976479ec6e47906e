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
    'id',
    'feature_id',
    'title',
    'description',
    'created_by_id',
    'target_role',
    'difficulty',
    'complexity',
    'branch',
    'status',
    'locked_by_id',
    'locked_at',
    'notes',
    'created_at',
    'updated_at',
  ],
  document: [
    'id',
    'doc_type',
    'author_id',
    'title',
    'content',
    'meta_data',
    'created_at',
    'updated_at',
    'expires_at',
  ],
  mention: [
    'id',
    'document_id',
    'task_id',
    'mentioned_agent_id',
    'created_by',
    'is_read',
    'created_at',
  ],
  service: [
    'id',
    'service_name',
    'owner_agent_id',
    'ping_url',
    'port',
    'status',
    'last_heartbeat',
    'last_ping_at',
    'last_ping_success',
    'meta_data',
    'updated_at',
  ],
  changelog: ['id', 'task_id', 'old_status', 'new_status', 'changed_by', 'notes', 'changed_at'],
  taskevaluation: ['id', 'task_id'],
} as const

export type V1Table = keyof typeof V1_COLUMNS

/** Every v1 table the import knows, in the order of `V1_COLUMNS`. */
export const V1_TABLES = Object.keys(V1_COLUMNS) as V1Table[]
const OPTIONAL_TABLES: ReadonlySet<V1Table> = new Set(['taskevaluation'])

/**
 * One v1 row as stored. Values are unchecked (SQLite columns hold any type): the mapper checks them.
 * Every reader yields what the SQLite one does: timestamps as text, JSON as text, booleans as 0/1.
 */
export type V1Row<T extends V1Table> = Readonly<Record<(typeof V1_COLUMNS)[T][number], unknown>>

/** Every row of every v1 table the import knows, ordered by id. */
export type V1Snapshot = { readonly [T in V1Table]: ReadonlyArray<V1Row<T>> }

/**
 * Checks that a database holds v1's tables and columns, and returns the v1 tables it has (an
 * optional one may be absent). Fails naming what is missing, or saying the database is ours.
 * `where` names the database in messages; `columnsOf` is asked only about tables that are there.
 */
export function checkV1Schema(
  where: string,
  present: ReadonlySet<string>,
  columnsOf: (table: V1Table) => ReadonlySet<string>,
): V1Table[] {
  const missingTables = V1_TABLES.filter((t) => !present.has(t) && !OPTIONAL_TABLES.has(t))
  if (missingTables.length > 0) {
    if (present.has('kysely_migration')) {
      throw new AppError(
        'bad_request',
        `${where} is a database of this headless-pm, not of v1: there is nothing to import from it`,
      )
    }
    const found =
      present.size === 0 ? 'it has no tables' : `it has: ${[...present].sort().join(', ')}`
    throw new AppError(
      'bad_request',
      `${where} is not a Headless PM v1 database: table(s) ${missingTables.join(', ')} missing (${found})`,
    )
  }
  const tables = V1_TABLES.filter((t) => present.has(t))
  const missingColumns: string[] = []
  for (const table of tables) {
    const columns = columnsOf(table)
    for (const column of V1_COLUMNS[table])
      if (!columns.has(column)) missingColumns.push(`${table}.${column}`)
  }
  if (missingColumns.length > 0) {
    throw new AppError(
      'bad_request',
      `${where} does not have the v1 schema this import knows: column(s) ${missingColumns.join(', ')} missing`,
    )
  }
  return tables
}
