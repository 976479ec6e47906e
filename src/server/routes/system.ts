import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'

import {
  ContextResponse,
  HealthResponse,
  RootResponse,
  StatusResponse,
} from '../../contract/index.js'
import {
  countAgents,
  countDocuments,
  countServices,
  countTasksByStatus,
  databaseHealth,
  listAttention,
  nowIso,
} from '../../db/index.js'
import type { ServerDeps } from '../deps.js'
import { isDashboardInstalled, wantsDashboard } from './dashboard.js'

/** Public routes: `/`, `/health`, `/status` and `/api/v1/context`. */
export function systemRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/', { schema: { hide: true } }, async (request, reply) => {
      if (wantsDashboard(request.headers.accept)) {
        return reply.header('cache-control', 'no-cache').sendFile('index.html')
      }
      return RootResponse.parse({ message: 'Headless PM API', docs: '/api/v1/docs', health: 'ok' })
    })

    app.get(
      '/health',
      { schema: { tags: ['system'], response: { 200: HealthResponse } } },
      async () => {
        const database = await databaseHealth(deps.db)
        return {
          status: database === 'healthy' ? ('healthy' as const) : ('degraded' as const),
          service: 'headless-pm-api',
          version: deps.version,
          database,
          // v1's field: whether `hpm serve` has a built dashboard to serve at `/`.
          dashboard: isDashboardInstalled() ? 'installed' : 'not_installed',
          timestamp: nowIso(deps.clock.now()),
        }
      },
    )

    app.get(
      '/status',
      { schema: { tags: ['system'], response: { 200: StatusResponse } } },
      async () => {
        const activeSince = nowIso(deps.clock.now() - deps.config.agentActiveSeconds * 1000)
        const [agents, byStatus, documents, services, attention] = await Promise.all([
          countAgents(deps.db, activeSince),
          countTasksByStatus(deps.db),
          countDocuments(deps.db),
          countServices(deps.db),
          listAttention(deps.db, {
            qaLevelStrict: deps.config.qaLevelStrict,
            maxFailures: deps.config.taskMaxFailures,
            activeSince,
          }),
        ])
        return {
          service: 'headless-pm-api',
          version: deps.version,
          metrics: {
            total_agents: agents.total,
            active_agents: agents.active,
            total_tasks: Object.values(byStatus).reduce((a, b) => a + b, 0),
            total_documents: documents,
            total_services: services,
            tasks_by_status: byStatus,
          },
          attention,
          timestamp: nowIso(deps.clock.now()),
        }
      },
    )

    app.get(
      '/api/v1/context',
      { schema: { tags: ['system'], response: { 200: ContextResponse } } },
      () => ({
        project_name: deps.config.projectName,
        shared_path: deps.config.sharedPath,
        instructions_path: deps.config.instructionsPath,
        project_docs_path: deps.config.projectDocsPath,
        database_type: deps.dialect,
      }),
    )
  }
}
