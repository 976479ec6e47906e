import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  changelogOf,
  claim,
  expectClientError,
  getTask,
  lock,
  makeTask,
  registerAgent,
  seedProject,
  setStatus,
  snapshotDatabase,
} from '../../helpers/fixtures.js'
import type { Project } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

describe('POST /tasks/create', () => {
  it.each(['pm', 'architect'] as const)(
    'creates the task as created when a %s writes it',
    async (role) => {
      const project = await seedProject(server.api)
      const creator = await registerAgent(server.api, { role })

      const task = await makeTask(server.api, project, { creator, title: 'Build login' })

      expect(task).toMatchObject({
        feature_id: project.featureId,
        epic_id: project.epicId,
        title: 'Build login',
        created_by: creator,
        status: 'created',
        complexity: 'major',
        priority: 0,
        locked_by: null,
        locked_at: null,
        notes: null,
        task_type: 'regular',
        poll_interval: null,
        attempts: 0,
        claimed_from: null,
      })
      expect(task.created_at).toMatch(/Z$/)
    },
  )

  it.each(['backend_dev', 'frontend_dev', 'fullstack_dev', 'qa'] as const)(
    'creates the task as pending when a %s writes it',
    async (role) => {
      const project = await seedProject(server.api)
      const creator = await registerAgent(server.api, { role })

      const task = await makeTask(server.api, project, { creator })

      expect(task.status).toBe('pending')
    },
  )

  it('writes a creation changelog row naming the status when a task is created', async () => {
    const project = await seedProject(server.api)

    const task = await makeTask(server.api, project)

    expect(await changelogOf(server.api, task.id)).toEqual([
      expect.objectContaining({
        old_status: 'created',
        new_status: 'created',
        changed_by: project.pm,
        notes: 'Task created (created)',
      }),
    ])
  })

  it('stores complexity, priority and branch when they are given', async () => {
    const project = await seedProject(server.api)

    const task = await makeTask(server.api, project, {
      complexity: 'minor',
      priority: 7,
      branch: 'feature/login',
      target_role: 'frontend_dev',
      difficulty: 'principal',
    })

    expect(task).toMatchObject({
      complexity: 'minor',
      priority: 7,
      branch: 'feature/login',
      target_role: 'frontend_dev',
      difficulty: 'principal',
    })
  })

  it('creates every task as created when HPM_REQUIRE_APPROVAL is false', async () => {
    const open = await startTestServer({ env: { HPM_REQUIRE_APPROVAL: 'false' } })
    try {
      const project = await seedProject(open.api)
      const dev = await registerAgent(open.api, { role: 'backend_dev' })

      const task = await makeTask(open.api, project, { creator: dev })

      expect(task.status).toBe('created')
    } finally {
      await open.close()
    }
  })
})

describe('GET /tasks', () => {
  let project: Project
  let other: Project
  let holder: string
  const ids: Record<string, number> = {}

  beforeAll(async () => {
    project = await seedProject(server.api)
    other = await seedProject(server.api)
    const dev = await registerAgent(server.api, { role: 'backend_dev' })
    ids.pending = (
      await makeTask(server.api, project, { creator: dev, target_role: 'frontend_dev' })
    ).id
    ids.created = (await makeTask(server.api, project, { target_role: 'qa' })).id
    ids.otherEpic = (await makeTask(server.api, other, { target_role: 'qa' })).id
    holder = await registerAgent(server.api, { role: 'qa', level: 'principal' })
    ids.locked = (await makeTask(server.api, project, { target_role: 'qa' })).id
    await lock(server.api, ids.locked!, holder)
  })

  it('lists newest first when no filter is given', async () => {
    const res = await server.api('/api/v1/tasks')

    const listed = res.body.map((t: any) => t.id)
    expect(res.status).toBe(200)
    expect(listed.indexOf(ids.locked)).toBeLessThan(listed.indexOf(ids.created))
    expect(listed.indexOf(ids.created)).toBeLessThan(listed.indexOf(ids.pending))
  })

  it('returns only pending tasks when status=pending', async () => {
    const res = await server.api('/api/v1/tasks?status=pending')

    expect(res.body.every((t: any) => t.status === 'pending')).toBe(true)
    expect(res.body.map((t: any) => t.id)).toContain(ids.pending)
  })

  it('returns only tasks for the role when role is given', async () => {
    const res = await server.api('/api/v1/tasks?role=frontend_dev')

    expect(res.body.every((t: any) => t.target_role === 'frontend_dev')).toBe(true)
    expect(res.body.map((t: any) => t.id)).toContain(ids.pending)
  })

  it("returns only the epic's tasks when epic_id is given", async () => {
    const res = await server.api(`/api/v1/tasks?epic_id=${other.epicId}`)

    expect(res.body.map((t: any) => t.id)).toEqual([ids.otherEpic])
  })

  it("returns only the feature's tasks when feature_id is given", async () => {
    const res = await server.api(`/api/v1/tasks?feature_id=${project.featureId}&role=qa`)

    expect(res.body.map((t: any) => t.id).sort()).toEqual([ids.created, ids.locked].sort())
  })

  it('returns the task an agent holds when locked_by is given', async () => {
    const res = await server.api(`/api/v1/tasks?locked_by=${holder}`)

    expect(res.body.map((t: any) => t.id)).toEqual([ids.locked])
  })

  it('combines filters when status and role are both given', async () => {
    const res = await server.api(
      `/api/v1/tasks?status=under_work&role=qa&epic_id=${project.epicId}`,
    )

    expect(res.body.map((t: any) => t.id)).toEqual([ids.locked])
  })
})

describe('GET /tasks/{task_id}', () => {
  it('returns the task with its comment thread when it has comments and status notes', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project, { target_role: 'pm' })
    await server.api(`/api/v1/tasks/${task.id}/comment?agent_id=${project.pm}`, {
      method: 'POST',
      body: { comment: 'first' },
    })
    await lock(server.api, task.id, project.pm)
    await setStatus(server.api, task.id, project.pm, 'dev_done', 'done it')

    const res = await server.api(`/api/v1/tasks/${task.id}`)

    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: task.id, epic_id: project.epicId, status: 'dev_done' })
    expect(res.body.comments).toEqual([
      expect.objectContaining({ author_id: project.pm, kind: 'comment', body: 'first' }),
      expect.objectContaining({ author_id: project.pm, kind: 'status_note', body: 'done it' }),
    ])
  })
})

describe('PATCH /tasks/{task_id}', () => {
  it('changes the given fields and keeps the rest when a pm edits', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project, { title: 'old', priority: 1 })

    const res = await server.api(`/api/v1/tasks/${task.id}?agent_id=${project.pm}`, {
      method: 'PATCH',
      body: { title: 'new', priority: 5, difficulty: 'senior' },
    })

    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      id: task.id,
      title: 'new',
      priority: 5,
      difficulty: 'senior',
      description: task.description,
      status: 'created',
    })
  })

  it('lets the creator edit when the creator is not a planner', async () => {
    const project = await seedProject(server.api)
    const dev = await registerAgent(server.api)
    const task = await makeTask(server.api, project, { creator: dev })

    const res = await server.api(`/api/v1/tasks/${task.id}?agent_id=${dev}`, {
      method: 'PATCH',
      body: { description: 'clearer' },
    })

    expect(res.status).toBe(200)
    expect(res.body.description).toBe('clearer')
  })

  it('moves the task to another feature when feature_id is given', async () => {
    const project = await seedProject(server.api)
    const other = await seedProject(server.api)
    const task = await makeTask(server.api, project)

    const res = await server.api(`/api/v1/tasks/${task.id}?agent_id=${project.pm}`, {
      method: 'PATCH',
      body: { feature_id: other.featureId },
    })

    expect(res.body).toMatchObject({ feature_id: other.featureId, epic_id: other.epicId })
  })

  it('returns 403 and changes nothing when another non-planner edits', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project)
    const dev = await registerAgent(server.api)
    const before = await snapshotDatabase(server)

    const res = await server.api(`/api/v1/tasks/${task.id}?agent_id=${dev}`, {
      method: 'PATCH',
      body: { title: 'hijack' },
    })

    expectClientError(res, 403, 'may edit task')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('returns 404 Feature not found and changes nothing when the new feature does not exist', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project)
    const before = await snapshotDatabase(server)

    const res = await server.api(`/api/v1/tasks/${task.id}?agent_id=${project.pm}`, {
      method: 'PATCH',
      body: { feature_id: 999_999, title: 'x' },
    })

    expectClientError(res, 404, 'Feature not found')
    expect(await snapshotDatabase(server)).toBe(before)
  })
})

describe('POST /tasks/{task_id}/comment', () => {
  it('appends "<agent>: <comment>" to notes when comments are added', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project)
    const dev = await registerAgent(server.api)

    const first = await server.api(`/api/v1/tasks/${task.id}/comment?agent_id=${dev}`, {
      method: 'POST',
      body: { comment: 'looking' },
    })
    await server.api(`/api/v1/tasks/${task.id}/comment?agent_id=${project.pm}`, {
      method: 'POST',
      body: { comment: 'thanks' },
    })

    expect(first.status).toBe(200)
    expect(first.body).toEqual({ message: 'Comment added successfully' })
    expect((await getTask(server.api, task.id)).notes).toBe(
      `${dev}: looking\n\n${project.pm}: thanks`,
    )
  })

  it('keeps earlier comments in notes when a status update carries notes', async () => {
    const project = await seedProject(server.api)
    const dev = await registerAgent(server.api, { level: 'junior' })
    const task = await makeTask(server.api, project)
    await server.api(`/api/v1/tasks/${task.id}/comment?agent_id=${project.pm}`, {
      method: 'POST',
      body: { comment: 'use the v2 schema' },
    })
    await lock(server.api, task.id, dev)

    const res = await setStatus(server.api, task.id, dev, 'dev_done', 'implemented')

    expect(res.body.task.notes).toBe(`${project.pm}: use the v2 schema\n\nimplemented`)
  })

  it('does not write a changelog row when a comment is added', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project)

    await server.api(`/api/v1/tasks/${task.id}/comment?agent_id=${project.pm}`, {
      method: 'POST',
      body: { comment: 'note' },
    })

    expect(await changelogOf(server.api, task.id)).toHaveLength(1)
  })

  it('returns 404 with v1 wording when the author is not registered', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project)

    const res = await server.api(`/api/v1/tasks/${task.id}/comment?agent_id=ghost`, {
      method: 'POST',
      body: { comment: 'boo' },
    })

    expectClientError(res, 404, "Agent 'ghost' not found")
  })
})

describe('DELETE /tasks/{task_id}', () => {
  it('deletes the task with its changelog, comments and mentions when a pm asks', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project)
    const dev = await registerAgent(server.api)
    await server.api(`/api/v1/tasks/${task.id}/comment?agent_id=${project.pm}`, {
      method: 'POST',
      body: { comment: `hey @${dev}` },
    })

    const res = await server.api(`/api/v1/tasks/${task.id}?agent_id=${project.pm}`, {
      method: 'DELETE',
    })

    expect(res.status).toBe(200)
    expect(res.body.message).toBe(`Task ${task.id} deleted successfully`)
    expect((await server.api(`/api/v1/tasks/${task.id}`)).status).toBe(404)
    expect(await changelogOf(server.api, task.id)).toEqual([])
    expect((await server.api(`/api/v1/mentions?agent_id=${dev}`)).body).toEqual([])
  })

  it.each(['architect', 'backend_dev'] as const)(
    'returns 403 and keeps the task when a %s asks',
    async (role) => {
      const project = await seedProject(server.api)
      const task = await makeTask(server.api, project)
      const agentId = await registerAgent(server.api, { role })

      const res = await server.api(`/api/v1/tasks/${task.id}?agent_id=${agentId}`, {
        method: 'DELETE',
      })

      expectClientError(res, 403, 'Only pm agents can perform this operation')
      expect((await server.api(`/api/v1/tasks/${task.id}`)).status).toBe(200)
    },
  )

  it('returns 404 Task not found when the task does not exist', async () => {
    const pm = await registerAgent(server.api, { role: 'pm' })

    const res = await server.api(`/api/v1/tasks/999999?agent_id=${pm}`, { method: 'DELETE' })

    expectClientError(res, 404, 'Task not found')
  })

  it('frees the holder to claim again when its task is deleted', async () => {
    const project = await seedProject(server.api)
    const dev = await registerAgent(server.api, { role: 'fullstack_dev', level: 'principal' })
    const task = await makeTask(server.api, project, {
      target_role: 'fullstack_dev',
      difficulty: 'principal',
    })
    await claim(server.api, dev)
    await server.api(`/api/v1/tasks/${task.id}?agent_id=${project.pm}`, { method: 'DELETE' })
    const next = await makeTask(server.api, project, {
      target_role: 'fullstack_dev',
      difficulty: 'principal',
    })

    const res = await claim(server.api, dev)

    expect(res.body).toMatchObject({ id: next.id, locked_by: dev })
  })
})
