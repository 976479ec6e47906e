import { connect } from 'node:net'
import type { Socket } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  makeTask,
  registerAgent,
  seedProject,
  sleep,
  snapshotDatabase,
} from '../../helpers/fixtures.js'
import { startTestServer, TEST_API_KEY } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

/** Opens a raw connection to the server, so a test can send half a request. */
async function openSocket(server: TestServer): Promise<Socket> {
  const { hostname, port } = new URL(server.url)
  const socket = connect(Number(port), hostname)
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', resolve).once('error', reject),
  )
  return socket
}

/** Everything the server writes until it closes the connection. */
function readUntilClosed(socket: Socket): Promise<string> {
  let text = ''
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  return new Promise((resolve) => socket.once('close', () => resolve(text)))
}

function parseResponse(raw: string): { status: number; body: any } {
  const [head = '', body = ''] = raw.split('\r\n\r\n')
  return { status: Number(head.split(' ')[1]), body: body === '' ? undefined : JSON.parse(body) }
}

describe('request timeouts', () => {
  let server: TestServer

  beforeAll(async () => {
    server = await startTestServer({
      env: { HPM_REQUEST_TIMEOUT_MS: '1000', HPM_HEADERS_TIMEOUT_MS: '1000' },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  it('answers 408 request_timeout, closes the connection and stores nothing when a body stalls', async () => {
    const agent = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    const before = await snapshotDatabase(server)
    const socket = await openSocket(server)
    const answer = readUntilClosed(socket)

    socket.write(
      `POST /api/v1/documents?author_id=${agent} HTTP/1.1\r\nHost: x\r\nX-API-Key: ${TEST_API_KEY}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{"doc_typ',
    )

    const res = parseResponse(await answer)
    expect(res).toMatchObject({ status: 408, body: { code: 'request_timeout' } })
    expect(res.body.detail).toContain('did not arrive in time')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('answers 408 request_timeout and closes the connection when the headers stall', async () => {
    const socket = await openSocket(server)
    const answer = readUntilClosed(socket)

    socket.write('GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\nX-API-Ke')

    expect(parseResponse(await answer)).toMatchObject({
      status: 408,
      body: { code: 'request_timeout' },
    })
  })

  it('lets a long-poll wait past the request timeout and answer', async () => {
    const res = await server.api('/api/v1/tasks/next?role=qa&level=senior&timeout=2')

    expect(res.status).toBe(200)
    expect(res.body).toBeNull()
  })

  it('keeps the event stream open past the request timeout and delivers a later change', async () => {
    const project = await seedProject(server.api)
    const controller = new AbortController()
    const stream = await fetch(`${server.url}/api/v1/events`, {
      headers: { 'x-api-key': TEST_API_KEY },
      signal: controller.signal,
    })
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader()
    await sleep(2500)

    const task = await makeTask(server.api, project, { title: 'after-the-timeout' })
    let text = ''
    while (!text.includes('after-the-timeout')) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    controller.abort()

    expect(text).toContain(`"task_id":${task.id}`)
  })
})

describe('connection cap', () => {
  let server: TestServer

  beforeAll(async () => {
    server = await startTestServer({ env: { HPM_MAX_CONNECTIONS: '2' } })
  })
  afterAll(async () => {
    await server.close()
  })

  it('refuses connections over HPM_MAX_CONNECTIONS and accepts again once one closes', async () => {
    const held = [await openSocket(server), await openSocket(server)]

    const refused = await server.api('/health').then(
      () => 'answered',
      () => 'refused',
    )
    held[0]!.destroy()
    await sleep(100)
    const after = await server.api('/health')
    held[1]!.destroy()

    expect(refused).toBe('refused')
    expect(after.status).toBe(200)
  })
})
