import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  changelogOf,
  claim,
  expectClientError,
  getTask,
  makeTask,
  registerAgent,
  seedProject,
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

describe('POST /register', () => {
  it('creates the agent with connection_type client when none is given', async () => {
    const agentId = uniqueId('fe')

    const res = await server.api('/api/v1/register', {
      method: 'POST',
      body: { agent_id: agentId, role: 'frontend_dev', level: 'junior' },
    })

    expect(res.status).toBe(200)
    expect(res.body.agent).toMatchObject({
      agent_id: agentId,
      role: 'frontend_dev',
      level: 'junior',
      connection_type: 'client',
    })
    expect(res.body.agent.last_seen).toMatch(/Z$/)
    expect(res.body.next_task).toBeNull()
    expect(res.body.mentions).toEqual([])
  })

  it('accepts the fullstack_dev role when v1 rejected it', async () => {
    const res = await server.api('/api/v1/register', {
      method: 'POST',
      body: { agent_id: uniqueId('fs'), role: 'fullstack_dev', level: 'senior' },
    })

    expect(res.status).toBe(200)
    expect(res.body.agent.role).toBe('fullstack_dev')
  })

  it('refreshes the connection type when an agent registers again with its role and level', async () => {
    const agentId = await registerAgent(server.api, { role: 'backend_dev', level: 'junior' })

    const res = await server.api('/api/v1/register', {
      method: 'POST',
      body: { agent_id: agentId, role: 'backend_dev', level: 'junior', connection_type: 'mcp' },
    })

    expect(res.status).toBe(200)
    expect(res.body.agent).toMatchObject({
      agent_id: agentId,
      role: 'backend_dev',
      level: 'junior',
      connection_type: 'mcp',
    })
    const agents = await server.api('/api/v1/agents')
    expect(agents.body.filter((a: any) => a.agent_id === agentId)).toHaveLength(1)
  })

  it.for([
    ['another role', { role: 'pm', level: 'junior' }],
    ['another level', { role: 'backend_dev', level: 'principal' }],
  ] as const)(
    'returns 409 and keeps the agent as it was when it re-registers with %s (no self-promotion)',
    async ([_what, change]) => {
      const agentId = await registerAgent(server.api, { role: 'backend_dev', level: 'junior' })
      const before = await snapshotDatabase(server)

      const res = await server.api('/api/v1/register', {
        method: 'POST',
        body: { agent_id: agentId, ...change },
      })

      expectClientError(res, 409, `agent ${agentId} is registered as backend_dev (junior)`)
      expect(res.body.detail).toContain('requester_agent_id')
      expect(await snapshotDatabase(server)).toBe(before)
    },
  )

  it('changes role and level when a pm re-registers the agent', async () => {
    const agentId = await registerAgent(server.api, { role: 'backend_dev', level: 'junior' })
    const pm = await registerAgent(server.api, { role: 'pm', level: 'principal' })

    const res = await server.api(`/api/v1/register?requester_agent_id=${pm}`, {
      method: 'POST',
      body: { agent_id: agentId, role: 'architect', level: 'principal' },
    })

    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.agent).toMatchObject({
      agent_id: agentId,
      role: 'architect',
      level: 'principal',
    })
  })

  it('returns 403 and changes nothing when the requester named is not a pm', async () => {
    const agentId = await registerAgent(server.api, { role: 'backend_dev', level: 'junior' })
    const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'principal' })
    const before = await snapshotDatabase(server)

    const res = await server.api(`/api/v1/register?requester_agent_id=${dev}`, {
      method: 'POST',
      body: { agent_id: agentId, role: 'pm', level: 'principal' },
    })

    expectClientError(res, 403, 'Only pm agents')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('creates one agent when the same new id registers ten times at once', async () => {
    const agentId = uniqueId('racer')

    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        server.api('/api/v1/register', {
          method: 'POST',
          body: { agent_id: agentId, role: 'qa', level: 'senior' },
        }),
      ),
    )

    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200))
    const agents = await server.api('/api/v1/agents')
    expect(agents.body.filter((a: any) => a.agent_id === agentId)).toHaveLength(1)
  })

  it('offers the next matching task without locking it when one is waiting', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project, { target_role: 'qa', difficulty: 'principal' })

    const res = await server.api('/api/v1/register', {
      method: 'POST',
      body: { agent_id: uniqueId('qa'), role: 'qa', level: 'principal' },
    })

    expect(res.body.next_task).toMatchObject({ id: task.id, locked_by: null, status: 'created' })
    expect((await getTask(server.api, task.id)).locked_by).toBeNull()
  })

  it('returns the task the agent holds as next_task when it registers again mid-task', async () => {
    const project = await seedProject(server.api)
    const agentId = await registerAgent(server.api, { role: 'architect', level: 'senior' })
    const task = await makeTask(server.api, project, {
      target_role: 'architect',
      difficulty: 'senior',
    })
    await claim(server.api, agentId)

    const res = await server.api('/api/v1/register', {
      method: 'POST',
      body: { agent_id: agentId, role: 'architect', level: 'senior' },
    })

    expect(res.body.next_task).toMatchObject({
      id: task.id,
      locked_by: agentId,
      status: 'under_work',
    })
  })

  it('returns at most 10 unread mentions, newest first, when the agent has more', async () => {
    const author = await registerAgent(server.api, { role: 'pm' })
    const agentId = await registerAgent(server.api)
    for (let i = 0; i < 12; i++) {
      await server.api(`/api/v1/documents?author_id=${author}`, {
        method: 'POST',
        body: { doc_type: 'update', title: `n${i}`, content: `hi @${agentId}` },
      })
    }

    const res = await server.api('/api/v1/register', {
      method: 'POST',
      body: { agent_id: agentId, role: 'backend_dev', level: 'senior' },
    })

    expect(res.body.mentions).toHaveLength(10)
    expect(res.body.mentions[0].document_title).toBe('n11')
    expect(
      res.body.mentions.every((m: any) => m.mentioned_agent_id === agentId && m.is_read === false),
    ).toBe(true)
  })
})

describe('GET /agents', () => {
  it('lists the most recently seen agent first when several are registered', async () => {
    const older = await registerAgent(server.api)
    const newer = await registerAgent(server.api)

    const res = await server.api('/api/v1/agents')

    const ids = res.body.map((a: any) => a.agent_id)
    expect(res.status).toBe(200)
    expect(ids.indexOf(newer)).toBeLessThan(ids.indexOf(older))
  })
})

describe('DELETE /agents/{agent_id}', () => {
  it('deletes the agent when a pm asks', async () => {
    const pm = await registerAgent(server.api, { role: 'pm' })
    const target = await registerAgent(server.api)

    const res = await server.api(`/api/v1/agents/${target}?requester_agent_id=${pm}`, {
      method: 'DELETE',
    })

    expect(res.status).toBe(200)
    expect(res.body.message).toBe(`Agent ${target} deleted successfully`)
    const agents = await server.api('/api/v1/agents')
    expect(agents.body.map((a: any) => a.agent_id)).not.toContain(target)
  })

  it("returns the deleted agent's task to the pool when it held one", async () => {
    const project = await seedProject(server.api)
    const target = await registerAgent(server.api, { role: 'frontend_dev', level: 'principal' })
    const task = await makeTask(server.api, project, {
      target_role: 'frontend_dev',
      difficulty: 'principal',
    })
    await claim(server.api, target)

    const res = await server.api(`/api/v1/agents/${target}?requester_agent_id=${project.pm}`, {
      method: 'DELETE',
    })

    expect(res.status).toBe(200)
    expect(await getTask(server.api, task.id)).toMatchObject({
      status: 'created',
      locked_by: null,
      lease_expires_at: null,
    })
    expect((await changelogOf(server.api, task.id)).at(-1)).toMatchObject({
      old_status: 'under_work',
      new_status: 'created',
      changed_by: project.pm,
    })
  })

  it('keeps tasks the deleted agent created when it created some', async () => {
    const project = await seedProject(server.api)
    const creator = await registerAgent(server.api, { role: 'backend_dev' })
    const task = await makeTask(server.api, project, { creator })

    const res = await server.api(`/api/v1/agents/${creator}?requester_agent_id=${project.pm}`, {
      method: 'DELETE',
    })

    expect(res.status).toBe(200)
    expect((await getTask(server.api, task.id)).created_by).toBe(creator)
  })

  it.each([
    [
      'the requester is not registered',
      () => ({ target: 'anyone', requester: 'ghost_pm' }),
      404,
      "Agent 'ghost_pm' not found. Please ensure the agent is registered using POST /api/v1/register",
    ],
    [
      'the requester is not a pm',
      () => ({ target: 'anyone', requester: 'ROLE:architect' }),
      403,
      'Only pm agents can perform this operation',
    ],
    [
      'a pm deletes itself',
      () => ({ target: 'SELF', requester: 'ROLE:pm' }),
      400,
      'Cannot delete your own agent record',
    ],
    [
      'the target does not exist',
      () => ({ target: 'nobody_here', requester: 'ROLE:pm' }),
      404,
      'Agent not found',
    ],
  ] as const)('refuses and changes nothing when %s', async (_when, make, status, detail) => {
    const spec = make()
    const requester = spec.requester.startsWith('ROLE:')
      ? await registerAgent(server.api, { role: spec.requester.slice(5) as 'pm' | 'architect' })
      : spec.requester
    const target =
      spec.target === 'SELF'
        ? requester
        : spec.target === 'anyone'
          ? await registerAgent(server.api)
          : spec.target
    const before = await snapshotDatabase(server)

    const res = await server.api(`/api/v1/agents/${target}?requester_agent_id=${requester}`, {
      method: 'DELETE',
    })

    expectClientError(res, status, detail)
    expect(await snapshotDatabase(server)).toBe(before)
  })
})

describe('POST /agents/{agent_id}/heartbeat', () => {
  it('refreshes last_seen and lists held tasks with their leases when the agent holds one', async () => {
    const project = await seedProject(server.api)
    const agentId = await registerAgent(server.api, { role: 'backend_dev', level: 'principal' })
    const task = await makeTask(server.api, project, { difficulty: 'principal' })
    const claimed = await claim(server.api, agentId)
    const before = (await server.api('/api/v1/agents')).body.find(
      (a: any) => a.agent_id === agentId,
    ).last_seen

    const res = await server.api(`/api/v1/agents/${agentId}/heartbeat`, { method: 'POST' })

    expect(res.status).toBe(200)
    expect(res.body.agent.agent_id).toBe(agentId)
    expect(res.body.agent.last_seen >= before).toBe(true)
    expect(res.body.tasks).toEqual([
      { id: task.id, status: 'under_work', lease_expires_at: expect.stringMatching(/Z$/) },
    ])
    expect(res.body.tasks[0].lease_expires_at >= claimed.body.lease_expires_at).toBe(true)
  })

  it('accepts an empty JSON body when a v1-style client sends one', async () => {
    const agentId = await registerAgent(server.api)

    const res = await server.api(`/api/v1/agents/${agentId}/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    })

    expect(res.status).toBe(200)
    expect(res.body.tasks).toEqual([])
  })

  it('keeps what the runner says Claude is doing, shows it on the agent and in the feed, and clears it with null', async () => {
    const agentId = await registerAgent(server.api)
    const activity = {
      task_id: 7,
      attempt: 2,
      phase: 'claude',
      tool: 'Bash',
      detail: 'npm test',
      since: '2026-11-30T08:00:00+01:00',
      recent: [{ kind: 'tool', name: 'Bash', text: 'npm test' }],
    }
    const feed = (await server.api('/api/v1/changes?after_id=0&agent_id=watcher&limit=10000')).body
      .last_event_id

    const beat = await server.api(`/api/v1/agents/${agentId}/heartbeat`, {
      method: 'POST',
      body: { activity },
    })
    const listed = (await server.api('/api/v1/agents')).body.find(
      (a: any) => a.agent_id === agentId,
    )
    const events = (await server.api(`/api/v1/changes?after_id=${feed}&agent_id=watcher`)).body
      .changes
    await server.api(`/api/v1/agents/${agentId}/heartbeat`, {
      method: 'POST',
      body: { activity: null },
    })
    const cleared = (await server.api('/api/v1/agents')).body.find(
      (a: any) => a.agent_id === agentId,
    )

    expect(beat.status, JSON.stringify(beat.body)).toBe(200)
    expect(listed.activity).toEqual({
      ...activity,
      since: '2026-11-30T07:00:00.000Z',
      reported_at: expect.stringMatching(/Z$/),
    })
    expect(events.filter((e: any) => e.kind === 'agent_activity').map((e: any) => e.data)).toEqual([
      { agent_id: agentId, task_id: 7, phase: 'claude', tool: 'Bash' },
    ])
    expect(cleared.activity).toBeNull()
  })

  it('returns 422 naming the field when the activity is malformed, and changes nothing', async () => {
    const agentId = await registerAgent(server.api)

    const res = await server.api(`/api/v1/agents/${agentId}/heartbeat`, {
      method: 'POST',
      body: { activity: { phase: 'claude', since: 'yesterday' } },
    })

    expect(res.status).toBe(422)
    expect(JSON.stringify(res.body.detail)).toContain('since')
    expect(
      (await server.api('/api/v1/agents')).body.find((a: any) => a.agent_id === agentId).activity,
    ).toBeNull()
  })

  it('returns 404 with v1 wording when the agent is not registered', async () => {
    const res = await server.api('/api/v1/agents/nobody/heartbeat', { method: 'POST' })

    expectClientError(res, 404, "Agent 'nobody' not found")
  })
})

describe('GET /context', () => {
  it('returns the v1 context fields when called with a key', async () => {
    const res = await server.api('/api/v1/context')

    expect(res.status).toBe(200)
    expect(Object.keys(res.body).sort()).toEqual([
      'database_type',
      'instructions_path',
      'project_docs_path',
      'project_name',
      'shared_path',
    ])
  })
})
