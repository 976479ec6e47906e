import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'

import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { TOOLS } from '../../../src/mcp/index.js'
import { seedProject, snapshotDatabase, uniqueId } from '../../helpers/fixtures.js'
import type { Project } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'
import { callError, callOk, connectMcp, HPM } from './mcp-world.js'
import type { TransportName } from './mcp-world.js'

let server: TestServer
let project: Project
const clients: Client[] = []

beforeAll(async () => {
  server = await startTestServer()
  project = await seedProject(server.api)
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)))
  await server.close()
})

async function connect(
  transport: TransportName,
  options: Parameters<typeof connectMcp>[2] = {},
): Promise<Client> {
  const client = await connectMcp(server, transport, options)
  clients.push(client)
  return client
}

const EXPECTED_TOOLS = [
  'register_agent',
  'get_context',
  'claim_task',
  'get_next_task',
  'lock_task',
  'unlock_task',
  'update_task_status',
  'get_task',
  'list_tasks',
  'create_epic',
  'create_feature',
  'create_task',
  'approve_task',
  'add_comment',
  'list_runs',
  'create_document',
  'list_documents',
  'get_document',
  'update_document',
  'get_mentions',
  'mark_mention_read',
  'register_service',
  'service_heartbeat',
  'list_services',
  'poll_changes',
  'heartbeat',
]

describe.each(['stdio', 'http'] as const)('MCP over %s', (transport) => {
  it('lists every agent action as a tool with a description, the resources and the role prompts', async () => {
    const client = await connect(transport)

    const { tools } = await client.listTools()
    const { resources } = await client.listResources()
    const { resourceTemplates } = await client.listResourceTemplates()
    const { prompts } = await client.listPrompts()

    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(EXPECTED_TOOLS))
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS.map((t) => t.name).sort())
    for (const tool of tools) expect(tool.description?.length, tool.name).toBeGreaterThan(20)
    expect(tools.find((t) => t.name === 'create_task')?.inputSchema.properties).toMatchObject({
      target_role: {
        enum: ['frontend_dev', 'backend_dev', 'fullstack_dev', 'qa', 'architect', 'pm'],
      },
      difficulty: { enum: ['junior', 'senior', 'principal'] },
    })
    expect(resources.map((r) => r.uri)).toEqual(
      expect.arrayContaining([
        'headless-pm://task/current',
        'headless-pm://agents',
        'headless-pm://epics',
        'headless-pm://documents/recent',
        'headless-pm://services',
        'headless-pm://changelog',
        'headless-pm://context',
      ]),
    )
    expect(resourceTemplates.map((r) => r.uriTemplate)).toEqual(['headless-pm://tasks/{status}'])
    expect(prompts.map((p) => p.name).sort()).toEqual([
      'architect',
      'backend_dev',
      'frontend_dev',
      'fullstack_dev',
      'pm',
      'qa',
    ])
  })

  it('runs the whole flow through tools alone: plan, propose, approve, claim, dev_done, review, qa_done', async () => {
    const [pmId, devId, qaId] = [uniqueId('pm'), uniqueId('mcpdev'), uniqueId('qa')]
    const pm = await connect(transport, { agent: { id: pmId, role: 'pm', level: 'principal' } })
    const dev = await connect(transport, { agent: { id: devId } })
    const qa = await connect(transport, { agent: { id: qaId, role: 'qa', level: 'junior' } })

    await callOk(pm, 'register_agent')
    // The dev's session knows only its id: role and level come with the call.
    await callOk(dev, 'register_agent', { role: 'fullstack_dev', level: 'senior' })
    await callOk(qa, 'register_agent')
    const { epic } = await callOk(pm, 'create_epic', {
      name: uniqueId('epic'),
      description: 'through MCP',
    })
    const { feature } = await callOk(pm, 'create_feature', {
      epic_id: epic.id,
      name: 'f',
      description: 'd',
    })
    const { task: proposed } = await callOk(dev, 'create_task', {
      feature_id: feature.id,
      title: uniqueId('mcp task'),
      description: 'proposed by a dev',
      target_role: 'fullstack_dev',
      difficulty: 'senior',
      branch: 'feature/mcp',
    })
    const { task: approved } = await callOk(pm, 'approve_task', {
      task_id: proposed.id,
      notes: 'go',
    })
    const { task: claimed } = await callOk(dev, 'claim_task', { timeout: 0 })
    await callOk(dev, 'add_comment', { task_id: claimed.id, comment: `@${qaId} ready soon` })
    const done = await callOk(dev, 'update_task_status', {
      task_id: claimed.id,
      status: 'dev_done',
      notes: 'run the tests',
    })
    const { mentions } = await callOk(qa, 'get_mentions')
    const { task: review } = await callOk(qa, 'claim_task', { timeout: 0 })
    const passed = await callOk(qa, 'update_task_status', {
      task_id: review.id,
      status: 'qa_done',
      notes: 'all good',
    })
    const { task: final } = await callOk(pm, 'get_task', { task_id: proposed.id })

    expect(proposed.status).toBe('pending')
    expect(approved.status).toBe('created')
    expect(claimed).toMatchObject({ id: proposed.id, status: 'under_work', locked_by: devId })
    expect(done.task).toMatchObject({ status: 'dev_done' })
    expect(mentions.map((m: any) => m.task_id)).toContain(proposed.id)
    expect(review).toMatchObject({ id: proposed.id, locked_by: qaId })
    expect(passed.task).toMatchObject({ status: 'qa_done' })
    expect(final.comments.map((c: any) => c.body)).toEqual(
      expect.arrayContaining([`@${qaId} ready soon`, 'run the tests', 'all good']),
    )
  })

  it('waits in claim_task, sending progress, and returns a task created while it waits', async () => {
    const role = transport === 'stdio' ? 'architect' : 'frontend_dev'
    const agentId = uniqueId(`waiter_${transport}`)
    const client = await connect(transport, { agent: { id: agentId, role, level: 'principal' } })
    await callOk(client, 'register_agent')
    const progress: string[] = []

    const waiting = client.callTool({ name: 'claim_task', arguments: { timeout: 5 } }, undefined, {
      onprogress: (p) => progress.push(p.message ?? String(p.progress)),
      resetTimeoutOnProgress: true,
    })
    const created = new Promise<any>((resolve, reject) =>
      setTimeout(() => {
        server
          .api(`/api/v1/tasks/create?agent_id=${project.pm}`, {
            method: 'POST',
            body: {
              feature_id: project.featureId,
              title: uniqueId('late'),
              description: 'd',
              target_role: role,
              difficulty: 'principal',
              branch: 'b',
            },
          })
          .then((res) => resolve(res.body), reject)
      }, 2000),
    )
    const [result, task] = await Promise.all([waiting, created])

    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toMatchObject({
      task: { id: task.id, locked_by: agentId, status: 'under_work' },
    })
    expect(progress.length).toBeGreaterThan(0)
    expect(progress[0]).toMatch(/waiting for a task: \d+ s of 5 s/)
  })

  it('answers bad arguments with a tool error naming the field and the valid values, and changes nothing', async () => {
    const client = await connect(transport, {
      agent: { id: uniqueId('pm'), role: 'pm', level: 'principal' },
    })
    await callOk(client, 'register_agent')
    const before = await snapshotDatabase(server)

    const badLevel = await callError(client, 'create_task', {
      feature_id: project.featureId,
      title: 't',
      description: 'd',
      target_role: 'backend_dev',
      difficulty: 'godlike',
      branch: 'b',
    })
    const badType = await callError(client, 'get_task', { task_id: 'seven' })
    const missing = await callError(client, 'create_epic', { description: 'no name' })

    expect(badLevel).toMatch(/difficulty/)
    expect(badLevel).toMatch(/junior.*senior.*principal/)
    expect(badType).toMatch(/task_id/)
    expect(missing).toMatch(/name/)
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it("passes the server's detail and code back as a tool error", async () => {
    const client = await connect(transport)

    const text = await callError(client, 'get_task', { task_id: 999_999 })
    const noAgent = await callError(client, 'claim_task', { timeout: 0 })

    expect(text).toMatch(/999999.*\(task_not_found, HTTP 404\)/)
    expect(noAgent).toContain('agent_id is required')
  })

  it('reads resources: the current task, tasks by status, the context', async () => {
    const agentId = uniqueId('res')
    const client = await connect(transport, {
      agent: { id: agentId, role: 'qa', level: 'principal' },
    })
    await callOk(client, 'register_agent')

    const current = await client.readResource({ uri: 'headless-pm://task/current' })
    const pending = await client.readResource({ uri: 'headless-pm://tasks/pending' })
    const context = await client.readResource({ uri: 'headless-pm://context' })

    const json = (read: typeof current) => JSON.parse((read.contents[0] as { text: string }).text)
    expect(json(current)).toEqual({ task: null })
    expect(Array.isArray(json(pending))).toBe(true)
    expect(json(context)).toMatchObject({ project_name: 'Headless PM' })
  })

  it('gives a role prompt that maps hpm commands to tools', async () => {
    const client = await connect(transport)

    const prompt = await client.getPrompt({
      name: 'backend_dev',
      arguments: { agent_id: 'backend_dev_senior_007', level: 'senior' },
    })

    const text = prompt.messages
      .map((m) => (m.content.type === 'text' ? m.content.text : ''))
      .join('\n')
    expect(text).toContain('hpm tasks status → update_task_status')
    expect(text).toContain('backend_dev_senior_007')
    expect(text).toContain('Backend developer')
  })
})

describe('MCP over stdio', () => {
  it('acts as the agent registered in the session when a call names none', async () => {
    const agentId = uniqueId('remembered')
    const client = await connect('stdio')

    await callOk(client, 'register_agent', {
      agent_id: agentId,
      role: 'backend_dev',
      level: 'junior',
    })
    const beat = await callOk(client, 'heartbeat')

    expect(beat.agent).toMatchObject({ agent_id: agentId })
  })

  it('answers with a tool error, not a crash, while the server is down, and works once it answers', async () => {
    const client = await connect('stdio', {
      apiUrl: 'http://127.0.0.1:10',
      agent: { id: uniqueId('down') },
    })

    const text = await callError(client, 'heartbeat')
    const tools = await client.listTools()

    expect(text).toContain('the Headless PM server at http://127.0.0.1:10 cannot be reached')
    expect(tools.tools.length).toBe(TOOLS.length)
  })
})

describe('hpm mcp', () => {
  it('writes nothing but protocol messages to stdout, and exits when stdin closes', async () => {
    const child = spawn(process.execPath, [HPM, 'mcp', '--agent-id', 'quiet_001'], {
      cwd: tmpdir(),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: tmpdir(),
        HEADLESS_PM_API_URL: server.url,
        HEADLESS_PM_API_KEY: server.apiKey,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    )
    const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`)

    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1' },
      },
    })
    send({ jsonrpc: '2.0', method: 'notifications/initialized' })
    send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'heartbeat', arguments: {} },
    })
    while (!stdout.includes('"id":2') && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 50))
    child.stdin.end()
    const code = await exited
    clearTimeout(killer)

    const lines = stdout.trim().split('\n')
    expect(lines.map((line) => JSON.parse(line).jsonrpc)).toEqual(lines.map(() => '2.0'))
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ id: 2, result: { isError: true } })
    expect(stderr).toContain('headless-pm MCP server on stdio')
    expect(code).toBe(0)
  })
})

describe('MCP over HTTP', () => {
  it.each([
    ['no key', {}],
    ['a wrong key', { 'X-API-Key': 'wrong-key-123456' }],
  ])('refuses a request with %s (401)', async (_what, headers) => {
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })

    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ code: 'unauthorized' })
  })

  it('answers GET with 405: the endpoint keeps no sessions', async () => {
    const res = await fetch(`${server.url}/mcp`, { headers: { 'X-API-Key': server.apiKey } })

    expect(res.status).toBe(405)
  })

  it('refuses an X-Agent-Level that is not a level, naming the valid ones', async () => {
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'X-API-Key': server.apiKey,
        'X-Agent-Level': 'godlike',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })

    expect(res.status).toBe(400)
    expect(((await res.json()) as { detail: string }).detail).toContain('junior, senior, principal')
  })
})
