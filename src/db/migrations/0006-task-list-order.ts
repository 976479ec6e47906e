import type { Kysely } from 'kysely'

/** `GET /tasks` lists newest first and pages by (created_at, id): an index serves the order. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('tasks_created_idx')
    .on('tasks')
    .columns(['created_at', 'id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tasks_created_idx').execute()
}
