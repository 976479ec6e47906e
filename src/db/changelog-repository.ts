import type { ChangelogResponse } from '../contract/index.js'
import type { Db } from './database.js'

export async function listChangelog(
  db: Db,
  limit: number,
  taskId?: number,
): Promise<ChangelogResponse[]> {
  let query = db
    .selectFrom('changelog')
    .select(['id', 'task_id', 'old_status', 'new_status', 'changed_by', 'notes', 'changed_at'])
  if (taskId !== undefined) query = query.where('task_id', '=', taskId)
  return query.orderBy('changed_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
}
