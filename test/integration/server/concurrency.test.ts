import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { claim, registerAgent, seedProject, setStatus } from '../../helpers/fixtures.js'
import type { Project } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

const CLIENTS = 50
const TASKS = 500

let server: TestServer
let project: Project

beforeAll(async () => {
  server = await startTestServer()
  project = await seedProject(server.api)
})
afterAll(async () => {
  await server.close()
})

/** Creates `n` tasks over HTTP, a few at a time. */
async function createTasks(n: number): Promise<number[]> {
  const ids: number[] = []
  const difficulties = ['junior', 'senior'] as const
  for (let start = 0; start < n; start += 25) {
    const batch = Array.from({ length: Math.min(25, n - start) }, (_, i) =>
      server.api(`/api/v1/tasks/create?agent_id=${project.pm}`, {
        method: 'POST',
        body: {
          feature_id: project.featureId,
          title: `load ${start + i}`,
          description: 'd',
          target_role: 'backend_dev',
          difficulty: difficulties[(start + i) % 2],
          branch: 'b',
          priority: (start + i) % 3,
        },
      }),
    )
    for (const res of await Promise.all(batch)) {
      expect(res.status).toBe(200)
      ids.push(res.body.id)
    }
  }
  return ids
}

/** One agent: claim, finish, repeat until the pool is empty. Returns the ids it claimed. */
async function work(agentId: string): Promise<number[]> {
  const mine: number[] = []
  for (;;) {
    const res = await claim(server.api, agentId, 0)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    if (res.body === null) return mine
    expect(res.body.locked_by).toBe(agentId)
    mine.push(res.body.id)
    const done = await setStatus(server.api, res.body.id, agentId, 'dev_done')
    expect(done.status, JSON.stringify(done.body)).toBe(200)
  }
}

describe('POST /tasks/claim under load', () => {
  it(`claims each of ${TASKS} tasks exactly once when ${CLIENTS} clients race for them`, async () => {
    const taskIds = await createTasks(TASKS)
    const agents: string[] = []
    for (let i = 0; i < CLIENTS; i++)
      agents.push(await registerAgent(server.api, { role: 'backend_dev', level: 'senior' }))

    const claimedBy = await Promise.all(agents.map((agentId) => work(agentId)))

    const claimed = claimedBy.flat()
    expect(claimed).toHaveLength(TASKS)
    expect(new Set(claimed)).toEqual(new Set(taskIds))
    const tasks = (await server.api('/api/v1/tasks')).body as any[]
    expect(tasks).toHaveLength(TASKS)
    for (const task of tasks) {
      expect(task).toMatchObject({ status: 'dev_done', locked_by: null, attempts: 1 })
    }
    const changelog = (await server.api('/api/v1/changelog?limit=10000')).body as any[]
    const claimRows = changelog.filter((row) => row.new_status === 'under_work')
    expect(claimRows).toHaveLength(TASKS)
    const ownerOf = new Map<number, string>()
    claimedBy.forEach((ids, i) => ids.forEach((id) => ownerOf.set(id, agents[i]!)))
    for (const row of claimRows) expect(row.changed_by).toBe(ownerOf.get(row.task_id))
    expect(changelog.filter((row) => row.new_status === 'dev_done')).toHaveLength(TASKS)
    expect(claimedBy.filter((ids) => ids.length > 0).length).toBeGreaterThan(1)
  })
})
