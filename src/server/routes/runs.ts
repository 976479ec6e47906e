import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

import { CreateRunRequest, RunResponse, TaskIdParams } from '../../contract/index.js'
import { createRun, getTaskOrThrow, listRuns } from '../../db/index.js'
import type { ServerDeps } from '../deps.js'

/** Runner attempts at a task: model, session, outcome, cost, tokens, timings. */
export function runRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/tasks/:task_id/runs',
      { schema: { tags: ['runs'], params: TaskIdParams, response: { 200: z.array(RunResponse) } } },
      async (request) => {
        await getTaskOrThrow(deps.db, request.params.task_id)
        return listRuns(deps.db, request.params.task_id)
      },
    )

    app.post(
      '/tasks/:task_id/runs',
      { schema: { tags: ['runs'], params: TaskIdParams, body: CreateRunRequest, response: { 200: RunResponse } } },
      async (request) => {
        await getTaskOrThrow(deps.db, request.params.task_id)
        const { now } = deps.leaseNow()
        return deps.mutate((trx) => createRun(trx, request.params.task_id, request.body, now))
      },
    )
  }
}
