import { describe, expect, it } from 'vitest'
import type { TestContext } from 'vitest'

import {
  claim,
  getTask,
  makeTask,
  registerAgent,
  seedProject,
  setStatus,
} from '../../helpers/fixtures.js'
import type { Project } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

interface Arranged {
  server: TestServer
  project: Project
  /** The agent that gave task 1 back. */
  agent: string
  task1: number
  task2: number
}

/**
 * Matching looks at every task in the database, so each test gets its own server. Task 1 is older
 * than task 2 (so first in line), and `agent` claimed task 1 and gave it back by `giveBack`.
 */
async function arrange(
  { onTestFinished }: TestContext,
  giveBack: 'unlock' | 'status' | 'pm_unlock' = 'unlock',
  env: Record<string, string> = {},
): Promise<Arranged> {
  const server = await startTestServer({ env })
  onTestFinished(() => server.close())
  const project = await seedProject(server.api)
  const agent = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
  const task1 = (await makeTask(server.api, project, { title: 'task 1' })).id
  const task2 = (await makeTask(server.api, project, { title: 'task 2' })).id
  expect((await claim(server.api, agent)).body.id).toBe(task1)
  const res =
    giveBack === 'status'
      ? await setStatus(server.api, task1, agent, 'created', 'giving it back')
      : await server.api(
          `/api/v1/tasks/${task1}/unlock?agent_id=${giveBack === 'pm_unlock' ? project.pm : agent}`,
          { method: 'POST' },
        )
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return { server, project, agent, task1, task2 }
}

describe.concurrent('release cooldown', () => {
  it('gives the agent another task when it claims again after giving one back', async (context) => {
    const { server, agent, task2 } = await arrange(context)

    const res = await claim(server.api, agent)

    expect(res.body).toMatchObject({ id: task2, locked_by: agent })
  })

  it('still gives the agent the task it gave back when that is the only one left', async (context) => {
    const { server, agent, task1, task2 } = await arrange(context)
    await claim(server.api, agent)
    await setStatus(server.api, task2, agent, 'dev_done')

    const res = await claim(server.api, agent)

    expect(res.body).toMatchObject({ id: task1, locked_by: agent })
  })

  it('leaves the order alone for other agents', async (context) => {
    const { server, task1 } = await arrange(context)
    const other = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })

    const res = await claim(server.api, other)

    expect(res.body.id).toBe(task1)
  })

  it('applies to a long-poll claim answered by the waiters', async (context) => {
    const { server, agent, task2 } = await arrange(context)

    const res = await claim(server.api, agent, 5)

    expect(res.body).toMatchObject({ id: task2, locked_by: agent })
  })

  it('applies to the v1 next offer when the caller names itself, at once or by long-poll', async (context) => {
    const { server, agent, task1, task2 } = await arrange(context)

    const [named, waited, anonymous] = await Promise.all([
      server.api(
        `/api/v1/tasks/next?role=backend_dev&level=senior&simulate=true&agent_id=${agent}`,
      ),
      server.api(`/api/v1/tasks/next?role=backend_dev&level=senior&timeout=5&agent_id=${agent}`),
      server.api('/api/v1/tasks/next?role=backend_dev&level=senior&simulate=true'),
    ])

    expect(named.body.id).toBe(task2)
    expect(waited.body.id).toBe(task2)
    expect(anonymous.body.id).toBe(task1)
  })

  it("starts the holder's cooldown when a pm unlocks its task", async (context) => {
    const { server, agent, task2 } = await arrange(context, 'pm_unlock')

    const res = await claim(server.api, agent)

    expect(res.body.id).toBe(task2)
  })

  it('starts the cooldown when the holder gives the task back by a status update', async (context) => {
    const { server, agent, task2 } = await arrange(context, 'status')

    const res = await claim(server.api, agent)

    expect(res.body.id).toBe(task2)
  })

  it('offers the released task first again when HPM_RELEASE_COOLDOWN_SECONDS is 0', async (context) => {
    const { server, agent, task1 } = await arrange(context, 'unlock', {
      HPM_RELEASE_COOLDOWN_SECONDS: '0',
    })

    const res = await claim(server.api, agent)

    expect(res.body.id).toBe(task1)
  })

  it('ranks the released task last even when its level and priority would put it first', async (context) => {
    const { server, project, agent, task1, task2 } = await arrange(context)
    const edit = await server.api(`/api/v1/tasks/${task1}?agent_id=${project.pm}`, {
      method: 'PATCH',
      body: { priority: 1000, difficulty: 'senior' },
    })
    expect(edit.status, JSON.stringify(edit.body)).toBe(200)

    const res = await claim(server.api, agent)

    expect(res.body.id).toBe(task2)
    expect((await getTask(server.api, task1)).locked_by).toBeNull()
  })
})
