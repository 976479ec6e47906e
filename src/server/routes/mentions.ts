import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

import {
  AgentIdQuery,
  ListMentionsQuery,
  MentionIdParams,
  MentionResponse,
  MentionsByRoleQuery,
} from '../../contract/index.js'
import {
  getAgentOrThrow,
  listAgentIdsByRole,
  listMentions,
  markMentionRead,
} from '../../db/index.js'
import type { ServerDeps } from '../deps.js'

export function mentionRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/mentions',
      {
        schema: {
          tags: ['mentions'],
          querystring: ListMentionsQuery,
          response: { 200: z.array(MentionResponse) },
        },
      },
      async (request) => {
        const { agent_id, unread_only, limit } = request.query
        const reader = await getAgentOrThrow(deps.db, agent_id)
        return listMentions(deps.db, {
          agentIds: [reader.agent_id],
          unreadOnly: unread_only,
          limit,
        })
      },
    )

    app.get(
      '/mentions/by-role',
      {
        schema: {
          tags: ['mentions'],
          querystring: MentionsByRoleQuery,
          response: { 200: z.array(MentionResponse) },
        },
      },
      async (request) => {
        const { role, unread_only, limit } = request.query
        const agentIds = role ? await listAgentIdsByRole(deps.db, role) : undefined
        return listMentions(deps.db, { agentIds, unreadOnly: unread_only, limit })
      },
    )

    app.put(
      '/mentions/:mention_id/read',
      {
        schema: {
          tags: ['mentions'],
          params: MentionIdParams,
          querystring: AgentIdQuery,
          response: { 200: MentionResponse },
        },
      },
      async (request) => {
        const { now } = deps.leaseNow()
        return deps.mutate((trx) =>
          markMentionRead(trx, request.params.mention_id, request.query.agent_id, now),
        )
      },
    )
  }
}
