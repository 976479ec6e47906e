import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'

import { StatsResponse } from '../../contract/index.js'
import { computeStats } from '../../db/index.js'
import type { ServerDeps } from '../deps.js'

/** `GET /stats`: the dashboard overview's numbers (throughput, cost by day, epic, agent, model). */
export function statsRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/stats', { schema: { tags: ['changes'], response: { 200: StatsResponse } } }, () =>
      computeStats(deps.db),
    )
  }
}
