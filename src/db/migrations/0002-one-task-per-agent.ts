import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/**
 * One task per agent, enforced by the database: two concurrent claims by the same agent (through
 * two server instances) cannot both succeed, whatever the isolation level.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('tasks_one_per_agent')
    .on('tasks')
    .column('locked_by')
    .unique()
    .where(sql.ref('locked_by'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tasks_one_per_agent').ifExists().execute()
}
