import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

import {
  AgentResponse,
  DeleteAgentQuery,
  HeartbeatRequest,
  HeartbeatResponse,
  MessageResponse,
  RegisterAgentQuery,
  RegisterAgentRequest,
  RegisterAgentResponse,
  RevokeTokensQuery,
  RevokeTokensResponse,
} from '../../contract/index.js'
import {
  deleteAgent,
  findAgent,
  findHeldTask,
  getAgentOrThrow,
  issueAgentToken,
  listAgents,
  listHeldTasks,
  listMentions,
  requireRole,
  revokeAgentTokens,
  rowToAgent,
  rowToTask,
  setActivity,
  upsertAgent,
} from '../../db/index.js'
import { AppError } from '../../domain/index.js'
import type { ServerDeps } from '../deps.js'
import { peekTaskFor } from '../wait-attempts.js'

const AgentParams = z.object({ agent_id: z.string().min(1).max(100) })

export function agentRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/register',
      {
        schema: {
          tags: ['agents'],
          querystring: RegisterAgentQuery,
          body: RegisterAgentRequest,
          response: { 200: RegisterAgentResponse },
        },
      },
      async (request) => {
        const terms = deps.leaseNow()
        const requester = request.query.requester_agent_id
        // Only a pm may change an existing agent's role or level; naming any other requester is refused outright.
        if (requester !== undefined) await requireRole(deps.db, requester, ['pm'])
        const caller = request.caller
        // An agent re-registering with its own token has one; anyone else is handed a new one.
        const isSelf = caller?.kind === 'agent' && caller.agentId === request.body.agent_id
        const { agent, token } = await deps.mutate(async (trx) => {
          const row = await upsertAgent(trx, request.body, terms.now, requester !== undefined)
          return {
            agent: row,
            token: isSelf
              ? undefined
              : await issueAgentToken(trx, row.agent_id, requester ?? null, terms.now),
          }
        })
        // A pm may have changed its role: the cached one must not outlive the change.
        deps.tokens.forget(agent.agent_id)
        await deps.activity.touch(agent.agent_id, true)
        const held = await findHeldTask(deps.db, agent.agent_id)
        const next =
          held ??
          (await peekTaskFor(
            deps.db,
            { kind: 'next', agentId: agent.agent_id, role: agent.role, level: agent.level },
            [],
            terms,
            deps.nextOffers,
            { suggest: true },
          ))
        const mentions = await listMentions(deps.db, {
          agentIds: [agent.agent_id],
          unreadOnly: true,
          limit: 10,
        })
        return {
          agent: rowToAgent(agent),
          next_task: next ? rowToTask(next) : null,
          mentions,
          ...(token ? { token } : {}),
        }
      },
    )

    app.get(
      '/agents',
      { schema: { tags: ['agents'], response: { 200: z.array(AgentResponse) } } },
      async () => (await listAgents(deps.db)).map(rowToAgent),
    )

    app.delete(
      '/agents/:agent_id',
      {
        schema: {
          tags: ['agents'],
          params: AgentParams,
          querystring: DeleteAgentQuery,
          response: { 200: MessageResponse },
        },
      },
      async (request) => {
        const requester = request.query.requester_agent_id
        const target = request.params.agent_id
        await requireRole(deps.db, requester, ['pm'])
        if (target === requester)
          throw new AppError('self_delete', 'Cannot delete your own agent record')
        if (!(await findAgent(deps.db, target))) throw new AppError('not_found', 'Agent not found')
        const { now } = deps.leaseNow()
        await deps.mutate((trx) => deleteAgent(trx, target, requester, now))
        deps.waiters.dismiss(target)
        deps.tokens.forget(target)
        return { message: `Agent ${target} deleted successfully` }
      },
    )

    app.delete(
      '/agents/:agent_id/tokens',
      {
        schema: {
          tags: ['agents'],
          params: AgentParams,
          querystring: RevokeTokensQuery,
          response: { 200: RevokeTokensResponse },
        },
      },
      async (request) => {
        const target = request.params.agent_id
        const requester = request.query.requester_agent_id
        // A person (project key) may revoke any agent's tokens; an agent its own; a pm anyone's.
        if (requester !== undefined && requester !== target)
          await requireRole(deps.db, requester, ['pm'])
        await getAgentOrThrow(deps.db, target)
        const revoked = await deps.mutate((trx) => revokeAgentTokens(trx, target))
        deps.tokens.forget(target)
        return { agent_id: target, revoked }
      },
    )

    app.post(
      '/agents/:agent_id/heartbeat',
      {
        schema: {
          tags: ['agents'],
          params: AgentParams,
          body: HeartbeatRequest,
          response: { 200: HeartbeatResponse },
        },
      },
      async (request) => {
        await getAgentOrThrow(deps.db, request.params.agent_id)
        await deps.activity.touch(request.params.agent_id, true)
        const activity = request.body.activity
        if (activity !== undefined) {
          await deps.mutate((trx) =>
            setActivity(trx, request.params.agent_id, activity, deps.leaseNow().now),
          )
        }
        const agent = await getAgentOrThrow(deps.db, request.params.agent_id)
        const tasks = await listHeldTasks(deps.db, agent.agent_id)
        return {
          agent: rowToAgent(agent),
          tasks: tasks.map((t) => ({
            id: t.id,
            status: t.status,
            lease_expires_at: t.lease_expires_at,
          })),
        }
      },
    )
  }
}
