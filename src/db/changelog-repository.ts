import type { ChangelogResponse } from '../contract/index.js'
import type { Db } from './database.js'

export async function listChangelog(db: Db, limit: number): Promise<ChangelogResponse[]> {
  return db
    .selectFrom('changelog')
    .select(['id', 'task_id', 'old_status', 'new_status', 'changed_by', 'notes', 'changed_at'])
    .orderBy('changed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}
