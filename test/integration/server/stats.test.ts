import { describe, expect, it } from 'vitest'
import type { TestContext } from 'vitest'

import { lock, makeTask, registerAgent, seedProject, setStatus } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'

describe('GET /stats', () => {
  it('adds up throughput and cost by day, epic, agent and model, and the median lead time', async ({ onTestFinished }: TestContext) => {
    const server = await startTestServer()
    onTestFinished(() => server.close())
    const project = await seedProject(server.api)
    const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    const qa = await registerAgent(server.api, { role: 'qa', level: 'senior' })
    const run = (taskId: number, agentId: string, cost: number, model: string) =>
      server.api(`/api/v1/tasks/${taskId}/runs`, {
        method: 'POST',
        body: { agent_id: agentId, outcome: 'succeeded', model, cost_usd: cost, started_at: '2026-03-01T10:00:00Z', finished_at: '2026-03-01T10:05:00Z' },
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
    expect(res.body.cost_by_agent).toEqual(expect.arrayContaining([{ agent_id: dev, cost_usd: 1.5, runs: 2 }, { agent_id: qa, cost_usd: 0.25, runs: 1 }]))
    expect(res.body.done_by_agent).toEqual(expect.arrayContaining([{ agent_id: dev, dev_done: 1, qa_done: 0 }, { agent_id: qa, dev_done: 0, qa_done: 1 }]))
    expect(res.body.median_created_to_committed_seconds).toBeGreaterThanOrEqual(0)
  })
})
