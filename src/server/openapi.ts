import { jsonSchemaTransform } from 'fastify-type-provider-zod'
import { z } from 'zod'

import { ERROR_STATUS, ErrorResponse } from '../contract/index.js'
import type { AnyFastify } from './any-fastify.js'

/** Routes that answer without a key; every other route needs the project key or an agent token. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  '/',
  '/health',
  '/status',
  '/api/v1/context',
])

/** Query parameters a handler requires itself (for v1's friendly 400 rather than a 422 list). */
const HANDLER_REQUIRED_QUERY: Readonly<Record<string, readonly string[]>> = {
  '/api/v1/tasks/next': ['role', 'level'],
}

/** Responses that are not JSON. */
const STREAMS: Readonly<
  Record<string, { description: string; content: Record<string, { schema: object }> }>
> = {
  '/api/v1/events': {
    description:
      'server-sent events, one per change (`id`, `event`: the change type, `data`: the change as JSON); resumes after `Last-Event-ID`',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  },
}

// The error body as JSON Schema, for every error status of every route.
const { $schema: _dialect, ...ERROR_SCHEMA } = z.toJSONSchema(ErrorResponse, {
  target: 'openapi-3.0',
}) as Record<string, unknown>

/** Each error status with the codes it carries, from the one error table. */
function errorResponse(status: number): object {
  const codes = Object.entries(ERROR_STATUS)
    .filter(([, s]) => s === status)
    .map(([code]) => `\`${code}\``)
  return { description: `error: ${codes.join(', ')} (docs/errors.md)`, ...ERROR_SCHEMA }
}

/**
 * The error statuses a route can answer: any route may meet a malformed request, a slow upload,
 * a server fault or a database outage; input can be refused; keyed routes check the credential,
 * the actor's rights, what the request names and the state it would change.
 */
function errorStatuses(url: string, schema: Record<string, unknown>): number[] {
  const statuses: number[] = [
    ERROR_STATUS.bad_request,
    ERROR_STATUS.request_timeout,
    ERROR_STATUS.headers_too_large,
    ERROR_STATUS.internal,
    ERROR_STATUS.unavailable,
  ]
  if (schema.querystring || schema.body || schema.params)
    statuses.push(ERROR_STATUS.validation_failed)
  if (schema.body)
    statuses.push(ERROR_STATUS.payload_too_large, ERROR_STATUS.unsupported_media_type)
  if (!PUBLIC_ROUTES.has(url))
    statuses.push(
      ERROR_STATUS.unauthorized,
      ERROR_STATUS.forbidden,
      ERROR_STATUS.not_found,
      ERROR_STATUS.conflict,
    )
  return [...new Set(statuses)].sort()
}

type TransformInput = Parameters<typeof jsonSchemaTransform>[0]

/**
 * OpenAPI 3.0 reads `enum` before `nullable`, so a nullable enum must list null itself (3.0.3's
 * clarification); zod's output leaves it out. Adds it everywhere in `schema`, in place.
 */
function nullableEnums(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) nullableEnums(item)
    return
  }
  if (typeof schema !== 'object' || schema === null) return
  const node = schema as Record<string, unknown>
  if (node.nullable === true && Array.isArray(node.enum) && !node.enum.includes(null))
    node.enum = [...(node.enum as unknown[]), null]
  for (const value of Object.values(node)) nullableEnums(value)
}

/**
 * The OpenAPI document from the routes' own zod schemas (the contract), plus what the schemas
 * cannot say: every error status with the `{detail, code}` body, no key on public routes, the
 * parameters a handler requires itself, and streams. Nothing here is written per route by hand.
 */
export function openApiTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const out = jsonSchemaTransform(input)
  const schema = { ...(out.schema as Record<string, unknown>) }
  const url = input.url
  const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) }
  const stream = STREAMS[url]
  if (stream) response[200] = stream
  for (const status of errorStatuses(url, schema)) response[status] ??= errorResponse(status)
  schema.response = response
  if (PUBLIC_ROUTES.has(url)) schema.security = []
  const required = HANDLER_REQUIRED_QUERY[url]
  if (required && schema.querystring) {
    const query = schema.querystring as { required?: string[] }
    schema.querystring = {
      ...query,
      required: [...new Set([...(query.required ?? []), ...required])],
    }
  }
  nullableEnums(schema)
  return { ...out, schema }
}

/** Every route's method and path pattern, so a known path asked with another method gets 405. */
export class RouteTable {
  readonly #routes: { method: string; url: string; pattern: RegExp }[] = []

  /** Records each route `app` registers from now on. */
  track(app: AnyFastify): void {
    app.addHook('onRoute', (route) => {
      const pattern = new RegExp(
        `^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}/?$`,
      )
      for (const method of [route.method].flat())
        this.#routes.push({ method, url: route.url, pattern })
    })
  }

  /** Every route: method and path pattern (`/api/v1/tasks/:task_id`). */
  list(): { method: string; url: string }[] {
    return this.#routes.map(({ method, url }) => ({ method, url }))
  }

  /** The methods `path` answers to; empty for an unknown path. */
  methodsOf(path: string): string[] {
    return [
      ...new Set(this.#routes.filter((r) => r.pattern.test(path)).map((r) => r.method)),
    ].sort()
  }
}
