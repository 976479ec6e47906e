import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { ENDPOINTS } from '../../../src/contract/index.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

// The contract's endpoint table drives the client; the server registers its routes itself. This
// keeps the two in step: each entry is a route of the server, and each documented route is an entry.

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.close()
})

describe('the endpoint table', () => {
  it.each(Object.entries(ENDPOINTS))('%s is a route of the server', (_, { method, path }) => {
    expect(server.running.server.app.hasRoute({ method, url: path })).toBe(true)
  })

  it('has an entry for every documented route', async () => {
    const doc = (await server.api('/api/v1/openapi.json', { key: null })).body
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .filter((route) => !route.startsWith('HEAD '))
    const inTable = new Set(Object.values(ENDPOINTS).map((e) => `${e.method} ${e.path}`))
    expect(documented.filter((route) => !inTable.has(route))).toEqual([])
  })
})
