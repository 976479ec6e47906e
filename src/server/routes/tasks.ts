import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

import {
  AgentIdQuery,
  CommentRequest,
  CreateTaskRequest,
  ListTasksQuery,
  MessageResponse,
  StatusUpdateRequest,
  TaskDetailResponse,
  TaskIdParams,
  TaskResponse,
  TaskStatusUpdateResponse,
  UpdateTaskRequest,
} from '../../contract/index.js'
import type { TaskStatus } from '../../contract/index.js'
import {
  addTaskComment,
  deleteTask,
  findAgent,
  findFeature,
  findHeldTask,
  findTask,
  getAgentOrThrow,
  getTaskOrThrow,
  insertTask,
  listComments,
  listTasks,
  requireRole,
  rowToTask,
  updateTaskFields,
  updateTaskStatus,
} from '../../db/index.js'
import { AppError, PLANNER_ROLES } from '../../domain/index.js'
import type { ServerDeps } from '../deps.js'
import { peekTaskFor } from '../wait-attempts.js'

/** Fields the lock holder reports about its git work, editable apart from the plan fields. */
const WORK_FIELDS: readonly string[] = ['work_branch', 'work_commit']

export function taskRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/tasks/create',
      {
        schema: {
          tags: ['tasks'],
          querystring: AgentIdQuery,
          body: CreateTaskRequest,
          response: { 200: TaskResponse },
        },
      },
      async (request) => {
        const creator = await findAgent(deps.db, request.query.agent_id)
        if (!creator) throw new AppError('agent_not_found', 'Creator agent not found')
        if (!(await findFeature(deps.db, request.body.feature_id)))
          throw new AppError('not_found', 'Feature not found')
        // Planners' tasks are approved as they are written; others wait in `pending` for a planner.
        const status: TaskStatus =
          PLANNER_ROLES.includes(creator.role) || !deps.config.requireApproval
            ? 'created'
            : 'pending'
        const { now } = deps.leaseNow()
        const task = await deps.mutate((trx) =>
          insertTask(trx, { request: request.body, createdBy: creator.agent_id, status, now }),
        )
        return rowToTask(task)
      },
    )

    app.get(
      '/tasks',
      {
        schema: {
          tags: ['tasks'],
          querystring: ListTasksQuery,
          response: { 200: z.array(TaskResponse) },
        },
      },
      async (request, reply) => {
        const { tasks, nextCursor } = await listTasks(deps.db, request.query)
        if (nextCursor !== undefined) reply.header('x-next-cursor', nextCursor)
        return tasks.map(rowToTask)
      },
    )

    app.get(
      '/tasks/:task_id',
      { schema: { tags: ['tasks'], params: TaskIdParams, response: { 200: TaskDetailResponse } } },
      async (request) => {
        const task = await getTaskOrThrow(deps.db, request.params.task_id)
        return { ...rowToTask(task), comments: await listComments(deps.db, task.id) }
      },
    )

    app.patch(
      '/tasks/:task_id',
      {
        schema: {
          tags: ['tasks'],
          params: TaskIdParams,
          querystring: AgentIdQuery,
          body: UpdateTaskRequest,
          response: { 200: TaskResponse },
        },
      },
      async (request) => {
        const actor = await getAgentOrThrow(deps.db, request.query.agent_id)
        const task = await getTaskOrThrow(deps.db, request.params.task_id)
        const fields = Object.keys(request.body)
        const touchesWork = fields.some((f) => WORK_FIELDS.includes(f))
        if (!touchesWork || fields.some((f) => !WORK_FIELDS.includes(f))) {
          if (!PLANNER_ROLES.includes(actor.role) && task.created_by !== actor.agent_id) {
            throw new AppError(
              'forbidden',
              `only pm or architect agents, or the task's creator (${task.created_by}), may edit task ${task.id}`,
            )
          }
        }
        if (touchesWork) {
          if (task.locked_by !== null && task.locked_by !== actor.agent_id && actor.role !== 'pm') {
            throw new AppError(
              'not_lock_holder',
              `task ${task.id} is locked by agent ${task.locked_by}; only the lock holder or a pm may set work_branch or work_commit`,
            )
          }
          if (task.locked_by === null && !PLANNER_ROLES.includes(actor.role)) {
            throw new AppError(
              'forbidden',
              `task ${task.id} is not locked; only pm or architect agents may set its work_branch or work_commit`,
            )
          }
        }
        if (fields.length === 0)
          throw new AppError('bad_request', 'nothing to update: give at least one field')
        if (
          request.body.feature_id !== undefined &&
          !(await findFeature(deps.db, request.body.feature_id))
        ) {
          throw new AppError('not_found', 'Feature not found')
        }
        const { now } = deps.leaseNow()
        // The work fields were authorised by who holds the lock, so they are stored only while it is unchanged.
        const guard = touchesWork ? { lockedBy: task.locked_by } : undefined
        return rowToTask(
          await deps.mutate((trx) =>
            updateTaskFields(trx, task.id, request.body, actor.agent_id, now, guard),
          ),
        )
      },
    )

    app.put(
      '/tasks/:task_id/status',
      {
        schema: {
          tags: ['tasks'],
          params: TaskIdParams,
          querystring: AgentIdQuery,
          body: StatusUpdateRequest,
          response: { 200: TaskStatusUpdateResponse },
        },
      },
      async (request) => {
        await getTaskOrThrow(deps.db, request.params.task_id)
        const actor = await getAgentOrThrow(deps.db, request.query.agent_id)
        const terms = deps.leaseNow()
        const { status, notes, work_branch, work_commit } = request.body
        const { task } = await deps.mutate((trx) =>
          updateTaskStatus(trx, request.params.task_id, status, actor, notes, terms.now, {
            work_branch,
            work_commit,
          }),
        )
        // An agent still holding a task is not offered another: one task at a time.
        const next = (await findHeldTask(deps.db, actor.agent_id))
          ? undefined
          : await peekTaskFor(
              deps.db,
              { kind: 'next', agentId: actor.agent_id, role: actor.role, level: actor.level },
              [],
              terms,
              deps.nextOffers,
              { suggest: true },
            )
        return {
          task: rowToTask(task),
          next_task: next ? rowToTask(next) : null,
          workflow_status: next ? ('continue' as const) : ('no_tasks' as const),
          task_completed: task.id,
          auto_continue: next !== undefined,
          continuation_prompt: next
            ? 'Continue with the next task without waiting for confirmation'
            : 'No more tasks available',
          session_momentum: next ? ('high' as const) : ('low' as const),
        }
      },
    )

    app.post(
      '/tasks/:task_id/comment',
      {
        schema: {
          tags: ['tasks'],
          params: TaskIdParams,
          querystring: AgentIdQuery,
          body: CommentRequest,
          response: { 200: MessageResponse },
        },
      },
      async (request) => {
        const task = await getTaskOrThrow(deps.db, request.params.task_id)
        const author = await getAgentOrThrow(deps.db, request.query.agent_id)
        const { now } = deps.leaseNow()
        await deps.mutate((trx) =>
          addTaskComment(trx, task, { authorId: author.agent_id, body: request.body.comment }, now),
        )
        return { message: 'Comment added successfully' }
      },
    )

    app.delete(
      '/tasks/:task_id',
      {
        schema: {
          tags: ['tasks'],
          params: TaskIdParams,
          querystring: AgentIdQuery,
          response: { 200: MessageResponse },
        },
      },
      async (request) => {
        await requireRole(deps.db, request.query.agent_id, ['pm'])
        const task = await findTask(deps.db, request.params.task_id)
        if (!task) throw new AppError('not_found', 'Task not found')
        const { now } = deps.leaseNow()
        await deps.mutate((trx) => deleteTask(trx, task, request.query.agent_id, now))
        return { message: `Task ${task.id} deleted successfully` }
      },
    )
  }
}
