import { describe, expect, it } from 'vitest'
import type { TestContext } from 'vitest'

import { lock, makeTask, registerAgent, seedProject, setStatus } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'

describe('GET /stats', () => {
  it('adds up throughput and cost by day, epic, agent and model, and the median lead time', async ({
    onTestFinished,
  }: TestContext) => {
    const server = await startTestServer()
    onTestFinished(() => server.close())
    const project = await seedProject(server.api)
    const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    const qa = await registerAgent(server.api, { role: 'qa', level: 'senior' })
    const run = (taskId: number, agentId: string, cost: number, model: string) =>
      server.api(`/api/v1/tasks/${taskId}/runs`, {
        method: 'POST',
        body: {
          agent_id: agentId,
          outcome: 'succeeded',
          model,
          cost_usd: cost,
          started_at: '2026-03-01T10:00:00Z',
          finished_at: '2026-03-01T10:05:00Z',
        },
      })
    const done = await makeTask(server.api, project)
    await lock(server.api, done.id, dev)
    await run(done.id, dev, 0.5, 'claude-sonnet-5')
    await setStatus(server.api, done.id, dev, 'dev_done')
    await lock(server.api, done.id, qa)
    await run(done.id, qa, 0.25, 'claude-opus-4-8')
    await setStatus(server.api, done.id, qa, 'qa_done')
    await setStatus(server.api, done.id, project.pm, 'committed')
    const open = await makeTask(server.api, project)
    await run(open.id, dev, 1, 'claude-sonnet-5')

    const res = await server.api('/api/v1/stats')

    expect(res.status).toBe(200)
    const today = new Date().toISOString().slice(0, 10)
    expect(res.body).toMatchObject({
      tasks_by_status: { committed: 1, created: 1 },
      committed_per_day: [{ day: today, tasks: 1 }],
      cost_per_day: [{ day: '2026-03-01', cost_usd: 1.75, runs: 3 }],
      cost_by_epic: [{ epic_id: project.epicId, cost_usd: 1.75, runs: 3 }],
      cost_by_model: [
        { model: 'claude-opus-4-8', cost_usd: 0.25, runs: 1 },
        { model: 'claude-sonnet-5', cost_usd: 1.5, runs: 2 },
      ],
    })
    expect(res.body.cost_by_agent).toEqual(
      expect.arrayContaining([
        { agent_id: dev, cost_usd: 1.5, runs: 2 },
        { agent_id: qa, cost_usd: 0.25, runs: 1 },
      ]),
    )
    expect(res.body.done_by_agent).toEqual(
      expect.arrayContaining([
        { agent_id: dev, dev_done: 1, qa_done: 0 },
        { agent_id: qa, dev_done: 0, qa_done: 1 },
      ]),
    )
    expect(res.body.median_created_to_committed_seconds).toBeGreaterThanOrEqual(0)
  })
})

describe('GET /runs', () => {
  it("lists the latest attempts newest first, one agent's when asked, at most limit", async ({
    onTestFinished,
  }: TestContext) => {
    const server = await startTestServer()
    onTestFinished(() => server.close())
    const project = await seedProject(server.api)
    const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    const other = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    const task = await makeTask(server.api, project)
    const run = async (agentId: string, attempt: number) => {
      const res = await server.api(`/api/v1/tasks/${task.id}/runs`, {
        method: 'POST',
        body: {
          agent_id: agentId,
          attempt,
          outcome: 'failed',
          cost_usd: 0.1,
          started_at: '2026-03-01T10:00:00Z',
          finished_at: '2026-03-01T10:05:00Z',
        },
      })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
    }
    await run(dev, 1)
    await run(other, 1)
    await run(dev, 2)
    await run(dev, 3)

    const all = await server.api('/api/v1/runs')
    const mine = await server.api(`/api/v1/runs?agent_id=${dev}&limit=2`)
    const tooMany = await server.api('/api/v1/runs?limit=201')

    expect(all.body.map((r: any) => [r.agent_id, r.attempt])).toEqual([
      [dev, 3],
      [dev, 2],
      [other, 1],
      [dev, 1],
    ])
    expect(mine.body.map((r: any) => [r.agent_id, r.attempt, r.task_id])).toEqual([
      [dev, 3, task.id],
      [dev, 2, task.id],
    ])
    expect(tooMany.status).toBe(422)
    expect(JSON.stringify(tooMany.body.detail)).toContain('at most 200')
  })
})
