import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  claim,
  expectClientError,
  makeTask,
  registerAgent,
  seedProject,
  setStatus,
  sleep,
  uniqueId,
} from '../../helpers/fixtures.js'
import type { Project } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

let server: TestServer
let project: Project

beforeAll(async () => {
  server = await startTestServer()
  project = await seedProject(server.api)
  // Runs are recorded only for registered agents.
  await registerAgent(server.api, { agent_id: 'r' })
})
afterAll(async () => {
  await server.close()
})

const changes = async (since: string, extra = '') => {
  const res = await server.api(
    `/api/v1/changes?since=${encodeURIComponent(since)}&agent_id=watcher${extra}`,
  )
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body as {
    changes: Array<{ id: number; type: string; kind: string; timestamp: string; data: any }>
    last_timestamp: string
    last_event_id: number
  }
}

/** A moment strictly before the next write, on a millisecond boundary the server has passed. */
async function mark(): Promise<Date> {
  const at = new Date()
  await sleep(5)
  return at
}

/** `date` as an ISO string in the +02:00 zone. */
function withOffset(date: Date): string {
  const shifted = new Date(date.getTime() + 2 * 3600_000).toISOString().replace('Z', '')
  return `${shifted}+02:00`
}

describe('GET /changes', () => {
  it.each([
    ['ISO with Z', (d: Date) => d.toISOString()],
    ['ISO without offset (taken as UTC)', (d: Date) => d.toISOString().replace('Z', '')],
    ['ISO with a +02:00 offset', withOffset],
    ['unix milliseconds', (d: Date) => String(d.getTime())],
  ])('reports a change made after since when since is %s', async (_form, format) => {
    const since = await mark()
    const doc = await server.api(`/api/v1/documents?author_id=${project.pm}`, {
      method: 'POST',
      body: { doc_type: 'update', title: uniqueId('t'), content: 'c' },
    })

    const body = await changes(format(since))

    expect(
      body.changes.filter((c) => c.type === 'document_created').map((c) => c.data.document_id),
    ).toEqual([doc.body.id])
  })

  it('reports changes since that whole second when since is unix seconds', async () => {
    const since = await mark()
    const seconds = Math.floor(since.getTime() / 1000)
    const doc = await server.api(`/api/v1/documents?author_id=${project.pm}`, {
      method: 'POST',
      body: { doc_type: 'update', title: uniqueId('t'), content: 'c' },
    })

    const body = await changes(String(seconds))

    expect(body.changes.map((c) => c.data.document_id)).toContain(doc.body.id)
    expect(body.changes.every((c) => Date.parse(c.timestamp) > seconds * 1000)).toBe(true)
  })

  it('reports nothing made before since when since is after the change', async () => {
    await server.api(`/api/v1/documents?author_id=${project.pm}`, {
      method: 'POST',
      body: { doc_type: 'update', title: 'early', content: 'c' },
    })
    const since = await mark()

    const body = await changes(since.toISOString())

    expect(body.changes).toEqual([])
    expect(body.last_timestamp).toBe(since.toISOString())
  })

  it('reports a document once, as created, when it was created after since', async () => {
    const since = await mark()
    const doc = await server.api(`/api/v1/documents?author_id=${project.pm}`, {
      method: 'POST',
      body: { doc_type: 'update', title: 'once', content: 'c' },
    })

    const body = await changes(since.toISOString())

    const aboutDoc = body.changes.filter((c) => c.data.document_id === doc.body.id)
    expect(aboutDoc.map((c) => c.type)).toEqual(['document_created'])
    expect(aboutDoc[0]?.data).toMatchObject({
      doc_type: 'update',
      title: 'once',
      author_id: project.pm,
    })
  })

  it('reports creation, claim and status change in order with v1 task_updated data when a task moves', async () => {
    const since = await mark()
    const dev = await registerAgent(server.api, { role: 'frontend_dev', level: 'principal' })
    const task = await makeTask(server.api, project, {
      target_role: 'frontend_dev',
      difficulty: 'principal',
    })
    await claim(server.api, dev)
    await setStatus(server.api, task.id, dev, 'dev_done', 'done')

    const body = await changes(since.toISOString())

    const aboutTask = body.changes.filter((c) => c.data.task_id === task.id)
    // v1 watchers follow task_updated; the finer type is in kind.
    expect(aboutTask.map((c) => c.type)).toEqual(['task_updated', 'task_updated', 'task_updated'])
    expect(aboutTask.map((c) => c.kind)).toEqual(['task_created', 'task_locked', 'task_updated'])
    expect(aboutTask[0]?.data).toMatchObject({
      task_id: task.id,
      title: task.title,
      old_status: 'created',
      new_status: 'created',
      changed_by: project.pm,
    })
    expect(aboutTask[1]?.data).toMatchObject({
      old_status: 'created',
      new_status: 'under_work',
      changed_by: dev,
    })
    expect(aboutTask[2]?.data).toMatchObject({
      task_id: task.id,
      title: task.title,
      old_status: 'under_work',
      new_status: 'dev_done',
      changed_by: dev,
      notes: 'done',
    })
    const timestamps = body.changes.map((c) => c.timestamp)
    expect(timestamps).toEqual([...timestamps].sort())
    expect(body.last_timestamp).toBe(body.changes.at(-1)?.timestamp)
    expect(body.last_event_id).toBe(body.changes.at(-1)?.id)
  })

  it('reports mentions, services and agents when they change', async () => {
    const since = await mark()
    const agentId = await registerAgent(server.api)
    await server.api(`/api/v1/documents?author_id=${project.pm}`, {
      method: 'POST',
      body: { doc_type: 'update', title: 'm', content: `@${agentId}` },
    })
    await server.api(`/api/v1/services/register?agent_id=${agentId}`, {
      method: 'POST',
      body: { service_name: uniqueId('svc'), ping_url: 'http://127.0.0.1:9/' },
    })

    const body = await changes(since.toISOString())

    const types = body.changes.map((c) => c.type)
    expect(types).toEqual(
      expect.arrayContaining([
        'agent_registered',
        'document_created',
        'mention_created',
        'service_registered',
      ]),
    )
    expect(body.changes.find((c) => c.type === 'mention_created')?.data.mentioned_agent_id).toBe(
      agentId,
    )
  })

  it('returns at most limit changes, oldest first, when limit is given', async () => {
    const since = await mark()
    for (let i = 0; i < 3; i++) {
      await server.api(`/api/v1/documents?author_id=${project.pm}`, {
        method: 'POST',
        body: { doc_type: 'update', title: `l${i}`, content: 'c' },
      })
    }

    const body = await changes(since.toISOString(), '&limit=2')

    expect(body.changes.map((c) => c.data.title)).toEqual(['l0', 'l1'])
  })

  it('pages without losing events that share a timestamp when after_id follows last_event_id', async () => {
    const since = await mark()
    const dev = await registerAgent(server.api)
    const other = await registerAgent(server.api)
    const task = await makeTask(server.api, project)
    // One comment writes the comment and two mention events in one transaction, at one timestamp.
    await server.api(`/api/v1/tasks/${task.id}/comment?agent_id=${project.pm}`, {
      method: 'POST',
      body: { comment: `@${dev} @${other} look` },
    })
    const first = await changes(since.toISOString(), '&limit=1')
    const seen = [...first.changes]
    let after = first.last_event_id

    for (let page = 0; page < 20; page++) {
      const res = await server.api(`/api/v1/changes?after_id=${after}&agent_id=watcher&limit=1`)
      if (res.body.changes.length === 0) break
      seen.push(...res.body.changes)
      after = res.body.last_event_id
    }

    const all = await changes(since.toISOString())
    expect(seen.map((c) => c.id)).toEqual(all.changes.map((c) => c.id))
    expect(seen.filter((c) => c.type === 'mention_created')).toHaveLength(2)
  })

  it('returns every change to a reader with the project key when no agent_id is given', async () => {
    const since = await mark()
    const doc = await server.api(`/api/v1/documents?author_id=${project.pm}`, {
      method: 'POST',
      body: { doc_type: 'update', title: uniqueId('t'), content: 'c' },
    })

    const res = await server.api(`/api/v1/changes?since=${encodeURIComponent(since.toISOString())}`)

    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(
      res.body.changes
        .filter((c: any) => c.type === 'document_created')
        .map((c: any) => c.data.document_id),
    ).toEqual([doc.body.id])
  })

  it('returns 422 when neither since nor after_id is given', async () => {
    const res = await server.api('/api/v1/changes?agent_id=watcher')

    expectClientError(res, 422, 'since')
  })

  it.each(['yesterday', '2025-13-45T00:00:00Z', '12:00', ''])(
    'returns 422 naming since when since is %j',
    async (since) => {
      const res = await server.api(
        `/api/v1/changes?since=${encodeURIComponent(since)}&agent_id=watcher`,
      )

      expectClientError(res, 422, 'since')
    },
  )
})

describe('GET /changelog', () => {
  it('lists status changes newest first when limit is given', async () => {
    const task = await makeTask(server.api, project, { target_role: 'architect' })
    const architect = await registerAgent(server.api, { role: 'architect', level: 'principal' })
    await claim(server.api, architect)
    await setStatus(server.api, task.id, architect, 'dev_done', 'designed')

    const res = await server.api('/api/v1/changelog?limit=3')

    expect(res.status).toBe(200)
    expect(res.body).toHaveLength(3)
    expect(res.body[0]).toMatchObject({
      task_id: task.id,
      old_status: 'under_work',
      new_status: 'dev_done',
      changed_by: architect,
      notes: 'designed',
    })
    expect(res.body[1]).toMatchObject({
      task_id: task.id,
      old_status: 'created',
      new_status: 'under_work',
    })
    expect(res.body[2]).toMatchObject({
      task_id: task.id,
      old_status: 'created',
      new_status: 'created',
      notes: 'Task created (created)',
    })
    expect(res.body[0].changed_at).toMatch(/Z$/)
  })

  it("lists only one task's rows, newest first, when task_id is given", async () => {
    const task = await makeTask(server.api, project, { target_role: 'architect' })
    await makeTask(server.api, project)
    const architect = await registerAgent(server.api, { role: 'architect', level: 'principal' })
    await claim(server.api, architect)

    const res = await server.api(`/api/v1/changelog?task_id=${task.id}`)

    expect(res.body.map((r: any) => [r.task_id, r.new_status])).toEqual([
      [task.id, 'under_work'],
      [task.id, 'created'],
    ])
  })

  it('returns 50 rows when no limit is given and there are more', async () => {
    const dev = await registerAgent(server.api)
    for (let i = 0; i < 52; i++) await makeTask(server.api, project, { creator: dev })

    const res = await server.api('/api/v1/changelog')

    expect(res.body).toHaveLength(50)
  })
})

describe('/tasks/{task_id}/runs', () => {
  const run = {
    outcome: 'succeeded',
    model: 'sonnet',
    session_id: 'sess-1',
    exit_code: 0,
    cost_usd: 0.42,
    input_tokens: 1200,
    output_tokens: 300,
    num_turns: 7,
    started_at: '2025-06-01T10:00:00Z',
    finished_at: '2025-06-01T10:02:30+00:00',
  }

  it('records a runner attempt with its duration when a run is posted', async () => {
    const task = await makeTask(server.api, project)
    const agentId = await registerAgent(server.api, { agent_id: uniqueId('runner') })

    const res = await server.api(`/api/v1/tasks/${task.id}/runs`, {
      method: 'POST',
      body: { ...run, agent_id: agentId, attempt: 2 },
    })

    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      task_id: task.id,
      agent_id: agentId,
      attempt: 2,
      outcome: 'succeeded',
      model: 'sonnet',
      session_id: 'sess-1',
      is_error: false,
      cost_usd: 0.42,
      input_tokens: 1200,
      duration_ms: 150_000,
      started_at: '2025-06-01T10:00:00.000Z',
      finished_at: '2025-06-01T10:02:30.000Z',
    })
  })

  it("lists a task's runs oldest first when it has several", async () => {
    const task = await makeTask(server.api, project)
    await server.api(`/api/v1/tasks/${task.id}/runs`, {
      method: 'POST',
      body: { ...run, agent_id: 'r', outcome: 'agent_timeout', is_error: true, error: 'timed out' },
    })
    await server.api(`/api/v1/tasks/${task.id}/runs`, {
      method: 'POST',
      body: { ...run, agent_id: 'r', attempt: 2 },
    })

    const res = await server.api(`/api/v1/tasks/${task.id}/runs`)

    expect(res.status).toBe(200)
    expect(res.body.map((r: any) => [r.attempt, r.outcome, r.is_error])).toEqual([
      [1, 'agent_timeout', true],
      [2, 'succeeded', false],
    ])
  })

  it("sums every task's runs in one answer: count, cost and the last verdict", async () => {
    const task = await makeTask(server.api, project)
    await server.api(`/api/v1/tasks/${task.id}/runs`, {
      method: 'POST',
      body: {
        ...run,
        agent_id: 'r',
        outcome: 'agent_exit',
        exit_code: 1,
        verdict: 'failed',
        cost_usd: 0.25,
      },
    })
    await server.api(`/api/v1/tasks/${task.id}/runs`, {
      method: 'POST',
      body: { ...run, agent_id: 'r', attempt: 2, cost_usd: 0.5 },
    })

    const res = await server.api('/api/v1/runs/summary')

    expect(res.status).toBe(200)
    expect(res.body.find((s: any) => s.task_id === task.id)).toEqual({
      task_id: task.id,
      runs: 2,
      cost_usd: 0.75,
      last_verdict: 'succeeded',
      last_finished_at: '2025-06-01T10:02:30.000Z',
    })
  })

  it('keeps the transcript a runner sends with a run, and answers it on its own endpoint', async () => {
    const task = await makeTask(server.api, project)
    const transcript = [
      { kind: 'text', text: 'Adding the endpoint' },
      { kind: 'tool', name: 'Bash', text: 'npm test' },
      { kind: 'tool_result', text: '12 passed', is_error: false },
    ]

    const posted = await server.api(`/api/v1/tasks/${task.id}/runs`, {
      method: 'POST',
      body: { ...run, agent_id: 'r', transcript },
    })
    const listed = await server.api(`/api/v1/tasks/${task.id}/runs`)
    const read = await server.api(`/api/v1/tasks/${task.id}/runs/${posted.body.id}/transcript`)
    const other = await server.api(`/api/v1/tasks/${task.id}/runs/999999/transcript`)

    expect(posted.body.transcript_entries).toBe(3)
    expect(listed.body[0]).not.toHaveProperty('transcript')
    expect(read.body).toEqual({ run_id: posted.body.id, task_id: task.id, entries: transcript })
    expectClientError(other, 404, 'has no run 999999')
  })

  it('returns 404 and records nothing when the task does not exist', async () => {
    const res = await server.api('/api/v1/tasks/999999/runs', {
      method: 'POST',
      body: { ...run, agent_id: 'r' },
    })

    expectClientError(res, 404, '999999')
  })
})
