import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  claim,
  expectClientError,
  makeTask,
  registerAgent,
  seedProject,
  setStatus,
  snapshotDatabase,
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

// v1's wording (agents act on it), plus the `hpm` command that fixes it.
const NOT_REGISTERED =
  "Agent 'ghost' not found. Please ensure the agent is registered using POST /api/v1/register before attempting this operation (hpm register --agent-id ghost --role <role>)."

describe('POST /epics', () => {
  it.each(['pm', 'architect'] as const)(
    'creates an epic with zero counts when a %s asks',
    async (role) => {
      const agentId = await registerAgent(server.api, { role })

      const res = await server.api(`/api/v1/epics?agent_id=${agentId}`, {
        method: 'POST',
        body: { name: 'Auth', description: 'login' },
      })

      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({
        name: 'Auth',
        description: 'login',
        task_count: 0,
        completed_task_count: 0,
        in_progress_task_count: 0,
      })
      expect(res.body.created_at).toMatch(/Z$/)
    },
  )

  it('accepts empty strings when v1 clients send them', async () => {
    const pm = await registerAgent(server.api, { role: 'pm' })

    const res = await server.api(`/api/v1/epics?agent_id=${pm}`, {
      method: 'POST',
      body: { name: '', description: '' },
    })

    expect(res.status).toBe(200)
  })

  it.each(['backend_dev', 'frontend_dev', 'fullstack_dev', 'qa'] as const)(
    'returns 403 with v1 wording when a %s asks',
    async (role) => {
      const agentId = await registerAgent(server.api, { role })
      const before = await snapshotDatabase(server)

      const res = await server.api(`/api/v1/epics?agent_id=${agentId}`, {
        method: 'POST',
        body: { name: 'E', description: 'd' },
      })

      expectClientError(res, 403, 'Only pm, architect agents can perform this operation')
      expect(await snapshotDatabase(server)).toBe(before)
    },
  )

  it('returns 404 with v1 wording when the agent is not registered', async () => {
    const res = await server.api('/api/v1/epics?agent_id=ghost', {
      method: 'POST',
      body: { name: 'E', description: 'd' },
    })

    expectClientError(res, 404, NOT_REGISTERED)
  })
})

describe('GET /epics', () => {
  it('counts all, committed and in-progress tasks when the epic has tasks in several statuses', async () => {
    const project = await seedProject(server.api)
    await makeTask(server.api, project)
    const dev = await registerAgent(server.api, { role: 'frontend_dev', level: 'junior' })
    await makeTask(server.api, project, { target_role: 'frontend_dev' })
    await claim(server.api, dev)
    const done = await makeTask(server.api, project, { target_role: 'pm' })
    await claim(server.api, project.pm)
    await setStatus(server.api, done.id, project.pm, 'dev_done')
    const qa = await registerAgent(server.api, { role: 'qa', level: 'principal' })
    await claim(server.api, qa)
    await setStatus(server.api, done.id, qa, 'qa_done')
    await setStatus(server.api, done.id, project.pm, 'committed')

    const res = await server.api('/api/v1/epics')

    const epic = res.body.find((e: any) => e.id === project.epicId)
    expect(epic).toMatchObject({
      task_count: 3,
      completed_task_count: 1,
      in_progress_task_count: 1,
    })
  })

  it('lists epics in creation order when there are several', async () => {
    const first = await seedProject(server.api)
    const second = await seedProject(server.api)

    const res = await server.api('/api/v1/epics')

    const ids = res.body.map((e: any) => e.id)
    expect(ids.indexOf(first.epicId)).toBeLessThan(ids.indexOf(second.epicId))
  })
})

describe('DELETE /epics/{epic_id}', () => {
  it('deletes the epic with its features and tasks when a pm asks', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project)

    const res = await server.api(`/api/v1/epics/${project.epicId}?agent_id=${project.pm}`, {
      method: 'DELETE',
    })

    expect(res.status).toBe(200)
    expect(res.body.message).toBe(`Epic ${project.epicId} deleted successfully`)
    expect((await server.api(`/api/v1/features/${project.epicId}`)).body).toEqual([])
    expect((await server.api(`/api/v1/tasks/${task.id}`)).status).toBe(404)
    const changelog = await server.api('/api/v1/changelog?limit=10000')
    expect(changelog.body.filter((r: any) => r.task_id === task.id)).toEqual([])
  })

  it('returns 403 with v1 wording when an architect asks', async () => {
    const project = await seedProject(server.api)
    const architect = await registerAgent(server.api, { role: 'architect' })
    const before = await snapshotDatabase(server)

    const res = await server.api(`/api/v1/epics/${project.epicId}?agent_id=${architect}`, {
      method: 'DELETE',
    })

    expectClientError(res, 403, 'Only pm agents can perform this operation')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('returns 404 Epic not found when the epic does not exist', async () => {
    const pm = await registerAgent(server.api, { role: 'pm' })

    const res = await server.api(`/api/v1/epics/999999?agent_id=${pm}`, { method: 'DELETE' })

    expectClientError(res, 404, 'Epic not found')
  })
})

describe('POST /features', () => {
  it('creates a feature in the epic when an architect asks', async () => {
    const project = await seedProject(server.api)
    const architect = await registerAgent(server.api, { role: 'architect' })

    const res = await server.api(`/api/v1/features?agent_id=${architect}`, {
      method: 'POST',
      body: { epic_id: project.epicId, name: 'Login', description: 'form' },
    })

    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      id: expect.any(Number),
      epic_id: project.epicId,
      name: 'Login',
      description: 'form',
    })
  })

  it('checks the role before the epic when a qa names a missing epic', async () => {
    const qa = await registerAgent(server.api, { role: 'qa' })

    const res = await server.api(`/api/v1/features?agent_id=${qa}`, {
      method: 'POST',
      body: { epic_id: 999_999, name: 'F', description: 'd' },
    })

    expectClientError(res, 403, 'Only pm, architect agents can perform this operation')
  })

  it('returns 404 with v1 wording when the agent is not registered', async () => {
    const project = await seedProject(server.api)

    const res = await server.api('/api/v1/features?agent_id=ghost', {
      method: 'POST',
      body: { epic_id: project.epicId, name: 'F', description: 'd' },
    })

    expectClientError(res, 404, NOT_REGISTERED)
  })
})

describe('GET /features/{epic_id}', () => {
  it("lists the epic's features in creation order when it has several", async () => {
    const project = await seedProject(server.api)
    const second = await server.api(`/api/v1/features?agent_id=${project.pm}`, {
      method: 'POST',
      body: { epic_id: project.epicId, name: 'second', description: 'd' },
    })

    const res = await server.api(`/api/v1/features/${project.epicId}`)

    expect(res.status).toBe(200)
    expect(res.body.map((f: any) => f.id)).toEqual([project.featureId, second.body.id])
  })

  it('returns an empty list when the epic does not exist', async () => {
    const res = await server.api('/api/v1/features/999999')

    expect(res.status).toBe(200)
    expect(res.body).toEqual([])
  })

  it('lists every feature when no epic is given', async () => {
    const project = await seedProject(server.api)

    const res = await server.api('/api/v1/features')

    expect(res.status).toBe(200)
    expect(res.body.map((f: any) => f.id)).toContain(project.featureId)
  })
})

describe('DELETE /features/{feature_id}', () => {
  it('deletes the feature and its tasks when a pm asks', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project)

    const res = await server.api(`/api/v1/features/${project.featureId}?agent_id=${project.pm}`, {
      method: 'DELETE',
    })

    expect(res.status).toBe(200)
    expect(res.body.message).toBe(`Feature ${project.featureId} deleted successfully`)
    expect((await server.api(`/api/v1/tasks/${task.id}`)).status).toBe(404)
  })

  it('returns 403 when a backend_dev asks', async () => {
    const project = await seedProject(server.api)
    const dev = await registerAgent(server.api)

    const res = await server.api(`/api/v1/features/${project.featureId}?agent_id=${dev}`, {
      method: 'DELETE',
    })

    expectClientError(res, 403, 'Only pm agents can perform this operation')
  })

  it('returns 404 Feature not found when the feature does not exist', async () => {
    const pm = await registerAgent(server.api, { role: 'pm' })

    const res = await server.api(`/api/v1/features/999999?agent_id=${pm}`, { method: 'DELETE' })

    expectClientError(res, 404, 'Feature not found')
  })
})
