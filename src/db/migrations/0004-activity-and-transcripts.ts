import type { Kysely } from 'kysely'

/**
 * What an agent is doing now (sent with its runner's heartbeats) and what Claude did in each run
 * (the transcript the runner sends with the run record). JSON text; NULL for existing rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('agents').addColumn('activity', 'text').execute()
  await db.schema.alterTable('task_runs').addColumn('transcript', 'text').execute()
  await db.schema
    .alterTable('task_runs')
    .addColumn('transcript_entries', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('task_runs').dropColumn('transcript_entries').execute()
  await db.schema.alterTable('task_runs').dropColumn('transcript').execute()
  await db.schema.alterTable('agents').dropColumn('activity').execute()
}
