import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { expectClientError, registerAgent, snapshotDatabase } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const PROTECTED: Array<[string, string]> = [
  ['POST', '/api/v1/register'],
  ['GET', '/api/v1/agents'],
  ['GET', '/api/v1/epics'],
  ['GET', '/api/v1/tasks'],
  ['GET', '/api/v1/tasks/1'],
  ['GET', '/api/v1/tasks/next?role=qa&level=senior&simulate=true'],
  ['POST', '/api/v1/tasks/claim'],
  ['PUT', '/api/v1/tasks/1/status?agent_id=a'],
  ['GET', '/api/v1/changelog'],
  ['GET', '/api/v1/changes?since=0&agent_id=a'],
  ['GET', '/api/v1/documents'],
  ['GET', '/api/v1/services'],
  ['GET', '/api/v1/mentions'],
  ['GET', '/api/v1/events'],
]

describe('X-API-Key', () => {
  it.each(PROTECTED)('returns 401 Invalid API key when %s %s has no key', async (method, path) => {
    const res = await server.api(path, {
      method,
      key: null,
      body: method === 'GET' ? undefined : { agent_id: 'a', role: 'qa', level: 'senior' },
    })

    expectClientError(res, 401, 'Invalid API key')
    expect(res.body.code).toBe('unauthorized')
  })

  it.each(PROTECTED)(
    'returns 401 Invalid API key when %s %s has a wrong key',
    async (method, path) => {
      const res = await server.api(path, {
        method,
        key: 'wrong-key-0123456789',
        body: method === 'GET' ? undefined : { agent_id: 'a', role: 'qa', level: 'senior' },
      })

      expectClientError(res, 401, 'Invalid API key')
    },
  )

  it('rejects v1 built-in development keys when they are not configured', async () => {
    for (const key of ['development-key', 'XXXXXX']) {
      const res = await server.api('/api/v1/agents', { key })

      expectClientError(res, 401, 'Invalid API key')
    }
  })

  it('changes nothing when a write is refused for a missing key', async () => {
    const before = await snapshotDatabase(server)

    await server.api('/api/v1/register', {
      method: 'POST',
      key: null,
      body: { agent_id: 'intruder', role: 'pm', level: 'principal' },
    })

    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('accepts the key in any header-name case when the key is right', async () => {
    const res = await fetch(`${server.url}/api/v1/agents`, {
      headers: { 'X-API-KEY': server.apiKey },
    })

    expect(res.status).toBe(200)
  })

  it.each([
    ['/'],
    ['/health'],
    ['/status'],
    ['/api/v1/context'],
    ['/api/v1/openapi.json'],
    ['/api/v1/docs'],
  ])('answers 200 when public route %s is called without a key', async (path) => {
    const res = await server.api(path, { key: null })

    expect(res.status).toBe(200)
  })

  it('accepts the key as api_key on the event stream when a browser cannot set headers', async () => {
    const controller = new AbortController()

    const res = await fetch(`${server.url}/api/v1/events?api_key=${server.apiKey}`, {
      signal: controller.signal,
    })

    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    controller.abort()
  })

  it('returns 401 when api_key is passed as a query parameter outside the event stream', async () => {
    const res = await server.api(`/api/v1/agents?api_key=${server.apiKey}`, { key: null })

    expectClientError(res, 401, 'Invalid API key')
  })
})

describe('unknown routes', () => {
  it.each([
    ['GET', '/nope'],
    ['GET', '/api/v1/nope'],
    ['POST', '/api/v1/tasks/1/evaluate'],
    ['GET', '/api/v2/tasks'],
  ])(
    'returns 404 route_not_found naming the route when %s %s is called without a key',
    async (method, path) => {
      const res = await server.api(path, { method, key: null })

      expectClientError(res, 404, path)
      expect(res.body.code).toBe('route_not_found')
    },
  )

  it('returns 404 route_not_found when an unknown path is called with a key', async () => {
    await registerAgent(server.api)

    const res = await server.api('/api/v1/tasks/feature/1')

    expectClientError(res, 404, '/api/v1/tasks/feature/1')
    expect(res.body.code).toBe('route_not_found')
  })
})

describe('keys from the environment', () => {
  it("returns 401 for a generic API_KEY from the server's environment: another tool's secret is no key here", async () => {
    const other = await startTestServer({ env: { API_KEY: 'another-tools-secret' } })
    try {
      const res = await other.api('/api/v1/agents', { key: 'another-tools-secret' })

      expectClientError(res, 401, 'Invalid API key')
    } finally {
      await other.close()
    }
  })
})
