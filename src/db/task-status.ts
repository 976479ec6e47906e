import type { TaskStatus } from '../contract/index.js'
import { AppError, assertTransition, isWorkingStatus } from '../domain/index.js'
import type { AgentRow, Db } from './database.js'
import { recordEvent } from './events-repository.js'
import { appendTaskNote, getTaskOrThrow, taskEventData } from './tasks-repository.js'
import type { TaskWithEpic } from './tasks-repository.js'

export interface StatusChange {
  task: TaskWithEpic
  previous: TaskStatus
}

/**
 * Moves a task along the enforced flow. Notes become a status note in the thread (never erasing
 * comments); leaving `under_work` releases the lock. Compare-and-set on the observed state.
 */
export async function updateTaskStatus(
  db: Db,
  taskId: number,
  target: TaskStatus,
  actor: AgentRow,
  notes: string | null | undefined,
  now: string,
): Promise<StatusChange> {
  const task = await getTaskOrThrow(db, taskId)
  assertTransition(
    { id: task.id, status: task.status, claimedFrom: task.claimed_from, targetRole: task.target_role, lockedBy: task.locked_by },
    target,
    { agentId: actor.agent_id, role: actor.role },
  )
  const releases = isWorkingStatus(task.status) && !isWorkingStatus(target)
  let update = db
    .updateTable('tasks')
    .set(
      releases
        ? { status: target, updated_at: now, locked_by: null, locked_at: null, lease_expires_at: null, claimed_from: null }
        : { status: target, updated_at: now },
    )
    .where('id', '=', taskId)
    .where('status', '=', task.status)
  update = task.locked_by === null ? update.where('locked_by', 'is', null) : update.where('locked_by', '=', task.locked_by)
  const result = await update.executeTakeFirst()
  if (Number(result.numUpdatedRows) === 0) {
    throw new AppError('conflict', `task ${taskId} changed while it was being updated; fetch it and try again`)
  }
  const text = notes?.trim() ? notes : null
  if (text) await appendTaskNote(db, taskId, { authorId: actor.agent_id, kind: 'status_note', body: text }, now)
  await db
    .insertInto('changelog')
    .values({ task_id: taskId, old_status: task.status, new_status: target, changed_by: actor.agent_id, notes: text, changed_at: now })
    .execute()
  const updated = await getTaskOrThrow(db, taskId)
  await recordEvent(
    db,
    'task_updated',
    taskEventData(updated, { old_status: task.status, new_status: target, changed_by: actor.agent_id, notes: text }),
    now,
  )
  return { task: updated, previous: task.status }
}
