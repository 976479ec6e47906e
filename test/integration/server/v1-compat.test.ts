import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

// A client written against v1 (reference §5): plain HTTP with X-API-Key, agent ids in the query
// string, JSON bodies, no knowledge of claims, leases or the new endpoints.
let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

class V1Client {
  readonly base: string
  readonly apiKey: string

  constructor(base: string, apiKey: string) {
    this.base = base
    this.apiKey = apiKey
  }

  async call(
    method: string,
    path: string,
    params: Record<string, string | number | undefined> = {},
    json?: unknown,
  ): Promise<any> {
    const url = new URL(`/api/v1${path}`, this.base)
    for (const [k, v] of Object.entries(params))
      if (v !== undefined) url.searchParams.set(k, String(v))
    const headers: Record<string, string> = { 'X-API-Key': this.apiKey }
    if (json !== undefined) headers['Content-Type'] = 'application/json'
    const res = await fetch(url, {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`HTTP ${res.status} ${method} ${path}: ${text}`)
    return text === '' ? {} : JSON.parse(text)
  }

  register(agentId: string, role: string, level: string) {
    return this.call(
      'POST',
      '/register',
      {},
      { agent_id: agentId, role, level, connection_type: 'client' },
    )
  }
  context() {
    return this.call('GET', '/context')
  }
  createEpic(name: string, description: string, agentId: string) {
    return this.call('POST', '/epics', { agent_id: agentId }, { name, description })
  }
  listEpics() {
    return this.call('GET', '/epics')
  }
  createFeature(epicId: number, name: string, description: string, agentId: string) {
    return this.call(
      'POST',
      '/features',
      { agent_id: agentId },
      { epic_id: epicId, name, description },
    )
  }
  listFeatures(epicId: number) {
    return this.call('GET', `/features/${epicId}`)
  }
  createTask(agentId: string, task: Record<string, unknown>) {
    return this.call('POST', '/tasks/create', { agent_id: agentId }, task)
  }
  listTasks(status?: string, role?: string) {
    return this.call('GET', '/tasks', { status, role })
  }
  nextTask(role: string, level: string) {
    return this.call('GET', '/tasks/next', { role, level })
  }
  lockTask(taskId: number, agentId: string) {
    return this.call('POST', `/tasks/${taskId}/lock`, { agent_id: agentId })
  }
  updateStatus(taskId: number, status: string, agentId: string, notes?: string) {
    return this.call(
      'PUT',
      `/tasks/${taskId}/status`,
      { agent_id: agentId },
      notes ? { status, notes } : { status },
    )
  }
  comment(taskId: number, comment: string, agentId: string) {
    return this.call('POST', `/tasks/${taskId}/comment`, { agent_id: agentId }, { comment })
  }
  createDocument(authorId: string, doc: Record<string, unknown>) {
    return this.call('POST', '/documents', { author_id: authorId }, doc)
  }
  listDocuments(docType?: string, authorId?: string, limit = 50) {
    return this.call('GET', '/documents', { doc_type: docType, author_id: authorId, limit })
  }
  getDocument(id: number) {
    return this.call('GET', `/documents/${id}`)
  }
  updateDocument(id: number, fields: Record<string, unknown>) {
    return this.call('PUT', `/documents/${id}`, {}, fields)
  }
  deleteDocument(id: number) {
    return this.call('DELETE', `/documents/${id}`)
  }
  registerService(agentId: string, service: Record<string, unknown>) {
    return this.call('POST', '/services/register', { agent_id: agentId }, service)
  }
  listServices() {
    return this.call('GET', '/services')
  }
  heartbeat(name: string, agentId: string) {
    return this.call('POST', `/services/${name}/heartbeat`, { agent_id: agentId })
  }
  unregisterService(name: string, agentId: string) {
    return this.call('DELETE', `/services/${name}`, { agent_id: agentId })
  }
  mentions(agentId: string, unreadOnly = true) {
    // Python's requests renders a bool parameter as True/False.
    return this.call('GET', '/mentions', {
      agent_id: agentId,
      unread_only: unreadOnly ? 'True' : 'False',
      limit: 50,
    })
  }
  markMentionRead(id: number, agentId: string) {
    return this.call('PUT', `/mentions/${id}/read`, { agent_id: agentId })
  }
  changes(since: string | number, agentId: string) {
    return this.call('GET', '/changes', { since, agent_id: agentId })
  }
  changelog(limit = 50) {
    return this.call('GET', '/changelog', { limit })
  }
  listAgents() {
    return this.call('GET', '/agents')
  }
  deleteAgent(agentId: string, requester: string) {
    return this.call('DELETE', `/agents/${agentId}`, { requester_agent_id: requester })
  }
}

describe('a v1 client', () => {
  it('runs the whole v1 happy path when it only speaks the v1 API', async () => {
    const v1 = new V1Client(server.url, server.apiKey)
    const startedAt = Math.floor(Date.now() / 1000) - 1
    const pm = 'pm_principal_001'
    const dev = 'backend_dev_senior_001'
    const qa = 'qa_senior_001'

    // Register, read context.
    const reg = await v1.register(pm, 'pm', 'principal')
    await v1.register(dev, 'backend_dev', 'senior')
    const qaReg = await v1.register(qa, 'qa', 'senior')
    expect(reg.agent).toMatchObject({
      agent_id: pm,
      role: 'pm',
      level: 'principal',
      connection_type: 'client',
    })
    expect(qaReg).toMatchObject({ next_task: null, mentions: [] })
    expect(await v1.context()).toMatchObject({
      project_name: 'Headless PM',
      shared_path: './shared',
      instructions_path: './agent_instructions',
      project_docs_path: './docs',
      database_type: expect.any(String),
    })

    // Plan: epic, feature, task.
    const epic = await v1.createEpic('User Authentication', 'Login and sessions', pm)
    const feature = await v1.createFeature(epic.id, 'Login System', 'Login form and API', pm)
    expect((await v1.listEpics()).map((e: any) => e.name)).toContain('User Authentication')
    expect(await v1.listFeatures(epic.id)).toEqual([
      expect.objectContaining({ id: feature.id, name: 'Login System' }),
    ])
    const task = await v1.createTask(pm, {
      feature_id: feature.id,
      title: 'JWT login endpoint',
      description: 'POST /login returning a JWT',
      target_role: 'backend_dev',
      difficulty: 'senior',
      complexity: 'minor',
      branch: 'feature/jwt-login',
    })
    expect(task).toMatchObject({
      status: 'created',
      created_by: pm,
      epic_id: epic.id,
      task_type: 'regular',
      poll_interval: null,
    })
    // v1's pm prompt then "promotes" its own new task to created: a no-op, not an error.
    expect((await v1.updateStatus(task.id, 'created', pm, 'ready for work')).task).toMatchObject({
      id: task.id,
      status: 'created',
    })
    // A dev's own proposal waits for the pm, who promotes it the v1 way.
    const proposal = await v1.createTask(dev, {
      ...task,
      title: 'Refresh tokens',
      feature_id: feature.id,
    })
    expect(proposal.status).toBe('pending')
    expect((await v1.listTasks('pending')).map((t: any) => t.id)).toContain(proposal.id)
    await v1.updateStatus(proposal.id, 'created', pm, 'approved for sprint 1')

    // Dev: next, lock, under_work, dev_done.
    const next = await v1.nextTask('backend_dev', 'senior')
    expect(next).toMatchObject({ id: task.id, locked_by: null })
    const locked = await v1.lockTask(next.id, dev)
    expect(locked.locked_by).toBe(dev)
    const working = await v1.updateStatus(task.id, 'under_work', dev, 'Starting on the endpoint')
    expect(working.task).toMatchObject({ status: 'under_work', locked_by: dev })
    expect(working.task.notes).toContain('Starting on the endpoint')
    await v1.comment(task.id, `Endpoint ready, @${qa} please test`, dev)
    const devDone = await v1.updateStatus(task.id, 'dev_done', dev, 'Implemented with tests')
    expect(devDone.task).toMatchObject({ status: 'dev_done', locked_by: null })
    expect(devDone).toMatchObject({
      task_completed: task.id,
      workflow_status: 'continue',
      next_task: { id: proposal.id },
    })

    // QA: mention, next, lock, under_work, qa_done; then committed.
    const [mention] = await v1.mentions(qa)
    expect(mention).toMatchObject({
      task_id: task.id,
      task_title: 'JWT login endpoint',
      created_by: dev,
      is_read: false,
    })
    expect((await v1.markMentionRead(mention.id, qa)).is_read).toBe(true)
    expect(await v1.mentions(qa)).toEqual([])
    const qaNext = await v1.nextTask('qa', 'senior')
    expect(qaNext).toMatchObject({ id: task.id, status: 'dev_done' })
    await v1.lockTask(task.id, qa)
    await v1.updateStatus(task.id, 'under_work', qa, 'Testing')
    const qaDone = await v1.updateStatus(task.id, 'qa_done', qa, 'All tests pass')
    expect(qaDone.task).toMatchObject({ status: 'qa_done', locked_by: null })
    const committed = await v1.updateStatus(task.id, 'committed', dev, 'Merged to main')
    expect(committed.task.status).toBe('committed')
    expect(committed.task.notes).toContain(`${dev}: Endpoint ready, @${qa} please test`)
    expect((await v1.listEpics()).find((e: any) => e.id === epic.id)).toMatchObject({
      task_count: 2,
      completed_task_count: 1,
    })

    // Documents with a mention, read back, updated, deleted.
    const doc = await v1.createDocument(dev, {
      doc_type: 'update',
      title: 'Login shipped',
      content: `JWT login is live. @${pm} FYI`,
      meta_data: { pr: 12 },
    })
    expect(doc.mentions).toEqual([pm])
    expect((await v1.listDocuments('update', dev)).map((d: any) => d.id)).toEqual([doc.id])
    expect(await v1.getDocument(doc.id)).toMatchObject({
      title: 'Login shipped',
      meta_data: { pr: 12 },
    })
    expect(
      (await v1.updateDocument(doc.id, { content: `Now with refresh tokens. @${pm}` })).content,
    ).toBe(`Now with refresh tokens. @${pm}`)
    expect((await v1.mentions(pm)).map((m: any) => m.document_id)).toContain(doc.id)
    expect(await v1.deleteDocument(doc.id)).toEqual({ message: 'Document deleted successfully' })

    // Services.
    const svc = await v1.registerService(dev, {
      service_name: 'auth-api',
      ping_url: 'http://localhost:8000/health',
      port: 8000,
    })
    expect(svc).toMatchObject({
      service_name: 'auth-api',
      owner_agent_id: dev,
      status: 'up',
      port: 8000,
    })
    expect((await v1.listServices()).map((s: any) => s.service_name)).toEqual(['auth-api'])
    expect((await v1.heartbeat('auth-api', dev)).status).toBe('up')
    expect(await v1.unregisterService('auth-api', dev)).toEqual({
      message: 'Service auth-api unregistered successfully',
    })

    // Activity: changes since the start (unix seconds, as the v1 client's help says), changelog.
    const changes = await v1.changes(startedAt, dev)
    const taskUpdates = changes.changes.filter(
      (c: any) => c.type === 'task_updated' && c.data.task_id === task.id,
    )
    // As v1: creation and every status call (a re-statement too, and our lock) is a task_updated.
    expect(taskUpdates.map((c: any) => c.data.new_status)).toEqual([
      'created',
      'created',
      'under_work',
      'under_work',
      'dev_done',
      'under_work',
      'under_work',
      'qa_done',
      'committed',
    ])
    expect(taskUpdates.map((c: any) => c.kind)).toEqual([
      'task_created',
      'task_updated',
      'task_locked',
      'task_updated',
      'task_updated',
      'task_locked',
      'task_updated',
      'task_updated',
      'task_updated',
    ])
    expect(changes.changes.map((c: any) => c.type)).toEqual(
      expect.arrayContaining(['document_created', 'document_updated', 'task_updated']),
    )
    expect(changes.last_timestamp).toMatch(/Z$/)
    const changelog = await v1.changelog(100)
    expect(changelog[0]).toMatchObject({
      task_id: task.id,
      old_status: 'qa_done',
      new_status: 'committed',
      changed_by: dev,
    })

    // Agents: list, and a second pm removes the first (a pm cannot delete itself).
    expect((await v1.listAgents()).map((a: any) => a.agent_id).sort()).toEqual([dev, pm, qa].sort())
    await v1.register('pm_senior_002', 'pm', 'senior')
    expect((await v1.deleteAgent(pm, 'pm_senior_002')).message).toContain('success')
  })

  it("lets a v1 team's junior QA review principal work, as v1 did", async () => {
    const v1 = new V1Client(server.url, server.apiKey)
    const [pm, dev, qa] = [
      'pm_principal_qa_case',
      'backend_dev_principal_qa_case',
      'qa_junior_qa_case',
    ]
    await v1.register(pm, 'pm', 'principal')
    await v1.register(dev, 'backend_dev', 'principal')
    await v1.register(qa, 'qa', 'junior')
    const epic = await v1.createEpic('Billing', 'Invoices', pm)
    const feature = await v1.createFeature(epic.id, 'Invoices', 'PDF invoices', pm)
    const task = await v1.createTask(pm, {
      feature_id: feature.id,
      title: 'Invoice engine',
      description: 'hard',
      target_role: 'backend_dev',
      difficulty: 'principal',
      complexity: 'major',
      branch: 'feature/invoices',
    })
    await v1.lockTask(task.id, dev)
    await v1.updateStatus(task.id, 'dev_done', dev, 'done')

    const offered = await v1.nextTask('qa', 'junior')
    await v1.lockTask(task.id, qa)
    const passed = await v1.updateStatus(task.id, 'qa_done', qa, 'tested')

    expect(offered).toMatchObject({ id: task.id, status: 'dev_done', difficulty: 'principal' })
    expect(passed.task).toMatchObject({ status: 'qa_done' })
  })
})
