import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  expectClientError,
  registerAgent,
  snapshotDatabase,
  uniqueId,
} from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const LIMIT_DETAIL = 'Document content exceeds maximum length of 50,000 characters'

async function createDocument(author: string, body: Record<string, unknown> = {}) {
  const res = await server.api(`/api/v1/documents?author_id=${author}`, {
    method: 'POST',
    body: { doc_type: 'update', title: uniqueId('doc'), content: 'plain', ...body },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

/** Mentions of any agent id, registered or not (`GET /mentions` reads only a registered agent's). */
const mentionsOf = async (agentId: string) =>
  ((await server.api('/api/v1/mentions/by-role?limit=10000')).body as any[]).filter(
    (m) => m.mentioned_agent_id === agentId,
  )

describe('POST /documents', () => {
  it('stores the document and lists the agents mentioned when its content mentions some', async () => {
    const author = uniqueId('author')
    const reader = uniqueId('reader')

    const doc = await createDocument(author, {
      doc_type: 'critical_issue',
      title: 'DB down @ignored_in_title',
      content: `@${reader} please look. cc @${reader}`,
      meta_data: { severity: 'high' },
      expires_at: '2030-01-01T12:00:00+02:00',
    })

    expect(doc).toMatchObject({
      doc_type: 'critical_issue',
      author_id: author,
      title: 'DB down @ignored_in_title',
      meta_data: { severity: 'high' },
      expires_at: '2030-01-01T10:00:00.000Z',
      mentions: [reader],
    })
    expect(doc.created_at).toMatch(/Z$/)
    expect(doc.updated_at).toBe(doc.created_at)
  })

  it.each([
    ['2030-01-01T12:00:00', '2030-01-01T12:00:00.000Z'],
    ['2030-01-01 12:00:00.123456', '2030-01-01T12:00:00.123Z'],
    ['2030-01-01T12:00:00Z', '2030-01-01T12:00:00.000Z'],
    ['2030-01-01T14:00:00+02:00', '2030-01-01T12:00:00.000Z'],
  ])('stores expires_at %j as UTC %j when a v1 client sends it', async (given, stored) => {
    const doc = await createDocument(uniqueId('author'), { expires_at: given })

    expect(doc.expires_at).toBe(stored)
  })

  it('accepts the content when it is exactly 50,000 characters', async () => {
    const doc = await createDocument(uniqueId('author'), { content: 'x'.repeat(50_000) })

    expect(doc.content).toHaveLength(50_000)
  })

  it('returns 400 with v1 wording and stores nothing when content is over 50,000 characters', async () => {
    const before = await snapshotDatabase(server)

    const res = await server.api(`/api/v1/documents?author_id=${uniqueId('author')}`, {
      method: 'POST',
      body: { doc_type: 'update', title: 'big', content: `@someone ${'x'.repeat(50_000)}` },
    })

    expectClientError(res, 400, LIMIT_DETAIL)
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('does not mention the domain of an e-mail address when content has one', async () => {
    const doc = await createDocument(uniqueId('author'), {
      content: 'write to bob@example.com or ops@corp.io',
    })

    expect(doc.mentions).toEqual([])
    expect(await mentionsOf('example')).toEqual([])
  })

  it('notifies every qa agent except the author when content mentions @qa', async () => {
    const qaAuthor = await registerAgent(server.api, { role: 'qa' })
    const qa1 = await registerAgent(server.api, { role: 'qa' })
    const qa2 = await registerAgent(server.api, { role: 'qa' })
    const dev = await registerAgent(server.api)

    const doc = await createDocument(qaAuthor, { content: 'ready for @qa' })

    expect(doc.mentions).toEqual(expect.arrayContaining([qa1, qa2]))
    expect(doc.mentions).not.toContain(qaAuthor)
    expect(doc.mentions).not.toContain(dev)
    expect(await mentionsOf(qa1)).toHaveLength(1)
  })
})

describe('GET /documents', () => {
  it('lists newest first with mentions when filtered by type and author', async () => {
    const author = uniqueId('author')
    const first = await createDocument(author, { doc_type: 'standup', content: '@x1' })
    const second = await createDocument(author, { doc_type: 'standup' })
    await createDocument(author, { doc_type: 'update' })
    await createDocument(uniqueId('other'), { doc_type: 'standup' })

    const res = await server.api(`/api/v1/documents?doc_type=standup&author_id=${author}`)

    expect(res.status).toBe(200)
    expect(res.body.map((d: any) => d.id)).toEqual([second.id, first.id])
    expect(res.body[1].mentions).toEqual(['x1'])
  })

  it('returns at most limit documents when limit is given', async () => {
    const author = uniqueId('author')
    for (let i = 0; i < 3; i++) await createDocument(author)

    const res = await server.api(`/api/v1/documents?author_id=${author}&limit=2`)

    expect(res.body).toHaveLength(2)
  })
})

describe('GET /documents/{document_id}', () => {
  it('returns the document when it exists', async () => {
    const doc = await createDocument(uniqueId('author'))

    const res = await server.api(`/api/v1/documents/${doc.id}`)

    expect(res.status).toBe(200)
    expect(res.body).toEqual(doc)
  })
})

describe('PUT /documents/{document_id}', () => {
  it('replaces only the given fields and moves updated_at when a title is given', async () => {
    const doc = await createDocument(uniqueId('author'), {
      title: 'old',
      content: 'old body',
      meta_data: { a: 1 },
    })

    const res = await server.api(`/api/v1/documents/${doc.id}`, {
      method: 'PUT',
      body: { title: 'new' },
    })

    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ title: 'new', content: 'old body', meta_data: { a: 1 } })
    expect(res.body.updated_at >= doc.updated_at).toBe(true)
  })

  it('keeps read state of agents still mentioned when new content re-derives the mentions', async () => {
    const author = uniqueId('author')
    const kept = uniqueId('kept')
    const dropped = uniqueId('dropped')
    const added = uniqueId('added')
    const doc = await createDocument(author, { content: `@${kept} and @${dropped}` })
    const [keptMention] = await mentionsOf(kept)
    await server.api(`/api/v1/mentions/${keptMention.id}/read?agent_id=${kept}`, { method: 'PUT' })

    const res = await server.api(`/api/v1/documents/${doc.id}`, {
      method: 'PUT',
      body: { content: `@${kept} and @${added}` },
    })

    expect(res.body.mentions).toEqual([added, kept].sort())
    expect(await mentionsOf(kept)).toEqual([
      expect.objectContaining({ id: keptMention.id, is_read: true }),
    ])
    expect(await mentionsOf(dropped)).toEqual([])
    expect(await mentionsOf(added)).toEqual([
      expect.objectContaining({ document_id: doc.id, is_read: false, created_by: author }),
    ])
  })

  it('returns 400 with v1 wording and changes nothing when new content is over 50,000 characters', async () => {
    const doc = await createDocument(uniqueId('author'), { content: 'short' })
    const before = await snapshotDatabase(server)

    const res = await server.api(`/api/v1/documents/${doc.id}`, {
      method: 'PUT',
      body: { title: 'renamed', content: 'y'.repeat(50_001) },
    })

    expectClientError(res, 400, LIMIT_DETAIL)
    expect(await snapshotDatabase(server)).toBe(before)
    expect((await server.api(`/api/v1/documents/${doc.id}`)).body).toMatchObject({
      title: doc.title,
      content: 'short',
    })
  })
})

describe('DELETE /documents/{document_id}', () => {
  it('deletes the document and its mentions when it exists', async () => {
    const reader = uniqueId('reader')
    const doc = await createDocument(uniqueId('author'), { content: `@${reader}` })

    const res = await server.api(`/api/v1/documents/${doc.id}`, { method: 'DELETE' })

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ message: 'Document deleted successfully' })
    expect((await server.api(`/api/v1/documents/${doc.id}`)).status).toBe(404)
    expect(await mentionsOf(reader)).toEqual([])
  })
})
