import { describe, expect, it } from 'vitest'
import type { TestContext } from 'vitest'

import {
  claim,
  lock,
  makeTask,
  registerAgent,
  seedProject,
  setStatus,
} from '../../helpers/fixtures.js'
import type { Project } from '../../helpers/fixtures.js'
import { TestClock } from '../../helpers/test-clock.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

// `/status` → attention: what no agent will act on, so a person must. (no_qa_can_review is in
// qa-levels.test.ts.)

async function setup(
  { onTestFinished }: TestContext,
  env: Record<string, string> = {},
  clock?: TestClock,
): Promise<{ server: TestServer; project: Project }> {
  const server = await startTestServer({ env, clock })
  onTestFinished(() => server.close())
  return { server, project: await seedProject(server.api) }
}

async function attention(
  server: TestServer,
): Promise<Array<{ reason: string; task_id: number; title: string; detail: string }>> {
  const res = await server.api('/status', { key: null })
  expect(res.status).toBe(200)
  return res.body.attention
}

const FAILED_RUN = {
  outcome: 'agent_exit',
  exit_code: 1,
  verdict: 'failed',
  started_at: '2026-01-01T00:00:00Z',
  finished_at: '2026-01-01T00:01:00Z',
}

describe.concurrent('GET /status attention', () => {
  it('lists a task its failure budget sent back to pending, with the last reason, until a planner approves it', async (context) => {
    const { server, project } = await setup(context, { HPM_TASK_MAX_FAILURES: '2' })
    const dev = await registerAgent(server.api)
    const task = await makeTask(server.api, project)
    await claim(server.api, dev)
    for (const attempt of [1, 2]) {
      await server.api(`/api/v1/tasks/${task.id}/runs`, {
        method: 'POST',
        body: { ...FAILED_RUN, agent_id: dev, attempt, verdict_reason: `no commits (${attempt})` },
      })
    }

    const sentBack = await attention(server)
    await setStatus(server.api, task.id, project.pm, 'created', 'clarified the task')
    const after = await attention(server)

    expect(sentBack).toEqual([
      {
        reason: 'failure_budget_spent',
        task_id: task.id,
        title: task.title,
        detail: expect.stringContaining('2 runner attempts failed'),
      },
    ])
    expect(sentBack[0]?.detail).toContain('the last: no commits (2)')
    expect(after).toEqual([])
  })

  it('lists tasks waiting at qa_done: a major one for human review, a minor one whose merge failed', async (context) => {
    const { server, project } = await setup(context)
    const dev = await registerAgent(server.api)
    const qa = await registerAgent(server.api, { role: 'qa', level: 'principal' })
    const passed = async (complexity: 'major' | 'minor') => {
      const task = await makeTask(server.api, project, { complexity })
      await lock(server.api, task.id, dev)
      await setStatus(server.api, task.id, dev, 'dev_done')
      await lock(server.api, task.id, qa)
      await setStatus(server.api, task.id, qa, 'qa_done')
      return task
    }
    const major = await passed('major')
    const minor = await passed('minor')

    const items = await attention(server)

    expect(items.map((i) => [i.reason, i.task_id])).toEqual([
      ['awaiting_merge', major.id],
      ['awaiting_merge', minor.id],
    ])
    expect(items[0]?.detail).toContain('waits for your review')
    expect(items[1]?.detail).toContain(`hpm tasks merge ${minor.id}`)
  })

  it('lists a task held by an agent that has not been seen for a while', async (context) => {
    const clock = new TestClock()
    const { server, project } = await setup(context, { HPM_AGENT_ACTIVE_SECONDS: '1' }, clock)
    const dev = await registerAgent(server.api)
    const task = await makeTask(server.api, project)
    await claim(server.api, dev)
    expect(await attention(server)).toEqual([])

    clock.advance(1001)
    const items = await attention(server)

    expect(items).toEqual([
      {
        reason: 'holder_away',
        task_id: task.id,
        title: task.title,
        detail: expect.stringContaining(`held by ${dev}, last seen`),
      },
    ])
  })

  it('lists a task ready for a role no registered agent has, until one registers', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project, { target_role: 'frontend_dev' })

    const waiting = await attention(server)
    await registerAgent(server.api, { role: 'frontend_dev', level: 'junior' })
    const after = await attention(server)

    expect(waiting).toEqual([
      {
        reason: 'no_agent_for_role',
        task_id: task.id,
        title: task.title,
        detail: expect.stringContaining('no frontend_dev agent is registered'),
      },
    ])
    expect(after).toEqual([])
  })
})
