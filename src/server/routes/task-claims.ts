import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyReply } from 'fastify'

import {
  AgentIdQuery,
  ClaimTaskRequest,
  ClaimTaskResponse,
  NextTaskQuery,
  TaskIdParams,
  TaskResponse,
  UnlockRequest,
} from '../../contract/index.js'
import {
  findHeldTask,
  getAgentOrThrow,
  getTaskOrThrow,
  lockTask,
  releaseTask,
  rowToTask,
} from '../../db/index.js'
import { AppError } from '../../domain/index.js'
import type { ServerDeps } from '../deps.js'
import { claimTaskFor, peekTaskFor } from '../wait-attempts.js'

/** Aborts when the caller hangs up, so a long-poll waiter does not outlive its request. */
function hangUpSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController()
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort()
  })
  return controller.signal
}

export function taskClaimRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/tasks/next',
      {
        schema: {
          tags: ['tasks'],
          querystring: NextTaskQuery,
          response: { 200: TaskResponse.nullable() },
        },
      },
      async (request, reply) => {
        const { role, level, simulate, timeout, agent_id } = request.query
        if (!role) {
          throw new AppError(
            'missing_parameter',
            "Missing required parameter 'role'. Please provide a valid role (e.g., ?role=frontend_dev)",
          )
        }
        if (!level) {
          throw new AppError(
            'missing_parameter',
            "Missing required parameter 'level'. Please provide a valid level (e.g., ?level=senior)",
          )
        }
        if (agent_id) {
          // An agent that lost track of its task finds it again here instead of being offered another.
          const held = await findHeldTask(deps.db, agent_id)
          if (held) return rowToTask(held)
        }
        const waitMs = simulate ? 0 : (timeout ?? deps.config.defaultWaitSeconds) * 1000
        const task =
          waitMs <= 0
            ? await peekTaskFor(
                deps.db,
                { kind: 'next', role, level, agentId: agent_id },
                [],
                deps.leaseNow(),
                deps.nextOffers,
              )
            : await deps.waiters.wait(
                { kind: 'next', role, level, agentId: agent_id },
                waitMs,
                hangUpSignal(reply),
              )
        return task ? rowToTask(task) : null
      },
    )

    app.post(
      '/tasks/claim',
      { schema: { tags: ['tasks'], body: ClaimTaskRequest, response: { 200: ClaimTaskResponse } } },
      async (request, reply) => {
        const agent = await getAgentOrThrow(deps.db, request.body.agent_id)
        const waitMs = (request.body.timeout ?? deps.config.defaultWaitSeconds) * 1000
        const task =
          waitMs <= 0
            ? await claimTaskFor(deps.db, agent, deps.leaseNow)
            : await deps.waiters.wait({ kind: 'claim', agent }, waitMs, hangUpSignal(reply))
        if (task && waitMs <= 0) void deps.hub.poke()
        return task ? rowToTask(task) : null
      },
    )

    app.post(
      '/tasks/:task_id/lock',
      {
        schema: {
          tags: ['tasks'],
          params: TaskIdParams,
          querystring: AgentIdQuery,
          response: { 200: TaskResponse },
        },
      },
      async (request) => {
        await getTaskOrThrow(deps.db, request.params.task_id)
        const agent = await getAgentOrThrow(deps.db, request.query.agent_id)
        const task = await deps.mutate((trx) =>
          lockTask(trx, request.params.task_id, { agent, ...deps.leaseNow() }),
        )
        deps.nextOffers.forget(task.id)
        return rowToTask(task)
      },
    )

    // The body is optional: a POST without one reaches the validator as null, not undefined.
    app.post(
      '/tasks/:task_id/unlock',
      {
        schema: {
          tags: ['tasks'],
          params: TaskIdParams,
          querystring: AgentIdQuery,
          body: UnlockRequest.nullish(),
          response: { 200: TaskResponse },
        },
      },
      async (request) => {
        const task = await getTaskOrThrow(deps.db, request.params.task_id)
        const actor = await getAgentOrThrow(deps.db, request.query.agent_id)
        if (task.locked_by === null)
          throw new AppError('not_locked', `task ${task.id} is not locked`)
        if (task.locked_by !== actor.agent_id && actor.role !== 'pm') {
          throw new AppError(
            'not_lock_holder',
            `task ${task.id} is locked by agent ${task.locked_by}; only the lock holder or a pm may unlock it`,
          )
        }
        const notes = request.body?.notes?.trim()
        const reason = notes
          ? `unlocked by ${actor.agent_id}: ${notes}`
          : `unlocked by ${actor.agent_id}`
        const { now } = deps.leaseNow()
        // The holder (or, through a pm, the previous holder) starts a cooldown on this task.
        const released = await deps.mutate((trx) =>
          releaseTask(trx, task, actor.agent_id, reason, now, { isGiveBack: true }),
        )
        if (!released)
          throw new AppError(
            'conflict',
            `task ${task.id} changed while it was being unlocked; fetch it and try again`,
          )
        return rowToTask(released)
      },
    )
  }
}
