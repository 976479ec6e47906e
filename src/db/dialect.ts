import { PostgresAdapter, sql } from 'kysely'
import type { ColumnDefinitionBuilder, Kysely } from 'kysely'

export type DialectName = 'sqlite' | 'postgresql'

/** Which dialect a Kysely instance talks to. Dialect differences stay in this file and migrations. */
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgresql' : 'sqlite'
}

/** An auto-increment integer primary key in either dialect. */
export function idColumn(dialect: DialectName) {
  return dialect === 'postgresql'
    ? { type: sql`serial`, build: (c: ColumnDefinitionBuilder) => c.primaryKey() }
    : { type: sql`integer`, build: (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement() }
}

/** Current UTC time in the stored format. */
export function nowIso(clockMs: number = Date.now()): string {
  return new Date(clockMs).toISOString()
}
