import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { MAX_JSON_BYTES, MAX_JSON_DEPTH } from '../../../src/contract/index.js'
import {
  expectClientError,
  registerAgent,
  snapshotDatabase,
  uniqueId,
} from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

let server: TestServer
let author: string

beforeAll(async () => {
  server = await startTestServer()
  author = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
})
afterAll(async () => {
  await server.close()
})

/** JSON text of an object nested `levels` deep (`{"a":{"a":…1}}`), built without recursion. */
const nestedText = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`
/** An object nested `levels` deep, parsed from its text (JSON.parse is not recursive). */
const nested = (levels: number) => JSON.parse(nestedText(levels)) as Record<string, unknown>
const tooBig = { blob: 'x'.repeat(MAX_JSON_BYTES) }

const postDocument = (metaData: unknown) =>
  server.api(`/api/v1/documents?author_id=${author}`, {
    method: 'POST',
    body: JSON.stringify({
      doc_type: 'update',
      title: uniqueId('doc'),
      content: 'c',
      meta_data: metaData,
    }),
  })
const registerService = (metaData: unknown) =>
  server.api(`/api/v1/services/register?agent_id=${author}`, {
    method: 'POST',
    body: JSON.stringify({
      service_name: uniqueId('svc'),
      ping_url: 'http://127.0.0.1:9/',
      meta_data: metaData,
    }),
  })

describe('meta_data limits', () => {
  it.each([
    ['a document is created', postDocument],
    ['a service is registered', registerService],
  ])(
    'returns 422 naming meta_data and the depth limit, and stores nothing, when %s 33 levels deep',
    async (_when, send) => {
      const before = await snapshotDatabase(server)

      const res = await send(nested(MAX_JSON_DEPTH + 1))

      expectClientError(res, 422, `body.meta_data: must nest at most ${MAX_JSON_DEPTH} levels deep`)
      expect(await snapshotDatabase(server)).toBe(before)
    },
  )

  it.each([4_111, 100_000])(
    'returns 422, not 500, when meta_data is nested %i levels deep',
    async (levels) => {
      const res = await server.api(`/api/v1/documents?author_id=${author}`, {
        method: 'POST',
        body: `{"doc_type":"update","title":"deep","content":"c","meta_data":${nestedText(levels)}}`,
      })

      expectClientError(res, 422, 'meta_data')
    },
  )

  it('returns 422 naming meta_data and the size limit, and stores nothing, when meta_data is over 64 KiB', async () => {
    const before = await snapshotDatabase(server)

    const res = await postDocument(tooBig)

    expectClientError(res, 422, `body.meta_data: must be at most ${MAX_JSON_BYTES} bytes as JSON`)
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('returns 422 and keeps the old meta_data when a document update is too deep', async () => {
    const doc = (await postDocument({ keep: true })).body
    const before = await snapshotDatabase(server)

    const res = await server.api(`/api/v1/documents/${doc.id}`, {
      method: 'PUT',
      body: JSON.stringify({ meta_data: nested(40) }),
    })

    expectClientError(res, 422, 'meta_data')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('stores and returns meta_data nested exactly at the depth limit', async () => {
    const res = await postDocument(nested(MAX_JSON_DEPTH))

    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.meta_data).toEqual(nested(MAX_JSON_DEPTH))
  })
})

describe('lists over records stored before the limits existed', () => {
  it('answers GET /documents and GET /services with that meta_data as null, and the others intact', async () => {
    const good = (await postDocument({ fine: 1 })).body
    const bad = (await postDocument({ soon: 'deep' })).body
    const goodService = (await registerService({ fine: 1 })).body
    const badService = (await registerService({ soon: 'deep' })).body
    const { db } = server.running.connection
    await db
      .updateTable('documents')
      .set({ meta_data: nestedText(4_100) })
      .where('id', '=', bad.id)
      .execute()
    await db
      .updateTable('services')
      .set({ meta_data: nestedText(4_100) })
      .where('id', '=', badService.id)
      .execute()

    const documents = await server.api('/api/v1/documents')
    const services = await server.api('/api/v1/services')
    const one = await server.api(`/api/v1/documents/${bad.id}`)

    expect(documents.status, JSON.stringify(documents.body)).toBe(200)
    expect(documents.body.find((d: any) => d.id === bad.id).meta_data).toBeNull()
    expect(documents.body.find((d: any) => d.id === good.id).meta_data).toEqual({ fine: 1 })
    expect(services.status, JSON.stringify(services.body)).toBe(200)
    expect(services.body.find((s: any) => s.id === badService.id).meta_data).toBeNull()
    expect(services.body.find((s: any) => s.id === goodService.id).meta_data).toEqual({ fine: 1 })
    expect(one).toMatchObject({ status: 200, body: { id: bad.id, meta_data: null } })
  })
})
