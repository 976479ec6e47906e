import type { FastifyRequest } from 'fastify'

import { ERROR_STATUS } from '../contract/index.js'
import type { AgentActivity } from './agent-activity.js'
import type { AnyFastify } from './any-fastify.js'

const AGENT_PARAMS = ['agent_id', 'requester_agent_id', 'author_id'] as const
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
/** Reads whose caller is the agent waiting for work: they show it is there, but renew nothing. */
const SEEN_ONLY_ROUTES = new Set(['/api/v1/tasks/next'])

/** What a finished request says about the agent it names: nothing, seen, or alive (leases renewed). */
export type SignOfLife = { agentId: string; renewsLeases: boolean } | undefined

function namedAgent(request: FastifyRequest): string | undefined {
  const query = (request.query ?? {}) as Record<string, unknown>
  const body = (request.body ?? {}) as Record<string, unknown>
  const agentId =
    AGENT_PARAMS.map((p) => query[p]).find((v) => typeof v === 'string') ?? body.agent_id
  return typeof agentId === 'string' && agentId !== '' ? agentId : undefined
}

/**
 * Only an agent's own writes (and heartbeats, which their route records itself) are signs of
 * life. A read names an agent without being it (a watcher polling `/changes?agent_id=d1`), so it
 * renews no lease; `GET /tasks/next` moves `last_seen` only. A refused key proves nothing.
 */
export function signOfLife(request: FastifyRequest, statusCode: number): SignOfLife {
  if (statusCode === ERROR_STATUS.unauthorized) return undefined
  const agentId = namedAgent(request)
  if (agentId === undefined) return undefined
  if (!READ_METHODS.has(request.method)) return { agentId, renewsLeases: true }
  return SEEN_ONLY_ROUTES.has(request.routeOptions.url ?? '')
    ? { agentId, renewsLeases: false }
    : undefined
}

/** Records the sign of life of every finished request in `api` (an encapsulated scope). */

export function recordSignsOfLife(api: AnyFastify, activity: AgentActivity): void {
  api.addHook('onResponse', async (request, reply) => {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- a request of any scope (AnyFastify)
    const sign = signOfLife(request, reply.statusCode)
    if (sign === undefined) return
    void (sign.renewsLeases ? activity.touch(sign.agentId) : activity.seen(sign.agentId))
  })
}
