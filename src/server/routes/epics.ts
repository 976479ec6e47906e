import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

import {
  AgentIdQuery,
  CreateEpicRequest,
  CreateFeatureRequest,
  EpicResponse,
  FeatureResponse,
  Id,
  MessageResponse,
} from '../../contract/index.js'
import {
  createEpic,
  createFeature,
  deleteEpic,
  deleteFeature,
  listEpics,
  listFeatures,
  requireRole,
} from '../../db/index.js'
import { PLANNER_ROLES } from '../../domain/index.js'
import type { ServerDeps } from '../deps.js'

export function epicRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/epics',
      {
        schema: {
          tags: ['epics'],
          querystring: AgentIdQuery,
          body: CreateEpicRequest,
          response: { 200: EpicResponse },
        },
      },
      async (request) => {
        await requireRole(deps.db, request.query.agent_id, PLANNER_ROLES)
        const { now } = deps.leaseNow()
        return deps.mutate((trx) => createEpic(trx, request.body, request.query.agent_id, now))
      },
    )

    app.get(
      '/epics',
      { schema: { tags: ['epics'], response: { 200: z.array(EpicResponse) } } },
      () => listEpics(deps.db),
    )

    app.delete(
      '/epics/:epic_id',
      {
        schema: {
          tags: ['epics'],
          params: z.object({ epic_id: Id }),
          querystring: AgentIdQuery,
          response: { 200: MessageResponse },
        },
      },
      async (request) => {
        await requireRole(deps.db, request.query.agent_id, ['pm'])
        const { now } = deps.leaseNow()
        await deps.mutate((trx) =>
          deleteEpic(trx, request.params.epic_id, request.query.agent_id, now),
        )
        return { message: `Epic ${request.params.epic_id} deleted successfully` }
      },
    )

    app.post(
      '/features',
      {
        schema: {
          tags: ['features'],
          querystring: AgentIdQuery,
          body: CreateFeatureRequest,
          response: { 200: FeatureResponse },
        },
      },
      async (request) => {
        await requireRole(deps.db, request.query.agent_id, PLANNER_ROLES)
        const { now } = deps.leaseNow()
        return deps.mutate((trx) => createFeature(trx, request.body, request.query.agent_id, now))
      },
    )

    app.get(
      '/features',
      { schema: { tags: ['features'], response: { 200: z.array(FeatureResponse) } } },
      () => listFeatures(deps.db),
    )

    app.get(
      '/features/:epic_id',
      {
        schema: {
          tags: ['features'],
          params: z.object({ epic_id: Id }),
          response: { 200: z.array(FeatureResponse) },
        },
      },
      (request) => listFeatures(deps.db, request.params.epic_id),
    )

    app.delete(
      '/features/:feature_id',
      {
        schema: {
          tags: ['features'],
          params: z.object({ feature_id: Id }),
          querystring: AgentIdQuery,
          response: { 200: MessageResponse },
        },
      },
      async (request) => {
        await requireRole(deps.db, request.query.agent_id, ['pm'])
        const { now } = deps.leaseNow()
        await deps.mutate((trx) =>
          deleteFeature(trx, request.params.feature_id, request.query.agent_id, now),
        )
        return { message: `Feature ${request.params.feature_id} deleted successfully` }
      },
    )
  }
}
