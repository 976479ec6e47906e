import { describe, expect, it } from 'vitest'
import type { TestContext } from 'vitest'

import {
  claim,
  expectClientError,
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
import type { SkillLevel } from '../../../src/contract/index.js'

async function setup(
  { onTestFinished }: TestContext,
  env: Record<string, string> = {},
): Promise<{ server: TestServer; project: Project }> {
  const server = await startTestServer({ env })
  onTestFinished(() => server.close())
  return { server, project: await seedProject(server.api) }
}

/** A task of this level that a dev of the same level finished: it waits for review. */
async function devDoneTask(
  server: TestServer,
  project: Project,
  difficulty: SkillLevel,
): Promise<{ id: number; title: string }> {
  const dev = await registerAgent(server.api, { role: 'backend_dev', level: difficulty })
  const task = await makeTask(server.api, project, { difficulty })
  expect((await lock(server.api, task.id, dev)).status).toBe(200)
  expect((await setStatus(server.api, task.id, dev, 'dev_done')).status).toBe(200)
  return task
}

const attentionOf = async (server: TestServer) => {
  const res = await server.api('/status', { key: null })
  expect(res.status).toBe(200)
  return res.body.attention as Array<{
    reason: string
    task_id: number
    title: string
    detail: string
  }>
}

describe.concurrent('QA and task levels', () => {
  it('offers a junior QA dev_done work of every level, its own level first (as v1)', async (context) => {
    const { server, project } = await setup(context)
    const principalWork = await devDoneTask(server, project, 'principal')
    const juniorWork = await devDoneTask(server, project, 'junior')
    const qa = await registerAgent(server.api, { role: 'qa', level: 'junior' })

    const first = await claim(server.api, qa)
    await setStatus(server.api, first.body.id, qa, 'qa_done')
    const second = await claim(server.api, qa)

    expect(first.body).toMatchObject({ id: juniorWork.id, status: 'under_work', locked_by: qa })
    expect(second.body).toMatchObject({ id: principalWork.id, status: 'under_work', locked_by: qa })
  })

  it('lets a junior QA lock principal dev_done work, and offers it through v1 next', async (context) => {
    const { server, project } = await setup(context)
    const task = await devDoneTask(server, project, 'principal')
    const qa = await registerAgent(server.api, { role: 'qa', level: 'junior' })

    const offered = await server.api(`/api/v1/tasks/next?role=qa&level=junior&simulate=true`)
    const locked = await lock(server.api, task.id, qa)

    expect(offered.body).toMatchObject({ id: task.id, status: 'dev_done' })
    expect(locked.status, JSON.stringify(locked.body)).toBe(200)
  })

  it('keeps a QA to its level for created tasks targeted at qa (only reviews are open to every level)', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project, { target_role: 'qa', difficulty: 'principal' })
    const qa = await registerAgent(server.api, { role: 'qa', level: 'junior' })

    const res = await lock(server.api, task.id, qa)

    expectClientError(res, 403, 'principal work')
  })

  it('keeps a QA to its own level or lower when HPM_QA_LEVEL_STRICT is true, and says why on a lock', async (context) => {
    const { server, project } = await setup(context, { HPM_QA_LEVEL_STRICT: 'true' })
    const task = await devDoneTask(server, project, 'principal')
    const qa = await registerAgent(server.api, { role: 'qa', level: 'junior' })
    const before = await snapshotDatabase(server)

    const claimed = await claim(server.api, qa)
    const locked = await lock(server.api, task.id, qa)

    expect(claimed.body).toBeNull()
    expectClientError(locked, 403, 'HPM_QA_LEVEL_STRICT')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('shows in /status a dev_done task no registered QA may review under the strict rule, until one may', async (context) => {
    const { server, project } = await setup(context, { HPM_QA_LEVEL_STRICT: 'true' })
    const task = await devDoneTask(server, project, 'principal')
    await registerAgent(server.api, { role: 'qa', level: 'senior' })

    const stuck = await attentionOf(server)
    await registerAgent(server.api, { role: 'qa', level: 'principal' })
    const after = await attentionOf(server)

    expect(stuck).toEqual([
      {
        reason: 'no_qa_can_review',
        task_id: task.id,
        title: task.title,
        detail: expect.stringContaining('HPM_QA_LEVEL_STRICT'),
      },
    ])
    expect(stuck[0]?.detail).toContain('registered QA levels: senior')
    expect(after).toEqual([])
  })

  it('shows in /status every dev_done task while no QA agent is registered', async (context) => {
    const { server, project } = await setup(context)
    const tasks = [
      await devDoneTask(server, project, 'junior'),
      await devDoneTask(server, project, 'principal'),
    ]

    const stuck = await attentionOf(server)
    await registerAgent(server.api, { role: 'qa', level: 'junior' })
    const after = await attentionOf(server)

    expect(stuck.map((item) => item.task_id)).toEqual(tasks.map((t) => t.id))
    expect(stuck[0]?.detail).toContain('no QA agent is registered')
    expect(after).toEqual([])
  })
})
