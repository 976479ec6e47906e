import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  expectClientError,
  getTask,
  lock,
  makeTask,
  registerAgent,
  seedProject,
  snapshotDatabase,
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

const SHA = '3f2a9c1e5b7d40f18e6a2c9b0d4f7e1a3c5b9d2e'
const OTHER_SHA = 'aa11bb22cc33'

const putStatus = (taskId: number, agentId: string, body: Record<string, unknown>) =>
  server.api(`/api/v1/tasks/${taskId}/status?agent_id=${agentId}`, { method: 'PUT', body })
const patch = (taskId: number, agentId: string, body: Record<string, unknown>) =>
  server.api(`/api/v1/tasks/${taskId}?agent_id=${agentId}`, { method: 'PATCH', body })

/** A task its dev holds (locked by `lock`, so other tests' tasks do not interfere). */
async function devHolds(): Promise<{ taskId: number; dev: string }> {
  const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
  const task = await makeTask(server.api, project)
  expect((await lock(server.api, task.id, dev)).status).toBe(200)
  return { taskId: task.id, dev }
}

/** A task at dev_done with `SHA` on `task-<id>`. */
async function handedToQa(): Promise<{ taskId: number; dev: string }> {
  const { taskId, dev } = await devHolds()
  const res = await putStatus(taskId, dev, {
    status: 'dev_done',
    work_branch: `task-${taskId}`,
    work_commit: SHA,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return { taskId, dev }
}

describe('work_branch and work_commit', () => {
  it('starts null on a new task', async () => {
    const task = await makeTask(server.api, project)

    expect(task).toMatchObject({ work_branch: null, work_commit: null, failures: 0 })
  })

  it('stores both with the status change when dev reports dev_done', async () => {
    const { taskId, dev } = await devHolds()

    const res = await putStatus(taskId, dev, {
      status: 'dev_done',
      notes: 'done',
      work_branch: `task-${taskId}`,
      work_commit: SHA,
    })

    expect(res.body.task).toMatchObject({
      status: 'dev_done',
      locked_by: null,
      work_branch: `task-${taskId}`,
      work_commit: SHA,
    })
    expect(await getTask(server.api, taskId)).toMatchObject({
      work_branch: `task-${taskId}`,
      work_commit: SHA,
    })
  })

  it('keeps the commit when QA claims the task', async () => {
    const { taskId } = await handedToQa()
    const qa = await registerAgent(server.api, { role: 'qa', level: 'principal' })

    const res = await lock(server.api, taskId, qa)

    expect(res.body).toMatchObject({
      status: 'under_work',
      claimed_from: 'dev_done',
      work_commit: SHA,
      work_branch: `task-${taskId}`,
    })
  })

  it('clears the commit but keeps the branch when a dev claims the task for a new round', async () => {
    const { taskId, dev } = await handedToQa()
    const qa = await registerAgent(server.api, { role: 'qa', level: 'principal' })
    await lock(server.api, taskId, qa)
    const failed = await putStatus(taskId, qa, { status: 'created', notes: 'login fails' })

    const reclaimed = await lock(server.api, taskId, dev)

    expect(failed.body.task).toMatchObject({ status: 'created', work_commit: SHA })
    expect(reclaimed.body).toMatchObject({
      status: 'under_work',
      claimed_from: 'created',
      work_commit: null,
      work_branch: `task-${taskId}`,
    })
  })

  it('clears the commit in the claim statement of POST /tasks/claim too', async ({
    onTestFinished,
  }) => {
    const own = await startTestServer()
    onTestFinished(() => own.close())
    const ownProject = await seedProject(own.api)
    const dev = await registerAgent(own.api, { role: 'backend_dev', level: 'senior' })
    const task = await makeTask(own.api, ownProject)
    await own.api(`/api/v1/tasks/${task.id}?agent_id=${ownProject.pm}`, {
      method: 'PATCH',
      body: { work_commit: OTHER_SHA },
    })

    const res = await own.api('/api/v1/tasks/claim', {
      method: 'POST',
      body: { agent_id: dev, timeout: 0 },
    })

    expect(res.body).toMatchObject({ id: task.id, locked_by: dev, work_commit: null })
  })

  it('clears a value when the status update gives null, and keeps it when the field is absent', async () => {
    const { taskId, dev } = await devHolds()
    await putStatus(taskId, dev, { status: 'under_work', work_branch: 'wip', work_commit: SHA })

    const kept = await putStatus(taskId, dev, { status: 'under_work' })
    const cleared = await putStatus(taskId, dev, { status: 'under_work', work_commit: null })

    expect(kept.body.task).toMatchObject({ work_branch: 'wip', work_commit: SHA })
    expect(cleared.body.task).toMatchObject({ work_branch: 'wip', work_commit: null })
  })

  it.each([
    ['not hex', { work_commit: 'not-a-sha' }, 'work_commit'],
    ['6 characters', { work_commit: 'abcdef' }, 'work_commit'],
    ['65 characters', { work_commit: 'a'.repeat(65) }, 'work_commit'],
    ['a number', { work_commit: 1234567 }, 'work_commit'],
    ['a branch with a space', { work_branch: 'my branch' }, 'work_branch'],
    ['an empty branch', { work_branch: '' }, 'work_branch'],
  ])(
    'returns 422 naming the field and changes nothing when a status update sends %s',
    async (_what, fields, name) => {
      const { taskId, dev } = await devHolds()
      const before = await snapshotDatabase(server)

      const res = await putStatus(taskId, dev, { status: 'dev_done', ...fields })

      expectClientError(res, 422, name)
      expect(await snapshotDatabase(server)).toBe(before)
    },
  )

  it('stores nothing when the status move itself is refused', async () => {
    const { taskId, dev } = await devHolds()
    const before = await snapshotDatabase(server)

    const res = await putStatus(taskId, dev, { status: 'committed', work_commit: SHA })

    expectClientError(res, 409, 'cannot move task')
    expect(await snapshotDatabase(server)).toBe(before)
  })
})

describe('PATCH /tasks/:task_id work fields', () => {
  it('sets and clears the commit when the lock holder sends it', async () => {
    const { taskId, dev } = await devHolds()

    const set = await patch(taskId, dev, { work_branch: `task-${taskId}`, work_commit: SHA })
    const cleared = await patch(taskId, dev, { work_commit: null })

    expect(set.status, JSON.stringify(set.body)).toBe(200)
    expect(set.body).toMatchObject({ work_branch: `task-${taskId}`, work_commit: SHA })
    expect(cleared.body).toMatchObject({ work_branch: `task-${taskId}`, work_commit: null })
  })

  it('lets a pm set the commit of a task someone else holds', async () => {
    const { taskId } = await devHolds()

    const res = await patch(taskId, project.pm, { work_commit: SHA })

    expect(res.body).toMatchObject({ work_commit: SHA })
  })

  it.each(['backend_dev', 'architect', 'qa'] as const)(
    'returns 403 not_lock_holder and changes nothing when a %s that does not hold the lock sends it',
    async (role) => {
      const { taskId } = await devHolds()
      const other = await registerAgent(server.api, { role, level: 'principal' })
      const before = await snapshotDatabase(server)

      const res = await patch(taskId, other, { work_commit: SHA })

      expectClientError(res, 403, 'only the lock holder or a pm')
      expect(res.body.code).toBe('not_lock_holder')
      expect(await snapshotDatabase(server)).toBe(before)
    },
  )

  it("returns 403 and changes nothing when the task's creator, not holding it, sends it", async () => {
    const creator = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    const task = await makeTask(server.api, project, { creator })
    await server.api(`/api/v1/tasks/${task.id}/status?agent_id=${project.pm}`, {
      method: 'PUT',
      body: { status: 'created' },
    })
    const holder = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    await lock(server.api, task.id, holder)
    const before = await snapshotDatabase(server)

    const res = await patch(task.id, creator, { work_commit: SHA })

    expectClientError(res, 403, `locked by agent ${holder}`)
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('lets only planners set the work fields of an unlocked task', async () => {
    const { taskId } = await handedToQa()
    const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    const architect = await registerAgent(server.api, { role: 'architect', level: 'principal' })
    const before = await snapshotDatabase(server)

    const refused = await patch(taskId, dev, { work_commit: OTHER_SHA })
    const unchanged = await snapshotDatabase(server)
    const allowed = await patch(taskId, architect, { work_commit: OTHER_SHA })

    expectClientError(refused, 403, 'only pm or architect agents')
    expect(unchanged).toBe(before)
    expect(allowed.body).toMatchObject({ work_commit: OTHER_SHA })
  })

  it('still refuses plan fields from the lock holder that is neither a planner nor the creator', async () => {
    const { taskId, dev } = await devHolds()
    const before = await snapshotDatabase(server)

    const res = await patch(taskId, dev, { work_commit: SHA, title: 'renamed' })

    expectClientError(res, 403, 'may edit task')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it.each([
    [{ work_commit: 'xyz' }, 'work_commit'],
    [{ work_commit: '' }, 'work_commit'],
    [{ work_branch: 'two words' }, 'work_branch'],
  ])('returns 422 naming the field and changes nothing when PATCH sends %j', async (body, name) => {
    const { taskId, dev } = await devHolds()
    const before = await snapshotDatabase(server)

    const res = await patch(taskId, dev, body)

    expectClientError(res, 422, name)
    expect(await snapshotDatabase(server)).toBe(before)
  })
})
