import { createHash, timingSafeEqual } from 'node:crypto'

import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'

import type { AgentRole } from '../contract/index.js'
import { AGENT_TOKEN_PREFIX, findTokenAgent, hashAgentToken } from '../db/index.js'
import type { Database } from '../db/index.js'
import { AppError } from '../domain/index.js'
import type { AnyFastify } from './any-fastify.js'
import type { Clock } from './clock.js'

/** Who a request comes from: a holder of the project key (a person, the dashboard, a v1 client) or one agent. */
export type Caller = { kind: 'project' } | { kind: 'agent'; agentId: string; role: AgentRole }

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/** Compares against every key in constant time per key, so timing tells nothing about a key. */
export function makeKeyChecker(
  keys: readonly string[],
): (candidate: string | undefined) => boolean {
  const digests = keys.map(digest)
  return (candidate) => {
    if (candidate === undefined || candidate === '') return false
    const given = digest(candidate)
    let ok = false
    for (const d of digests) ok = timingSafeEqual(d, given) || ok
    return ok
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key']
  if (typeof header === 'string') return header
  // Browsers' EventSource cannot set headers, so the event stream also takes the key as a parameter.
  if (request.url.startsWith('/api/v1/events')) {
    const key = (request.query as Record<string, unknown> | undefined)?.api_key
    if (typeof key === 'string') return key
  }
  return undefined
}

/** How long a token's agent is remembered; a revocation reaches other server instances within it. */
export const TOKEN_CACHE_MS = 5000

/** Agent tokens already looked up, by hash: a claim must not cost a second query for its credential. */
export class AgentTokens {
  readonly #db: Kysely<Database>
  readonly #clock: Clock
  readonly #known = new Map<string, { agentId: string; role: AgentRole; until: number }>()

  constructor(db: Kysely<Database>, clock: Clock) {
    this.#db = db
    this.#clock = clock
  }

  async find(token: string): Promise<{ agentId: string; role: AgentRole } | undefined> {
    const hash = hashAgentToken(token)
    const cached = this.#known.get(hash)
    if (cached && cached.until > this.#clock.now()) return cached
    const found = await findTokenAgent(this.#db, hash)
    if (found) this.#known.set(hash, { ...found, until: this.#clock.now() + TOKEN_CACHE_MS })
    else this.#known.delete(hash)
    return found
  }

  /** Forgets an agent's tokens here at once (revoked, or the agent deleted or given another role). */
  forget(agentId: string): void {
    for (const [hash, entry] of this.#known) if (entry.agentId === agentId) this.#known.delete(hash)
  }
}

const WRITE_ACTORS = [
  ['query', 'agent_id'],
  ['query', 'requester_agent_id'],
  ['query', 'author_id'],
  ['body', 'agent_id'],
  ['params', 'agent_id'],
] as const
/** Reads whose `agent_id` is the reader: a token reads as its own agent only (mentions are private). */
const READER_ROUTES = new Set(['/api/v1/mentions', '/api/v1/tasks/next', '/api/v1/changes'])
/** Reads of everyone's private data, for people: a token reads its own agent's instead. */
const PROJECT_ONLY_READS = new Set(['/api/v1/mentions/by-role'])
/** Where a route names the agent acted on rather than the actor: a pm may name another agent there. */
const TARGETS: Readonly<Record<string, string>> = {
  'POST /api/v1/register': 'body.agent_id',
  'DELETE /api/v1/agents/:agent_id': 'params.agent_id',
  'DELETE /api/v1/agents/:agent_id/tokens': 'params.agent_id',
}
/** Project-key calls that stay open when agent tokens are required: how a token is issued or revoked. */
const KEY_ONLY_ROUTES = new Set(['POST /api/v1/register', 'DELETE /api/v1/agents/:agent_id/tokens'])
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** `POST /api/v1/register`: the method and the route's pattern, as the tables above name routes. */
function routeOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? ''}`
}

/** Every agent id the request names as the one acting (`query.agent_id=dev_1`), by where it is. */
function namedActors(request: FastifyRequest): { where: string; agentId: string }[] {
  const isRead = READ_METHODS.has(request.method)
  if (isRead && !READER_ROUTES.has(request.routeOptions.url ?? '')) return []
  const target = TARGETS[routeOf(request)]
  const actors: { where: string; agentId: string }[] = []
  for (const [part, field] of isRead ? ([['query', 'agent_id']] as const) : WRITE_ACTORS) {
    const where = `${part}.${field}`
    if (where === target) continue
    const value = ((request[part] ?? {}) as Record<string, unknown>)[field]
    if (typeof value === 'string' && value !== '') actors.push({ where, agentId: value })
  }
  return actors
}

/** The agent a route acts on when it is not the actor (`POST /register`'s body), if any. */
export function namedTarget(request: FastifyRequest): string | undefined {
  const where = TARGETS[routeOf(request)]
  if (where === undefined) return undefined
  const [part, field] = where.split('.') as ['body' | 'params', string]
  const value = ((request[part] ?? {}) as Record<string, unknown>)[field]
  return typeof value === 'string' ? value : undefined
}

/**
 * A call made with an agent token acts as that agent only: naming another agent as the actor is
 * refused, and so is acting on another agent without naming oneself (so the route's pm check
 * applies). With `requireAgentTokens`, agent actions made with the project key alone are refused.
 */
function checkActor(request: FastifyRequest, requireAgentTokens: boolean): void {
  const caller = request.caller
  if (caller === undefined) return
  const actors = namedActors(request)
  if (caller.kind === 'project') {
    if (requireAgentTokens && actors.length > 0 && !KEY_ONLY_ROUTES.has(routeOf(request))) {
      throw new AppError(
        'forbidden',
        `agent ${actors[0]!.agentId} must act with its own token (HPM_REQUIRE_AGENT_TOKENS is on): POST /api/v1/register with the project key issues one`,
      )
    }
    return
  }
  if (PROJECT_ONLY_READS.has(request.routeOptions.url ?? '')) {
    throw new AppError(
      'forbidden',
      `this token acts as agent ${caller.agentId}: read its own mentions with GET /api/v1/mentions?agent_id=${caller.agentId}`,
    )
  }
  actAsCaller(request, caller.agentId)
  const other = actors.find((a) => a.agentId !== caller.agentId)
  if (other !== undefined) {
    throw new AppError(
      'forbidden',
      `this token acts as agent ${caller.agentId} only; ${other.where} names ${other.agentId}`,
    )
  }
  const target = namedTarget(request)
  if (target !== undefined && target !== caller.agentId && actors.length === 0) {
    throw new AppError(
      'forbidden',
      `this token acts as agent ${caller.agentId}: to act on agent ${target}, name yourself with requester_agent_id=${caller.agentId}`,
    )
  }
}

/** Actor parameters a route may leave out (v1 clients send none); a token's call is made by its agent. */
const OPTIONAL_ACTORS = ['agent_id', 'author_id'] as const

/** Fills in the actor a token's write left out, so the route judges it as the token's agent, not as "nobody". */
function actAsCaller(request: FastifyRequest, agentId: string): void {
  if (READ_METHODS.has(request.method)) return
  const declared = (
    request.routeOptions.schema?.querystring as { shape?: Record<string, unknown> } | undefined
  )?.shape
  const query = request.query as Record<string, unknown> | undefined
  if (declared === undefined || query === undefined) return
  for (const field of OPTIONAL_ACTORS)
    if (field in declared && query[field] === undefined) query[field] = agentId
}

export interface CredentialOptions {
  keys: readonly string[]
  tokens: AgentTokens
  requireAgentTokens: boolean
}

/**
 * Adds the credential check to every route registered in `app` (an encapsulated scope): the
 * project key, or an agent's token, which binds the request to that agent.
 */

export function requireCredentials(app: AnyFastify, options: CredentialOptions): void {
  const isProjectKey = makeKeyChecker(options.keys)
  app.addHook('onRequest', async (request) => {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- a request of any scope (AnyFastify)
    const key = presentedKey(request)
    if (isProjectKey(key)) {
      request.caller = { kind: 'project' }
      return
    }
    const agent = key?.startsWith(AGENT_TOKEN_PREFIX) ? await options.tokens.find(key) : undefined
    if (agent === undefined) throw new AppError('unauthorized', 'Invalid API key')
    request.caller = { kind: 'agent', ...agent }
  })
  // After validation, so the query and body are the parsed ones the route will read.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- a request of any scope (AnyFastify)
  app.addHook('preHandler', async (request) => checkActor(request, options.requireAgentTokens))
}
