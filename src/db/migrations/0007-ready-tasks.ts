import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/**
 * Pickup reads the best unlocked task of one (role, level, status) at a time in
 * (priority desc, created_at, id) order: this index serves each such read with one seek, however
 * many tasks wait or are done (task-matching.ts, pickupCandidate).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index tasks_ready_idx on tasks (target_role, difficulty, status, priority desc, created_at, id) where locked_by is null`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tasks_ready_idx').execute()
}
