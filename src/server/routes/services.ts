import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

import {
  AgentIdQuery,
  MessageResponse,
  RegisterServiceRequest,
  ServiceNameParams,
  ServiceResponse,
} from '../../contract/index.js'
import {
  findAgent,
  heartbeatService,
  listServices,
  registerService,
  unregisterService,
} from '../../db/index.js'
import type { Db } from '../../db/index.js'
import { AppError } from '../../domain/index.js'
import type { ServerDeps } from '../deps.js'
import { pingUrlProblem } from '../ping-policy.js'

/** Whether `agentId` is a registered pm: a pm may take over or remove a service it does not own. */
async function isPm(db: Db, agentId: string): Promise<boolean> {
  return (await findAgent(db, agentId))?.role === 'pm'
}

export function serviceRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/services/register',
      {
        schema: {
          tags: ['services'],
          querystring: AgentIdQuery,
          body: RegisterServiceRequest,
          response: { 200: ServiceResponse },
        },
      },
      async (request) => {
        const problem = pingUrlProblem(new URL(request.body.ping_url), deps.config.pingAllow)
        if (problem !== undefined)
          throw new AppError('validation_failed', `body.ping_url: ${problem}`)
        const { now } = deps.leaseNow()
        const { agent_id: agentId } = request.query
        return deps.mutate(async (trx) =>
          registerService(trx, request.body, agentId, now, await isPm(trx, agentId)),
        )
      },
    )

    app.get(
      '/services',
      { schema: { tags: ['services'], response: { 200: z.array(ServiceResponse) } } },
      () => listServices(deps.db),
    )

    app.post(
      '/services/:service_name/heartbeat',
      {
        schema: {
          tags: ['services'],
          params: ServiceNameParams,
          querystring: AgentIdQuery,
          response: { 200: ServiceResponse },
        },
      },
      async (request) => {
        const { now } = deps.leaseNow()
        return deps.mutate((trx) =>
          heartbeatService(trx, request.params.service_name, request.query.agent_id, now),
        )
      },
    )

    app.delete(
      '/services/:service_name',
      {
        schema: {
          tags: ['services'],
          params: ServiceNameParams,
          querystring: AgentIdQuery,
          response: { 200: MessageResponse },
        },
      },
      async (request) => {
        const { now } = deps.leaseNow()
        const { agent_id: agentId } = request.query
        await deps.mutate(async (trx) =>
          unregisterService(
            trx,
            request.params.service_name,
            agentId,
            now,
            await isPm(trx, agentId),
          ),
        )
        return { message: `Service ${request.params.service_name} unregistered successfully` }
      },
    )
  }
}
