import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  expectClientError,
  getTask,
  makeTask,
  registerAgent,
  seedProject,
  snapshotDatabase,
} from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

// A task's own money budget (`budget_usd`): the runner gives it to Claude instead of
// HEADLESS_PM_TASK_BUDGET_USD. A plan field: pm/architect or the task's creator set it.

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const BAD_BUDGETS: Array<[string, unknown, string]> = [
  ['zero', 0, 'more than 0'],
  ['negative', -1, 'more than 0'],
  ['over 10000', 10_000.01, 'at most 10000'],
  ['a string', '2.5', 'must be a number of US dollars'],
  ['a boolean', true, 'must be a number of US dollars'],
]

describe('POST /tasks/create with budget_usd', () => {
  it('stores and returns budget_usd when it is given', async () => {
    const project = await seedProject(server.api)

    const res = await server.api(`/api/v1/tasks/create?agent_id=${project.pm}`, {
      method: 'POST',
      body: {
        feature_id: project.featureId,
        title: 't',
        description: '',
        target_role: 'backend_dev',
        difficulty: 'junior',
        branch: '',
        budget_usd: 2.5,
      },
    })

    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.budget_usd).toBe(2.5)
    expect((await getTask(server.api, res.body.id)).budget_usd).toBe(2.5)
  })

  it('accepts exactly 10000 and a fraction of a cent', async () => {
    const project = await seedProject(server.api)

    const most = await makeTaskWith(project, 10_000)
    const least = await makeTaskWith(project, 0.001)

    expect([most.status, least.status]).toEqual([200, 200])
    expect([most.body.budget_usd, least.body.budget_usd]).toEqual([10_000, 0.001])
  })

  it('returns budget_usd null when a v1 client leaves it out', async () => {
    const project = await seedProject(server.api)

    const task = await makeTask(server.api, project)

    expect(task.budget_usd).toBeNull()
    expect(
      (await server.api('/api/v1/tasks')).body.find((t: { id: number }) => t.id === task.id),
    ).toMatchObject({ budget_usd: null })
  })

  it.each(BAD_BUDGETS)(
    'returns 422 naming budget_usd and creates nothing when it is %s',
    async (_case, budget, message) => {
      const project = await seedProject(server.api)
      const before = await snapshotDatabase(server)

      const res = await makeTaskWith(project, budget)

      expectClientError(res, 422, 'budget_usd')
      expectClientError(res, 422, message)
      expect(await snapshotDatabase(server)).toBe(before)
    },
  )

  async function makeTaskWith(project: { pm: string; featureId: number }, budget: unknown) {
    return server.api(`/api/v1/tasks/create?agent_id=${project.pm}`, {
      method: 'POST',
      body: {
        feature_id: project.featureId,
        title: 't',
        description: '',
        target_role: 'backend_dev',
        difficulty: 'junior',
        branch: '',
        budget_usd: budget,
      },
    })
  }
})

describe('PATCH /tasks/{task_id} budget_usd', () => {
  it('sets budget_usd and then clears it with null when a pm edits', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project, { title: 'keep me' })

    const set = await server.api(`/api/v1/tasks/${task.id}?agent_id=${project.pm}`, {
      method: 'PATCH',
      body: { budget_usd: 0.75 },
    })
    const cleared = await server.api(`/api/v1/tasks/${task.id}?agent_id=${project.pm}`, {
      method: 'PATCH',
      body: { budget_usd: null },
    })

    expect(set.status, JSON.stringify(set.body)).toBe(200)
    expect(set.body).toMatchObject({ budget_usd: 0.75, title: 'keep me' })
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200)
    expect(cleared.body).toMatchObject({ budget_usd: null, title: 'keep me' })
  })

  it('lets the creator set it when the creator is not a planner', async () => {
    const project = await seedProject(server.api)
    const dev = await registerAgent(server.api)
    const task = await makeTask(server.api, project, { creator: dev })

    const res = await server.api(`/api/v1/tasks/${task.id}?agent_id=${dev}`, {
      method: 'PATCH',
      body: { budget_usd: 3 },
    })

    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.budget_usd).toBe(3)
  })

  it('returns 403 and changes nothing when the lock holder, not a planner or the creator, raises it', async () => {
    const project = await seedProject(server.api)
    const task = await makeTask(server.api, project)
    const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    expect(
      (await server.api(`/api/v1/tasks/${task.id}/lock?agent_id=${dev}`, { method: 'POST' }))
        .status,
    ).toBe(200)
    const before = await snapshotDatabase(server)

    const res = await server.api(`/api/v1/tasks/${task.id}?agent_id=${dev}`, {
      method: 'PATCH',
      body: { budget_usd: 9_999 },
    })

    expectClientError(res, 403, 'may edit task')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it.each(BAD_BUDGETS)(
    'returns 422 naming budget_usd and changes nothing when it is %s',
    async (_case, budget, message) => {
      const project = await seedProject(server.api)
      const task = await makeTask(server.api, project)
      await server.api(`/api/v1/tasks/${task.id}?agent_id=${project.pm}`, {
        method: 'PATCH',
        body: { budget_usd: 1 },
      })
      const before = await snapshotDatabase(server)

      const res = await server.api(`/api/v1/tasks/${task.id}?agent_id=${project.pm}`, {
        method: 'PATCH',
        body: { title: 'renamed', budget_usd: budget },
      })

      expectClientError(res, 422, 'budget_usd')
      expectClientError(res, 422, message)
      expect(await snapshotDatabase(server)).toBe(before)
    },
  )
})
