import { sql } from 'kysely'
import type { SelectQueryBuilder } from 'kysely'

import type {
  CreateTaskRequest,
  ListTasksQuery,
  TaskComment,
  TaskResponse,
  TaskStatus,
  UpdateTaskRequest,
} from '../contract/index.js'
import { AppError } from '../domain/index.js'
import type { Database, Db, TaskCommentRow, TaskRow } from './database.js'
import { recordEvent } from './events-repository.js'

export type TaskWithEpic = TaskRow & { epic_id: number }

export function rowToTask(row: TaskWithEpic): TaskResponse {
  return {
    id: row.id,
    feature_id: row.feature_id,
    epic_id: row.epic_id,
    title: row.title,
    description: row.description,
    created_by: row.created_by,
    target_role: row.target_role,
    difficulty: row.difficulty,
    complexity: row.complexity,
    branch: row.branch,
    status: row.status,
    locked_by: row.locked_by,
    locked_at: row.locked_at,
    notes: row.notes,
    created_at: row.created_at,
    updated_at: row.updated_at,
    task_type: 'regular',
    poll_interval: null,
    priority: row.priority,
    lease_expires_at: row.lease_expires_at,
    claimed_from: row.claimed_from,
    attempts: row.attempts,
    failures: row.failures,
    work_branch: row.work_branch,
    work_commit: row.work_commit,
    budget_usd: row.budget_usd === null ? null : Number(row.budget_usd),
  }
}

export function rowToComment(row: TaskCommentRow): TaskComment {
  return {
    id: row.id,
    task_id: row.task_id,
    author_id: row.author_id,
    kind: row.kind,
    body: row.body,
    created_at: row.created_at,
  }
}

/** Tasks joined to their feature for `epic_id`. */
export function selectTasks(
  db: Db,
): SelectQueryBuilder<Database, 'tasks' | 'features', TaskWithEpic> {
  return db
    .selectFrom('tasks')
    .innerJoin('features', 'features.id', 'tasks.feature_id')
    .selectAll('tasks')
    .select('features.epic_id')
}

export async function findTask(db: Db, taskId: number): Promise<TaskWithEpic | undefined> {
  return selectTasks(db).where('tasks.id', '=', taskId).executeTakeFirst()
}

export async function getTaskOrThrow(db: Db, taskId: number): Promise<TaskWithEpic> {
  const task = await findTask(db, taskId)
  if (!task) {
    throw new AppError(
      'task_not_found',
      `Task with ID ${taskId} not found. Please verify the task ID exists.`,
    )
  }
  return task
}

/** Where a page of `GET /tasks` ends: the last task's place in the newest-first order. */
interface TaskCursor {
  createdAt: string
  id: number
}

function encodeCursor(task: TaskWithEpic): string {
  return Buffer.from(JSON.stringify([task.created_at, task.id])).toString('base64url')
}

function decodeCursor(cursor: string): TaskCursor {
  try {
    const [createdAt, id] = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    ) as unknown[]
    if (typeof createdAt === 'string' && Number.isInteger(id))
      return { createdAt, id: id as number }
  } catch {
    // Reported below.
  }
  throw new AppError(
    'validation_failed',
    'cursor: must be the x-next-cursor value of the previous page',
  )
}

/**
 * Tasks newest first, filtered in SQL. With `limit`, one page and the cursor of the next (none
 * after the last page); without it, every task (v1's answer).
 */
export async function listTasks(
  db: Db,
  query: ListTasksQuery,
): Promise<{ tasks: TaskWithEpic[]; nextCursor: string | undefined }> {
  let q = selectTasks(db)
  if (query.status) q = q.where('tasks.status', '=', query.status)
  if (query.role) q = q.where('tasks.target_role', '=', query.role)
  if (query.feature_id) q = q.where('tasks.feature_id', '=', query.feature_id)
  if (query.epic_id) q = q.where('features.epic_id', '=', query.epic_id)
  if (query.locked_by) q = q.where('tasks.locked_by', '=', query.locked_by)
  if (query.work_branch) q = q.where('tasks.work_branch', '=', query.work_branch)
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor)
    q = q.where((eb) =>
      eb.or([
        eb('tasks.created_at', '<', after.createdAt),
        eb.and([eb('tasks.created_at', '=', after.createdAt), eb('tasks.id', '<', after.id)]),
      ]),
    )
  }
  q = q.orderBy('tasks.created_at', 'desc').orderBy('tasks.id', 'desc')
  if (query.limit === undefined) return { tasks: await q.execute(), nextCursor: undefined }
  // One more than asked tells whether another page follows.
  const rows = await q.limit(query.limit + 1).execute()
  const tasks = rows.slice(0, query.limit)
  return { tasks, nextCursor: rows.length > query.limit ? encodeCursor(tasks.at(-1)!) : undefined }
}

export async function listComments(db: Db, taskId: number): Promise<TaskComment[]> {
  const rows = await db
    .selectFrom('task_comments')
    .selectAll()
    .where('task_id', '=', taskId)
    .orderBy('id', 'asc')
    .execute()
  return rows.map(rowToComment)
}

export interface CreateTaskInput {
  request: CreateTaskRequest & {
    complexity: NonNullable<CreateTaskRequest['complexity']>
    priority: number
  }
  createdBy: string
  status: TaskStatus
  now: string
}

export async function insertTask(
  db: Db,
  { request, createdBy, status, now }: CreateTaskInput,
): Promise<TaskWithEpic> {
  const inserted = await db
    .insertInto('tasks')
    .values({
      feature_id: request.feature_id,
      title: request.title,
      description: request.description,
      created_by: createdBy,
      target_role: request.target_role,
      difficulty: request.difficulty,
      complexity: request.complexity,
      branch: request.branch,
      priority: request.priority,
      budget_usd: request.budget_usd ?? null,
      status,
      attempts: 0,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const task = await getTaskOrThrow(db, inserted.id)
  await recordTaskChange(db, {
    type: 'task_created',
    task,
    from: status,
    by: createdBy,
    notes: `Task created (${status})`,
    now,
  })
  return task
}

/** The v1 `task_updated` payload, plus the fields a dashboard needs to place the card. */
/** A task's change as both the changelog and the live feed tell it. */
export interface TaskChange {
  type: 'task_created' | 'task_updated' | 'task_locked' | 'task_unlocked'
  /** The task after the change. */
  task: TaskWithEpic
  from: TaskStatus
  by: string
  notes: string | null
  /** More for the event only: the previous holder, the work fields set. */
  extra?: Record<string, unknown>
  now: string
}

/** Records a change of a task in one place: its changelog row, then its event. */
export async function recordTaskChange(db: Db, change: TaskChange): Promise<void> {
  const { task, from, by, notes, now } = change
  await db
    .insertInto('changelog')
    .values({
      task_id: task.id,
      old_status: from,
      new_status: task.status,
      changed_by: by,
      notes,
      changed_at: now,
    })
    .execute()
  await recordEvent(
    db,
    change.type,
    taskEventData(task, {
      old_status: from,
      new_status: task.status,
      changed_by: by,
      notes,
      ...change.extra,
    }),
    now,
  )
}

export function taskEventData(
  task: TaskWithEpic,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    task_id: task.id,
    title: task.title,
    status: task.status,
    target_role: task.target_role,
    locked_by: task.locked_by,
    ...extra,
  }
}

/**
 * Sets the given fields. With `lockedBy`, only while the lock is still as the caller saw it (the
 * work fields are the holder's to set): otherwise a `conflict` and nothing changes.
 */
export async function updateTaskFields(
  db: Db,
  taskId: number,
  changes: UpdateTaskRequest,
  actor: string,
  now: string,
  guard?: { lockedBy: string | null },
): Promise<TaskWithEpic> {
  let update = db
    .updateTable('tasks')
    .set({ ...changes, updated_at: now })
    .where('id', '=', taskId)
  if (guard)
    update =
      guard.lockedBy === null
        ? update.where('locked_by', 'is', null)
        : update.where('locked_by', '=', guard.lockedBy)
  const result = await update.executeTakeFirst()
  if (guard && Number(result.numUpdatedRows) === 0) {
    throw new AppError(
      'conflict',
      `task ${taskId} changed while it was being edited; fetch it and try again`,
    )
  }
  const task = await getTaskOrThrow(db, taskId)
  await recordEvent(
    db,
    'task_edited',
    taskEventData(task, { changed_by: actor, fields: Object.keys(changes) }),
    now,
  )
  return task
}

export async function deleteTask(
  db: Db,
  task: TaskWithEpic,
  actor: string,
  now: string,
): Promise<void> {
  await db.deleteFrom('tasks').where('id', '=', task.id).execute()
  await recordEvent(
    db,
    'task_deleted',
    { task_id: task.id, title: task.title, deleted_by: actor },
    now,
  )
}

/** Adds a comment or status note, keeping the v1 `notes` field as the whole thread. */
export async function appendTaskNote(
  db: Db,
  taskId: number,
  entry: { authorId: string; kind: 'comment' | 'status_note'; body: string },
  now: string,
): Promise<void> {
  await db
    .insertInto('task_comments')
    .values({
      task_id: taskId,
      author_id: entry.authorId,
      kind: entry.kind,
      body: entry.body,
      created_at: now,
    })
    .execute()
  // Status notes read as they were written (v1 stored them verbatim); comments carry their author.
  const text = entry.kind === 'comment' ? `${entry.authorId}: ${entry.body}` : entry.body
  // One statement, so concurrent comments cannot overwrite each other.
  await db
    .updateTable('tasks')
    .set({
      notes: sql<string>`CASE WHEN notes IS NULL OR notes = '' THEN CAST(${text} AS text) ELSE notes || CAST(${`\n\n${text}`} AS text) END`,
      updated_at: now,
    })
    .where('id', '=', taskId)
    .execute()
}

export async function countTasksByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('tasks')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
}
