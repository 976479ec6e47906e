import { Ajv } from 'ajv'
import type { ValidateFunction } from 'ajv'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { lock, makeTask, registerAgent, seedProject } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

// The OpenAPI document is generated from the contract; this checks that the server keeps to it,
// driven by the document itself, so a new route is covered the day it is added: every keyed
// operation refuses a missing or wrong key, and fuzzed requests (wrong types, huge and deep values,
// unicode, control characters, SQL and shell metacharacters) never get a 5xx, only statuses the
// document lists, with bodies of the documented shape; a refused request changes nothing.
// Chosen over property tests of the schemas alone: it exercises the real server end to end.
// HPM_FUZZ_RUNS and HPM_FUZZ_SEED explore further than CI's fixed, bounded run.

const RUNS = Number(process.env.HPM_FUZZ_RUNS ?? 600)
const SEED = Number(process.env.HPM_FUZZ_SEED ?? 20261130)
/** A stream that never ends by itself; its content type is checked on its own. */
const STREAMED = new Set(['/api/v1/events'])

interface Operation {
  method: string
  path: string
  op: {
    security?: unknown[]
    parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean }[]
    requestBody?: {
      content?: Record<string, { schema?: { properties?: Record<string, unknown> } }>
    }
    responses: Record<string, { content?: Record<string, { schema?: object }> }>
  }
}

let server: TestServer
let operations: Operation[]
let documentSecurity: unknown[]
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
const validators = new Map<object, ValidateFunction>()

function validatorOf(schema: object): ValidateFunction {
  let validate = validators.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    validators.set(schema, validate)
  }
  return validate
}

function concretePath(path: string, values: Record<string, string> = {}): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? '1'))
}

function isPublic(operation: Operation): boolean {
  return Array.isArray(operation.op.security) && operation.op.security.length === 0
}

beforeAll(async () => {
  server = await startTestServer()
  const project = await seedProject(server.api)
  const dev = await registerAgent(server.api, { role: 'backend_dev', agent_id: 'fuzz_dev' })
  for (let i = 0; i < 3; i++) await makeTask(server.api, project)
  const held = await makeTask(server.api, project)
  await lock(server.api, held.id, dev)
  const doc = (await server.api('/api/v1/openapi.json', { key: null })).body
  documentSecurity = doc.security
  operations = Object.entries(doc.paths as Record<string, Record<string, Operation['op']>>)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    )
    .filter((o) => o.method !== 'HEAD' && !STREAMED.has(o.path))
})
afterAll(async () => {
  await server?.close()
})

describe('the OpenAPI document', () => {
  it('documents every route, each with its error statuses and the error body', () => {
    expect(operations.length).toBeGreaterThan(40)
    for (const { method, path, op } of operations) {
      const statuses = Object.keys(op.responses)
      expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['200', '400', '500']))
      if (!isPublic({ method, path, op }))
        expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403']))
      expect(
        op.responses['400']?.content?.['application/json']?.schema,
        `${method} ${path}`,
      ).toMatchObject({ required: expect.arrayContaining(['detail', 'code']) })
    }
  })

  it('documents what a handler requires itself and the rules schemas cannot carry', async () => {
    const doc = (await server.api('/api/v1/openapi.json', { key: null })).body
    const params = (path: string) =>
      doc.paths[path].get.parameters as {
        name: string
        required?: boolean
        description?: string
        schema: { enum?: string[] }
      }[]
    const next = params('/api/v1/tasks/next')
    expect(
      next
        .filter((p) => p.required)
        .map((p) => p.name)
        .sort(),
    ).toEqual(['level', 'role'])
    expect(next.find((p) => p.name === 'simulate')?.schema.enum).toEqual(
      expect.arrayContaining(['true', 'false']),
    )
    expect(params('/api/v1/changes').find((p) => p.name === 'since')?.description).toContain(
      'Give since or after_id',
    )
    const noRole = await server.api('/api/v1/tasks/next?level=senior')
    expect(noRole.status).toBe(400)
  })

  it('marks only /health, /status and /api/v1/context public, and they answer without a key', async () => {
    const open = operations.filter(isPublic).map((o) => `${o.method} ${o.path}`)
    expect(open.sort()).toEqual(['GET /api/v1/context', 'GET /health', 'GET /status'])
    for (const path of ['/health', '/status', '/api/v1/context'])
      expect((await server.api(path, { key: null })).status).toBe(200)
    expect(documentSecurity).toEqual([{ apiKey: [] }])
  })

  it('documents the event stream as text/event-stream, and the server sends that', async () => {
    const doc = (await server.api('/api/v1/openapi.json', { key: null })).body
    expect(Object.keys(doc.paths['/api/v1/events'].get.responses['200'].content)).toEqual([
      'text/event-stream',
    ])
    const stream = await fetch(`${server.url}/api/v1/events`, {
      headers: { 'x-api-key': server.apiKey },
      signal: AbortSignal.timeout(10_000),
    })
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await stream.body?.cancel()
  })

  it('answers 405 with Allow for a known path asked with another method, 404 for an unknown path', async () => {
    const wrongMethod = await server.api('/api/v1/tasks/1', { method: 'POST', body: {} })
    const unknown = await server.api('/api/v1/no-such-thing')

    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.body.code).toBe('method_not_allowed')
    expect(wrongMethod.headers.get('allow')).toContain('GET')
    expect(unknown.status).toBe(404)
  })

  it("refuses every route of the server's own route table without a key, except the public ones, the docs and the dashboard", async () => {
    const open =
      /^\/($|health$|status$|api\/v1\/context$|api\/v1\/openapi\.json$|api\/v1\/docs|assets\/|favicon|index\.html$|\*$)/
    const keyed = server.running.server.routes
      .list()
      .filter((r) => r.method !== 'HEAD' && !open.test(r.url))
    expect(keyed.map((r) => r.url)).toEqual(
      expect.arrayContaining(['/mcp', '/api/v1/events', '/api/v1/tasks/claim']),
    )
    for (const route of keyed) {
      const res = await server.api(route.url.replace(/:[^/]+/g, '1'), {
        method: route.method,
        key: null,
        body: ['GET', 'DELETE'].includes(route.method) ? undefined : {},
      })
      expect(res.status, `${route.method} ${route.url}`).toBe(401)
    }
  })

  it('refuses every keyed operation without a key, with a wrong key and with a made-up agent token (401)', async () => {
    for (const operation of operations.filter((o) => !isPublic(o))) {
      for (const key of [
        null,
        'wrong-key-0123456789',
        'hpm_agent_made-up-0000000000000000000000',
      ]) {
        const res = await server.api(concretePath(operation.path), {
          method: operation.method,
          key,
          body: operation.op.requestBody ? {} : undefined,
        })
        expect(res.status, `${operation.method} ${operation.path} with key ${key}`).toBe(401)
      }
    }
  })
})

// ---- the fuzz ----

const NASTY = [
  '',
  ' ',
  '0',
  '-1',
  '0x10',
  '1e3',
  '99999999999999999999999',
  'NaN',
  'null',
  'true',
  "1' OR '1'='1",
  "'; DROP TABLE tasks; --",
  '$(touch /tmp/hpm-fuzz-pwned)',
  '`id`',
  '; rm -rf /',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\u202e\u0041',
  'ünïcödé 😀',
  'fuzz_dev',
  'x'.repeat(5000),
]

const scalar = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer().map(String),
)
/** A JSON value nested `depth` levels. */
const deep = fc.integer({ min: 30, max: 200 }).map((depth) => {
  let value: unknown = 'bottom'
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { nested: value }
  return value
})
const jsonValue = fc.oneof(
  { weight: 3, arbitrary: scalar },
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(scalar, { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), scalar, { maxKeys: 5 }),
  deep,
)
/** Waiting is not what is fuzzed: a long-poll's timeout is 0 or refused. */
const timeout = fc.constantFrom('0', '-1', 'abc', '601', '1e9')

function queryOf(operation: Operation): fc.Arbitrary<Record<string, string>> {
  const params = (operation.op.parameters ?? []).filter((p) => p.in === 'query')
  const entries = params.map((p) =>
    fc
      .option(p.name === 'timeout' ? timeout : scalar, { nil: undefined })
      .map((v) => [p.name, v] as const),
  )
  return fc
    .tuple(...entries)
    .map(
      (pairs) =>
        Object.fromEntries(pairs.filter(([, v]) => v !== undefined)) as Record<string, string>,
    )
}

function bodyOf(operation: Operation): fc.Arbitrary<unknown> {
  if (!operation.op.requestBody) return fc.constant(undefined)
  const properties = Object.keys(
    operation.op.requestBody.content?.['application/json']?.schema?.properties ?? {},
  )
  const shaped = fc
    .tuple(
      ...properties.map((name) =>
        fc
          .option(name === 'timeout' ? timeout.map(Number) : jsonValue, { nil: undefined })
          .map((v) => [name, v] as const),
      ),
    )
    .map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== undefined)))
  return fc.oneof({ weight: 4, arbitrary: shaped }, jsonValue, deep)
}

function pathValuesOf(operation: Operation): fc.Arbitrary<Record<string, string>> {
  const params = (operation.op.parameters ?? []).filter((p) => p.in === 'path')
  const value = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom('1', '2', '3', '4', 'fuzz_dev') },
    scalar.filter((v) => v !== ''),
  )
  return fc
    .tuple(...params.map((p) => value.map((v) => [p.name, v] as const)))
    .map((pairs) => Object.fromEntries(pairs))
}

async function lastEventId(after: number): Promise<number> {
  const res = await server.api(`/api/v1/changes?after_id=${after}&limit=10000`)
  return res.body.last_event_id as number
}

describe('fuzzed requests from the document', () => {
  it(`never answer 5xx nor an undocumented status or shape, and a refused one changes nothing (${RUNS} requests, seed ${SEED})`, async () => {
    let seen = await lastEventId(0)
    const request = fc.constantFrom(...operations).chain((operation) =>
      fc.record({
        operation: fc.constant(operation),
        path: pathValuesOf(operation),
        query: queryOf(operation),
        body: bodyOf(operation),
      }),
    )

    await fc.assert(
      fc.asyncProperty(request, async ({ operation, path, query, body }) => {
        const search = new URLSearchParams(query).toString()
        const url = `${concretePath(operation.path, path)}${search ? `?${search}` : ''}`
        const what = `${operation.method} ${url} ${JSON.stringify(body)?.slice(0, 300)}`
        const res = await server.api(url, { method: operation.method, body })

        expect(res.status, what).toBeLessThan(500)
        const documented = operation.op.responses[String(res.status)]
        // A path that no longer matches the route (an encoded slash) is the router's 404, not the operation's.
        if (res.body?.code !== 'route_not_found') {
          expect(
            documented,
            `${what} answered ${res.status}, which the document does not list`,
          ).toBeDefined()
          const schema = documented?.content?.['application/json']?.schema
          if (schema && res.headers.get('content-type')?.includes('application/json')) {
            const validate = validatorOf(schema)
            expect(
              validate(res.body),
              `${what} answered ${res.status} with ${JSON.stringify(res.body).slice(0, 300)}: ${ajv.errorsText(validate.errors)}`,
            ).toBe(true)
          }
        }
        const now = await lastEventId(seen)
        if (res.status >= 400)
          expect(now, `${what} was refused (${res.status}) but recorded a change`).toBe(seen)
        seen = now
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    )
  })
})
