import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  expectClientError,
  makeTask,
  registerAgent,
  seedProject,
  snapshotDatabase,
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
})
afterAll(async () => {
  await server.close()
})

const comment = (taskId: number, agentId: string, text: string) =>
  server.api(`/api/v1/tasks/${taskId}/comment?agent_id=${agentId}`, {
    method: 'POST',
    body: { comment: text },
  })
const mentionsOf = async (agentId: string, query = '') =>
  (await server.api(`/api/v1/mentions?agent_id=${agentId}${query}`)).body as any[]
/** A registered agent to mention: only a registered agent's mentions can be read. */
const newReader = () => registerAgent(server.api, { agent_id: uniqueId('reader') })

describe('mention parsing', () => {
  it.each([
    ['Hey @john_doe, can you review this?', ['john_doe']],
    ['@alice and @bob_2 and @alice again', ['alice', 'bob_2']],
    ['ping @frontend_dev_senior_001.', ['frontend_dev_senior_001']],
    ['@start middle @mid end @end', ['end', 'mid', 'start']],
    ['stops at a dash: @ana-maria', ['ana']],
    ['no mentions here', []],
    ['This has @ symbols but not valid mentions', []],
    ['mail me at jane@example.com', []],
    ['(@paren) and "@quoted"', ['paren', 'quoted']],
  ])('mentions exactly the right ids when a comment says %j', async (text, expected) => {
    const task = await makeTask(server.api, project)
    const ids = expected.map((id) => `${id}`)

    await comment(task.id, project.pm, text)

    const all = (await server.api('/api/v1/mentions/by-role?limit=10000')).body as any[]
    const forTask = all
      .filter((m) => m.task_id === task.id)
      .map((m) => m.mentioned_agent_id)
      .sort()
    expect(forTask).toEqual(ids.sort())
  })

  it('creates a task mention with the task title when a comment mentions an agent', async () => {
    const task = await makeTask(server.api, project, { title: 'Fix login' })
    const reader = await newReader()

    await comment(task.id, project.pm, `@${reader} over to you`)

    expect(await mentionsOf(reader)).toEqual([
      expect.objectContaining({
        task_id: task.id,
        document_id: null,
        task_title: 'Fix login',
        document_title: null,
        created_by: project.pm,
        is_read: false,
      }),
    ])
  })

  it('notifies every qa agent except the author when a qa comments @qa', async () => {
    const author = await registerAgent(server.api, { role: 'qa' })
    const other = await registerAgent(server.api, { role: 'qa' })
    const task = await makeTask(server.api, project)

    await comment(task.id, author, 'needs a second pair of eyes, @qa')

    expect(await mentionsOf(other)).toHaveLength(1)
    expect(await mentionsOf(author)).toEqual([])
  })

  it('notifies every pm when a comment mentions @pm', async () => {
    const pm2 = await registerAgent(server.api, { role: 'pm' })
    const task = await makeTask(server.api, project)
    const dev = await registerAgent(server.api)

    await comment(task.id, dev, 'blocked, @pm')

    expect((await mentionsOf(project.pm)).some((m) => m.task_id === task.id)).toBe(true)
    expect((await mentionsOf(pm2)).some((m) => m.task_id === task.id)).toBe(true)
  })
})

describe('GET /mentions', () => {
  it('returns only unread mentions when unread_only is true', async () => {
    const reader = await newReader()
    const task = await makeTask(server.api, project)
    await comment(task.id, project.pm, `@${reader} one`)
    await comment(task.id, project.pm, `@${reader} two`)
    const [newest] = await mentionsOf(reader)
    await server.api(`/api/v1/mentions/${newest.id}/read?agent_id=${reader}`, { method: 'PUT' })

    const unread = await mentionsOf(reader, '&unread_only=true')
    const all = await mentionsOf(reader, '&unread_only=false')

    expect(unread).toHaveLength(1)
    expect(all).toHaveLength(2)
  })

  it.each([
    ['True', 1],
    ['true', 1],
    ['1', 1],
    ['False', 2],
    ['no', 2],
  ])(
    'filters as v1 did when unread_only is %s (python clients send True/False)',
    async (value, expected) => {
      const reader = await newReader()
      const task = await makeTask(server.api, project)
      await comment(task.id, project.pm, `@${reader} one`)
      await comment(task.id, project.pm, `@${reader} two`)
      const [newest] = await mentionsOf(reader)
      await server.api(`/api/v1/mentions/${newest.id}/read?agent_id=${reader}`, { method: 'PUT' })

      const res = await server.api(`/api/v1/mentions?agent_id=${reader}&unread_only=${value}`)

      expect(res.status).toBe(200)
      expect(res.body).toHaveLength(expected)
    },
  )

  it("returns 422 naming agent_id when no agent_id is given (v1 listed everyone's; /mentions/by-role does)", async () => {
    const res = await server.api('/api/v1/mentions?limit=2')

    expectClientError(res, 422, 'agent_id')
  })

  it('returns 404 agent_not_found when the agent is not registered', async () => {
    const task = await makeTask(server.api, project)
    const stranger = uniqueId('stranger')
    await comment(task.id, project.pm, `@${stranger}`)

    const res = await server.api(`/api/v1/mentions?agent_id=${stranger}`)

    expectClientError(res, 404, stranger)
    expect(res.body.code).toBe('agent_not_found')
  })
})

describe('GET /mentions/by-role', () => {
  it('returns mentions of every agent with the role when role is given', async () => {
    const fe1 = await registerAgent(server.api, { role: 'frontend_dev' })
    const fe2 = await registerAgent(server.api, { role: 'frontend_dev' })
    const task = await makeTask(server.api, project)
    await comment(task.id, project.pm, `@${fe1} @${fe2} @not_a_frontend`)

    const res = await server.api('/api/v1/mentions/by-role?role=frontend_dev&limit=1000')

    const ids = res.body.map((m: any) => m.mentioned_agent_id)
    expect(res.status).toBe(200)
    expect(ids).toEqual(expect.arrayContaining([fe1, fe2]))
    expect(ids).not.toContain('not_a_frontend')
  })

  it('returns an empty list when no agent has the role', async () => {
    const fresh = await startTestServer()
    try {
      const res = await fresh.api('/api/v1/mentions/by-role?role=architect')

      expect(res.status).toBe(200)
      expect(res.body).toEqual([])
    } finally {
      await fresh.close()
    }
  })
})

describe('PUT /mentions/{mention_id}/read', () => {
  it('marks the mention read when its agent asks', async () => {
    const reader = await newReader()
    const task = await makeTask(server.api, project)
    await comment(task.id, project.pm, `@${reader}`)
    const [mention] = await mentionsOf(reader)

    const res = await server.api(`/api/v1/mentions/${mention.id}/read?agent_id=${reader}`, {
      method: 'PUT',
    })

    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: mention.id, is_read: true, task_title: task.title })
  })

  it('returns 403 with v1 wording and keeps it unread when another agent asks', async () => {
    const reader = await newReader()
    const task = await makeTask(server.api, project)
    await comment(task.id, project.pm, `@${reader}`)
    const [mention] = await mentionsOf(reader)
    const before = await snapshotDatabase(server)

    const res = await server.api(`/api/v1/mentions/${mention.id}/read?agent_id=${project.pm}`, {
      method: 'PUT',
    })

    expectClientError(res, 403, 'Cannot mark mentions for other agents as read')
    expect(await snapshotDatabase(server)).toBe(before)
  })
})
