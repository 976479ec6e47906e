import { PostgresAdapter, sql } from 'kysely'
import type { ColumnDefinitionBuilder, Kysely } from 'kysely'

export type DialectName = 'sqlite' | 'postgresql'

/** Which dialect a Kysely instance talks to. Dialect differences stay in this file and migrations. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations call it with Kysely<any>
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgresql' : 'sqlite'
}

/** An auto-increment integer primary key in either dialect. */
export function idColumn(dialect: DialectName) {
  return dialect === 'postgresql'
    ? { type: sql`serial`, build: (c: ColumnDefinitionBuilder) => c.primaryKey() }
    : { type: sql`integer`, build: (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement() }
}

/** A unique-constraint violation, in either dialect (a concurrent write won the race). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE'
}

/** `healthy`, or `unhealthy: <why>` when the database does not answer a trivial query (`/health`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema: it asks `select 1`
export async function databaseHealth(db: Kysely<any>): Promise<string> {
  try {
    await sql`select 1`.execute(db)
    return 'healthy'
  } catch (error) {
    return `unhealthy: ${error instanceof Error ? error.message : String(error)}`
  }
}

/** A time (from the server's clock, never read here) in the stored format. */
export function nowIso(clockMs: number): string {
  return new Date(clockMs).toISOString()
}
