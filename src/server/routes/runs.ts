import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

import {
  CreateRunRequest,
  CreateRunResponse,
  Id,
  RecentRunsQuery,
  RunResponse,
  RunSummary,
  TaskIdParams,
  TranscriptResponse,
} from '../../contract/index.js'
import {
  chargeRunToBudget,
  createRun,
  findRunByKey,
  getAgentOrThrow,
  getTaskOrThrow,
  getTranscript,
  listRecentRuns,
  listRuns,
  summariseRuns,
} from '../../db/index.js'
import { failureBudget } from '../../domain/index.js'
import type { ServerDeps } from '../deps.js'

/** Runner attempts at a task: model, session, Claude's outcome, the runner's verdict, cost, tokens, timings. */
export function runRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/runs',
      {
        schema: {
          tags: ['runs'],
          querystring: RecentRunsQuery,
          response: { 200: z.array(RunResponse) },
        },
      },
      (request) => listRecentRuns(deps.db, request.query.agent_id, request.query.limit),
    )

    app.get(
      '/runs/summary',
      { schema: { tags: ['runs'], response: { 200: z.array(RunSummary) } } },
      () => summariseRuns(deps.db),
    )

    app.get(
      '/tasks/:task_id/runs',
      { schema: { tags: ['runs'], params: TaskIdParams, response: { 200: z.array(RunResponse) } } },
      async (request) => {
        await getTaskOrThrow(deps.db, request.params.task_id)
        return listRuns(deps.db, request.params.task_id)
      },
    )

    app.get(
      '/tasks/:task_id/runs/:run_id/transcript',
      {
        schema: {
          tags: ['runs'],
          params: TaskIdParams.extend({ run_id: Id }),
          response: { 200: TranscriptResponse },
        },
      },
      async (request) => {
        await getTaskOrThrow(deps.db, request.params.task_id)
        return getTranscript(deps.db, request.params.task_id, request.params.run_id)
      },
    )

    app.post(
      '/tasks/:task_id/runs',
      {
        schema: {
          tags: ['runs'],
          params: TaskIdParams,
          body: CreateRunRequest,
          response: { 200: CreateRunResponse },
        },
      },
      async (request) => {
        await getTaskOrThrow(deps.db, request.params.task_id)
        // Only a registered agent's attempts are recorded (and charged to the task's budget).
        await getAgentOrThrow(deps.db, request.body.agent_id)
        const { now } = deps.leaseNow()
        // A failed verdict counts against the task's budget in the run's own transaction.
        return deps.mutate(async (trx) => {
          // Sent again (a retried request, a restarted runner): the stored run, charged once.
          const key = request.body.run_key
          const stored = key ? await findRunByKey(trx, request.params.task_id, key) : undefined
          if (stored) {
            const task = await getTaskOrThrow(trx, request.params.task_id)
            return {
              ...stored,
              failure_budget: failureBudget(task.failures, deps.config.taskMaxFailures),
            }
          }
          const run = await createRun(trx, request.params.task_id, request.body, now)
          return {
            ...run,
            failure_budget: await chargeRunToBudget(trx, run, deps.config.taskMaxFailures, now),
          }
        })
      },
    )
  }
}
