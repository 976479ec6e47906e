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
  appendTaskNote,
  createMentions,
  deleteTask,
  findAgent,
  findFeature,
  findHeldTask,
  findNextTask,
  findTask,
  getAgentOrThrow,
  getTaskOrThrow,
  insertTask,
  listComments,
  listTasks,
  recordEvent,
  requireRole,
  resolveMentionTargets,
  rowToTask,
  updateTaskFields,
  updateTaskStatus,
} from '../../db/index.js'
import { AppError, PLANNER_ROLES } from '../../domain/index.js'
import type { ServerDeps } from '../deps.js'

export function taskRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/tasks/create',
      { schema: { tags: ['tasks'], querystring: AgentIdQuery, body: CreateTaskRequest, response: { 200: TaskResponse } } },
      async (request) => {
        const creator = await findAgent(deps.db, request.query.agent_id)
        if (!creator) throw new AppError('agent_not_found', 'Creator agent not found')
        if (!(await findFeature(deps.db, request.body.feature_id))) throw new AppError('not_found', 'Feature not found')
        // Planners' tasks are approved as they are written; others wait in `pending` for a planner.
        const status: TaskStatus =
          PLANNER_ROLES.includes(creator.role) || !deps.config.requireApproval ? 'created' : 'pending'
        const { now } = deps.leaseNow()
        const task = await deps.mutate((trx) => insertTask(trx, { request: request.body, createdBy: creator.agent_id, status, now }))
        return rowToTask(task)
      },
    )

    app.get(
      '/tasks',
      { schema: { tags: ['tasks'], querystring: ListTasksQuery, response: { 200: z.array(TaskResponse) } } },
      async (request) => (await listTasks(deps.db, request.query)).map(rowToTask),
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
      { schema: { tags: ['tasks'], params: TaskIdParams, querystring: AgentIdQuery, body: UpdateTaskRequest, response: { 200: TaskResponse } } },
      async (request) => {
        const actor = await getAgentOrThrow(deps.db, request.query.agent_id)
        const task = await getTaskOrThrow(deps.db, request.params.task_id)
        if (!PLANNER_ROLES.includes(actor.role) && task.created_by !== actor.agent_id) {
          throw new AppError('forbidden', `only pm or architect agents, or the task's creator (${task.created_by}), may edit task ${task.id}`)
        }
        if (Object.keys(request.body).length === 0) throw new AppError('bad_request', 'nothing to update: give at least one field')
        if (request.body.feature_id !== undefined && !(await findFeature(deps.db, request.body.feature_id))) {
          throw new AppError('not_found', 'Feature not found')
        }
        const { now } = deps.leaseNow()
        return rowToTask(await deps.mutate((trx) => updateTaskFields(trx, task.id, request.body, actor.agent_id, now)))
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
        const { now } = deps.leaseNow()
        const { task } = await deps.mutate((trx) =>
          updateTaskStatus(trx, request.params.task_id, request.body.status, actor, request.body.notes, now),
        )
        // An agent still holding a task is not offered another: one task at a time.
        const next = (await findHeldTask(deps.db, actor.agent_id)) ? undefined : await findNextTask(deps.db, { role: actor.role, level: actor.level })
        return {
          task: rowToTask(task),
          next_task: next ? rowToTask(next) : null,
          workflow_status: next ? ('continue' as const) : ('no_tasks' as const),
          task_completed: task.id,
          auto_continue: next !== undefined,
          continuation_prompt: next ? 'Continue with the next task without waiting for confirmation' : 'No more tasks available',
          session_momentum: next ? ('high' as const) : ('low' as const),
        }
      },
    )

    app.post(
      '/tasks/:task_id/comment',
      { schema: { tags: ['tasks'], params: TaskIdParams, querystring: AgentIdQuery, body: CommentRequest, response: { 200: MessageResponse } } },
      async (request) => {
        const task = await getTaskOrThrow(deps.db, request.params.task_id)
        const author = await getAgentOrThrow(deps.db, request.query.agent_id)
        const { now } = deps.leaseNow()
        await deps.mutate(async (trx) => {
          await appendTaskNote(trx, task.id, { authorId: author.agent_id, kind: 'comment', body: request.body.comment }, now)
          const targets = await resolveMentionTargets(trx, request.body.comment, author.agent_id)
          await createMentions(trx, { taskId: task.id }, targets, author.agent_id, now)
          await recordEvent(trx, 'task_commented', { task_id: task.id, title: task.title, author_id: author.agent_id, mentions: targets }, now)
        })
        return { message: 'Comment added successfully' }
      },
    )

    app.delete(
      '/tasks/:task_id',
      { schema: { tags: ['tasks'], params: TaskIdParams, querystring: AgentIdQuery, response: { 200: MessageResponse } } },
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
