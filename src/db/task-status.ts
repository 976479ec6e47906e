import type { TaskStatus } from '../contract/index.js'
import { AppError, assertTransition, isWorkingStatus } from '../domain/index.js'
import type { AgentRow, Db } from './database.js'
import { appendTaskNote, getTaskOrThrow, recordTaskChange } from './tasks-repository.js'
import type { TaskWithEpic } from './tasks-repository.js'

export interface StatusChange {
  task: TaskWithEpic
  previous: TaskStatus
}

/** The git facts a status update may carry; `null` clears one, absent keeps it. */
export interface WorkFields {
  work_branch?: string | null | undefined
  work_commit?: string | null | undefined
}

/**
 * Moves a task along the enforced flow. Notes become a status note in the thread (never erasing
 * comments); leaving `under_work` releases the lock; giving a task back to where it was claimed
 * from starts the holder's cooldown; a planner's approval (`pending → created`) gives it a fresh
 * failure budget. `work` is stored in the same statement. Compare-and-set on the observed state.
 */
export async function updateTaskStatus(
  db: Db,
  taskId: number,
  target: TaskStatus,
  actor: AgentRow,
  notes: string | null | undefined,
  now: string,
  work: WorkFields = {},
): Promise<StatusChange> {
  const task = await getTaskOrThrow(db, taskId)
  try {
    assertTransition(
      {
        id: task.id,
        status: task.status,
        claimedFrom: task.claimed_from,
        targetRole: task.target_role,
        complexity: task.complexity,
        lockedBy: task.locked_by,
      },
      target,
      { agentId: actor.agent_id, role: actor.role },
    )
  } catch (error) {
    throw tookBack(task, actor, target) ?? error
  }
  const releases = isWorkingStatus(task.status) && !isWorkingStatus(target)
  const givesBack =
    releases && task.locked_by !== null && target === (task.claimed_from ?? 'created')
  const workSet = Object.fromEntries(
    Object.entries(work).filter(([, value]) => value !== undefined),
  ) as WorkFields
  let update = db
    .updateTable('tasks')
    .set({
      status: target,
      updated_at: now,
      ...(releases
        ? { locked_by: null, locked_at: null, lease_expires_at: null, claimed_from: null }
        : {}),
      ...(givesBack ? { last_released_by: task.locked_by, last_released_at: now } : {}),
      ...(task.status === 'pending' && target === 'created' ? { failures: 0 } : {}),
      ...workSet,
    })
    .where('id', '=', taskId)
    .where('status', '=', task.status)
  update =
    task.locked_by === null
      ? update.where('locked_by', 'is', null)
      : update.where('locked_by', '=', task.locked_by)
  const result = await update.executeTakeFirst()
  if (Number(result.numUpdatedRows) === 0) {
    throw new AppError(
      'conflict',
      `task ${taskId} changed while it was being updated; fetch it and try again`,
    )
  }
  const text = notes?.trim() ? notes : null
  if (text)
    await appendTaskNote(
      db,
      taskId,
      { authorId: actor.agent_id, kind: 'status_note', body: text },
      now,
    )
  const updated = await getTaskOrThrow(db, taskId)
  await recordTaskChange(db, {
    type: 'task_updated',
    task: updated,
    from: task.status,
    by: actor.agent_id,
    notes: text,
    extra: { ...workSet },
    now,
  })
  return { task: updated, previous: task.status }
}

/**
 * A refused update from the agent whose claim was taken back (lease lapsed, unlocked): it gets told
 * that, with when and why, instead of a puzzling "illegal move" from a status it never saw.
 */
function tookBack(task: TaskWithEpic, actor: AgentRow, target: TaskStatus): AppError | undefined {
  if (task.taken_back_from !== actor.agent_id || task.locked_by === actor.agent_id) return undefined
  const now = task.locked_by
    ? `it is ${task.status} and held by ${task.locked_by}`
    : `it is ${task.status}`
  return new AppError(
    'lease_expired',
    `task ${task.id} was taken back from agent ${actor.agent_id} at ${task.taken_back_at} (${task.taken_back_reason}); ${now}, so ${target} was not applied. Claim it again (hpm tasks claim) to report your work, or ask a pm`,
    {
      details: {
        taken_back_at: task.taken_back_at,
        reason: task.taken_back_reason,
        status: task.status,
        locked_by: task.locked_by,
      },
    },
  )
}
