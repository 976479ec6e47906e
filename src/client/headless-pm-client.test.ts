import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'

import { startTestServer } from '../../test/helpers/test-server.js'
import type { TestServer } from '../../test/helpers/test-server.js'
import { ApiError, ApiUnavailableError, HeadlessPMClient } from './index.js'

interface SeenRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

/** A real HTTP server whose every answer is scripted by `handle`; records what it was sent. */
async function startScriptedServer(
  handle: (req: IncomingMessage, res: ServerResponse, index: number) => void,
): Promise<{ url: string; seen: SeenRequest[] }> {
  const seen: SeenRequest[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      handle(req, res, seen.length - 1)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
}

/** A URL where nothing listens: a port that was just free. */
async function unusedUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}`
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

const fastRetries = { retries: 2, retryDelayMs: 10, maxRetryDelayMs: 20 }

const context = {
  project_name: 'P',
  shared_path: './shared',
  instructions_path: './agents/team_roles',
  project_docs_path: './docs',
  database_type: 'sqlite',
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail')
}

describe('HeadlessPMClient against a misbehaving server', () => {
  it('sends the key and a request id, and returns the parsed reply', async () => {
    const { url, seen } = await startScriptedServer((_req, res) =>
      json(res, 200, { ...context, extra: 'ignored' }),
    )
    const client = new HeadlessPMClient({ baseUrl: `${url}/api/v1/`, apiKey: 'k-123456789' })

    const result = await client.getContext()

    expect(result).toEqual(context)
    expect(seen[0]?.url).toBe('/api/v1/context')
    expect(seen[0]?.headers['x-api-key']).toBe('k-123456789')
    expect(seen[0]?.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('throws ApiError with status, code, detail and request id when the server answers 500', async () => {
    const { url } = await startScriptedServer((_req, res) =>
      json(res, 500, {
        detail: 'internal server error (request r-1)',
        code: 'internal',
        request_id: 'r-1',
      }),
    )
    const client = new HeadlessPMClient({ baseUrl: url, ...fastRetries })

    const error = await caught(client.listTasks())

    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({
      status: 500,
      code: 'internal',
      detail: 'internal server error (request r-1)',
      message: 'internal server error (request r-1)',
      requestId: 'r-1',
      endpoint: 'GET /api/v1/tasks',
    })
  })

  it('keeps the list of validation messages when the server answers 422', async () => {
    const { url } = await startScriptedServer((_req, res) =>
      json(res, 422, {
        detail: ['body.role: Invalid option', 'body.level: Required'],
        code: 'validation_failed',
      }),
    )
    const client = new HeadlessPMClient({ baseUrl: url })

    const error = await caught(client.registerAgent({ agent_id: 'a', role: 'qa', level: 'junior' }))

    expect(error).toMatchObject({
      status: 422,
      code: 'validation_failed',
      detail: ['body.role: Invalid option', 'body.level: Required'],
    })
    expect((error as Error).message).toBe('body.role: Invalid option; body.level: Required')
  })

  it('reports the status and body start when an error reply is not JSON', async () => {
    const { url } = await startScriptedServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html', 'x-request-id': 'proxy-9' })
      res.end('<html><body>Bad Gateway</body></html>')
    })
    const client = new HeadlessPMClient({ baseUrl: url })

    const error = await caught(client.listEpics())

    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 502, code: 'unavailable', requestId: 'proxy-9' })
    expect((error as Error).message).toContain('GET /api/v1/epics failed with HTTP 502')
    expect((error as Error).message).toContain('Bad Gateway')
  })

  it('throws ApiError invalid_response when a 200 reply is not JSON', async () => {
    const { url } = await startScriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('hello, I am not the API')
    })
    const client = new HeadlessPMClient({ baseUrl: url })

    const error = await caught(client.listAgents())

    expect(error).toMatchObject({ status: 200, code: 'invalid_response' })
    expect((error as Error).message).toContain('not JSON: hello, I am not the API')
  })

  it('throws ApiError invalid_response naming the field when a reply drifts from the contract', async () => {
    const { url } = await startScriptedServer((_req, res) =>
      json(res, 200, { ...context, database_type: 'oracle' }),
    )
    const client = new HeadlessPMClient({ baseUrl: url })

    const error = await caught(client.getContext())

    expect(error).toMatchObject({ code: 'invalid_response' })
    expect((error as ApiError).detail[0]).toMatch(/^GET \/api\/v1\/context reply database_type: /)
  })

  it('throws ApiUnavailableError timeout without retrying when the server never answers', async () => {
    const { url, seen } = await startScriptedServer(() => {
      // Never answers.
    })
    const client = new HeadlessPMClient({ baseUrl: url, timeoutMs: 150, ...fastRetries })

    const error = await caught(client.listTasks())

    expect(error).toBeInstanceOf(ApiUnavailableError)
    expect(error).toMatchObject({ reason: 'timeout', baseUrl: url })
    expect((error as Error).message).toContain(
      `no answer from the Headless PM server at ${url} within 0.2 s`,
    )
    expect(seen).toHaveLength(1)
  })

  it('times out when the server sends headers and then stalls the body', async () => {
    const { url } = await startScriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"project_name":')
    })
    const client = new HeadlessPMClient({ baseUrl: url, timeoutMs: 150 })

    const error = await caught(client.getContext())

    expect(error).toMatchObject({ name: 'ApiUnavailableError', reason: 'timeout' })
  })

  it('uses the per-call timeout over the client default', async () => {
    const { url } = await startScriptedServer(() => {})
    const client = new HeadlessPMClient({ baseUrl: url, timeoutMs: 60_000 })

    const error = await caught(client.getTask(1, { timeoutMs: 100 }))

    expect(error).toMatchObject({ reason: 'timeout' })
    expect((error as Error).message).toContain(
      `no answer from the Headless PM server at ${url} within 0.1 s`,
    )
  })

  it('retries an idempotent call after dropped connections, then throws ApiUnavailableError', async () => {
    const { url, seen } = await startScriptedServer((req) => req.socket.destroy())
    const client = new HeadlessPMClient({ baseUrl: url, ...fastRetries })

    const error = await caught(client.listAgents())

    expect(error).toBeInstanceOf(ApiUnavailableError)
    expect(error).toMatchObject({ reason: 'connection_failed', attempts: 3 })
    expect((error as Error).message).toContain(`cannot reach the Headless PM server at ${url}`)
    expect((error as Error).message).toContain('after 3 attempts')
    expect(seen).toHaveLength(3)
    expect(new Set(seen.map((s) => s.headers['x-request-id'])).size).toBe(1)
  })

  it('returns the answer when a retry after a dropped connection succeeds', async () => {
    const { url, seen } = await startScriptedServer((req, res, index) => {
      if (index === 0) req.socket.destroy()
      else json(res, 200, [])
    })
    const client = new HeadlessPMClient({ baseUrl: url, ...fastRetries })

    const agents = await client.listAgents()

    expect(agents).toEqual([])
    expect(seen).toHaveLength(2)
  })

  it('does not retry a create after a dropped connection', async () => {
    const { url, seen } = await startScriptedServer((req) => req.socket.destroy())
    const client = new HeadlessPMClient({ baseUrl: url, ...fastRetries })

    const error = await caught(client.createEpic({ name: 'E', description: 'd' }, 'pm_1'))

    expect(error).toMatchObject({
      name: 'ApiUnavailableError',
      reason: 'connection_failed',
      attempts: 1,
    })
    expect(seen).toHaveLength(1)
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ name: 'E', description: 'd' })
  })

  it('throws ApiUnavailableError refused naming the URL and `hpm serve` when nothing listens', async () => {
    const url = await unusedUrl()
    const client = new HeadlessPMClient({ baseUrl: url, ...fastRetries })

    const error = await caught(
      client.createTask(
        {
          feature_id: 1,
          title: 't',
          description: '',
          target_role: 'qa',
          difficulty: 'junior',
          branch: '',
        },
        'pm',
      ),
    )

    expect(error).toBeInstanceOf(ApiUnavailableError)
    expect(error).toMatchObject({ reason: 'refused', attempts: 3 })
    expect((error as Error).message).toBe(
      `cannot reach the Headless PM server at ${url} (POST /api/v1/tasks/create) after 3 attempts (connection refused); ` +
        'start it with `hpm serve`, or point HEADLESS_PM_API_URL (or --url) at a running server',
    )
  })

  it('rethrows the caller abort reason instead of wrapping it', async () => {
    const { url } = await startScriptedServer(() => {})
    const client = new HeadlessPMClient({ baseUrl: url })
    const controller = new AbortController()
    const reason = new Error('stopped by test')
    setTimeout(() => controller.abort(reason), 50)

    const error = await caught(
      client.claimTask({ agent_id: 'a', timeout: 60 }, { signal: controller.signal }),
    )

    expect(error).toBe(reason)
  })

  it('builds query strings from defined values only', async () => {
    const { url, seen } = await startScriptedServer((_req, res) => json(res, 200, null))
    const client = new HeadlessPMClient({ baseUrl: url })

    const task = await client.nextTask({
      role: 'backend_dev',
      level: 'senior',
      timeout: 0,
      agent_id: undefined,
    })

    expect(task).toBeNull()
    expect(seen[0]?.url).toBe('/api/v1/tasks/next?role=backend_dev&level=senior&timeout=0')
  })

  it('yields server-sent events in order and stops when aborted', async () => {
    const event = (id: number) => ({
      id,
      type: 'task_created',
      timestamp: '2026-01-01T00:00:00.000Z',
      data: { task_id: id },
    })
    const { url, seen } = await startScriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(
        `retry: 3000\n: connected\n\nid: 1\nevent: task_created\ndata: ${JSON.stringify(event(1))}\n\n`,
      )
      setTimeout(
        () => res.write(`id: 2\nevent: task_created\ndata: ${JSON.stringify(event(2))}\n\n`),
        20,
      )
    })
    const client = new HeadlessPMClient({ baseUrl: url })
    const controller = new AbortController()
    const ids: number[] = []

    for await (const change of client.streamEvents({ afterId: 0, signal: controller.signal })) {
      ids.push(change.id)
      if (ids.length === 2) controller.abort()
    }

    expect(ids).toEqual([1, 2])
    expect(seen[0]?.url).toBe('/api/v1/events?after_id=0')
  })
})

describe('HeadlessPMClient against the real server', () => {
  let server: TestServer
  let client: HeadlessPMClient

  beforeAll(async () => {
    server = await startTestServer()
    client = new HeadlessPMClient({ baseUrl: server.url, apiKey: server.apiKey })
  })
  afterAll(async () => {
    await server.close()
  })

  it('runs a task through claim, dev_done and the run record', async () => {
    await client.registerAgent({ agent_id: 'pm_c', role: 'pm', level: 'principal' })
    await client.registerAgent({ agent_id: 'dev_c', role: 'backend_dev', level: 'senior' })
    const epic = await client.createEpic({ name: 'E', description: 'd' }, 'pm_c')
    const feature = await client.createFeature(
      { epic_id: epic.id, name: 'F', description: 'd' },
      'pm_c',
    )
    const created = await client.createTask(
      {
        feature_id: feature.id,
        title: 'T',
        description: 'd',
        target_role: 'backend_dev',
        difficulty: 'junior',
        branch: 'feature/t',
      },
      'pm_c',
    )

    const claimed = await client.claimTask({ agent_id: 'dev_c', timeout: 0 })
    const update = await client.updateStatus(
      created.id,
      { status: 'dev_done', notes: 'done @qa' },
      'dev_c',
    )
    const run = await client.recordRun(created.id, {
      agent_id: 'dev_c',
      outcome: 'succeeded',
      started_at: '2026-01-01T00:00:00Z',
      finished_at: '2026-01-01T00:01:00Z',
    })
    const detail = await client.getTask(created.id)

    expect(claimed).toMatchObject({ id: created.id, status: 'under_work', locked_by: 'dev_c' })
    expect(update.task.status).toBe('dev_done')
    expect(run.duration_ms).toBe(60_000)
    expect(await client.listRuns(created.id)).toHaveLength(1)
    expect(detail.comments.map((c) => c.body)).toContain('done @qa')
  })

  it('streams the activity feed from /events, replaying after the given id', async () => {
    await client.registerAgent({ agent_id: 'pm_s', role: 'pm', level: 'senior' })
    const epic = await client.createEpic({ name: 'Streamed', description: 'd' }, 'pm_s')
    const controller = new AbortController()
    const seen: string[] = []

    for await (const change of client.streamEvents({ afterId: 0, signal: controller.signal })) {
      seen.push(change.type)
      if (change.type === 'epic_created' && change.data.epic_id === epic.id) controller.abort()
    }

    expect(seen).toContain('agent_registered')
    expect(seen.at(-1)).toBe('epic_created')
  })

  it('throws ApiError unauthorized when the key is wrong', async () => {
    const wrong = new HeadlessPMClient({ baseUrl: server.url, apiKey: 'wrong-key-123' })

    const error = await caught(wrong.listTasks())

    expect(error).toMatchObject({ status: 401, code: 'unauthorized', detail: 'Invalid API key' })
    expect((error as ApiError).requestId).toBeTruthy()
  })

  it('finds a task, or undefined when the server answers 404', async () => {
    await client.registerAgent({ agent_id: 'pm_f', role: 'pm', level: 'principal' })
    const epic = await client.createEpic({ name: 'Found', description: 'd' }, 'pm_f')
    const feature = await client.createFeature(
      { epic_id: epic.id, name: 'F', description: 'd' },
      'pm_f',
    )
    const created = await client.createTask(
      {
        feature_id: feature.id,
        title: 'Findable',
        description: 'd',
        target_role: 'backend_dev',
        difficulty: 'junior',
        branch: 'b',
      },
      'pm_f',
    )

    const [found, missing] = await Promise.all([
      client.findTask(created.id),
      client.findTask(99_999),
    ])

    expect(found).toMatchObject({ id: created.id, title: 'Findable', comments: [] })
    expect(missing).toBeUndefined()
  })

  it('records a run and returns the failure budget, and sends the commit with dev_done', async () => {
    await client.registerAgent({ agent_id: 'pm_b', role: 'pm', level: 'principal' })
    await client.registerAgent({ agent_id: 'dev_b', role: 'backend_dev', level: 'senior' })
    const epic = await client.createEpic({ name: 'Budget', description: 'd' }, 'pm_b')
    const feature = await client.createFeature(
      { epic_id: epic.id, name: 'F', description: 'd' },
      'pm_b',
    )
    const created = await client.createTask(
      {
        feature_id: feature.id,
        title: 'B',
        description: 'd',
        target_role: 'backend_dev',
        difficulty: 'junior',
        branch: 'b',
      },
      'pm_b',
    )
    await client.lockTask(created.id, 'dev_b')

    const run = await client.recordRun(created.id, {
      agent_id: 'dev_b',
      outcome: 'succeeded',
      verdict: 'failed',
      verdict_reason: 'no commits',
      started_at: '2026-01-01T00:00:00Z',
      finished_at: '2026-01-01T00:01:00Z',
    })
    const update = await client.updateStatus(
      created.id,
      { status: 'dev_done', work_branch: 'task-b', work_commit: 'abcdef1' },
      'dev_b',
    )
    const edited = await client.updateTask(created.id, { work_commit: null }, 'pm_b')

    expect(run).toMatchObject({
      outcome: 'succeeded',
      verdict: 'failed',
      verdict_reason: 'no commits',
      failure_budget: { failures: 1, max_failures: 6, is_spent: false },
    })
    expect(update.task).toMatchObject({
      status: 'dev_done',
      failures: 1,
      work_branch: 'task-b',
      work_commit: 'abcdef1',
    })
    expect(edited).toMatchObject({ work_branch: 'task-b', work_commit: null })
  })

  it('throws ApiError task_not_found or not_found for a missing task', async () => {
    const error = await caught(client.getTask(99_999))

    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(404)
  })
})
