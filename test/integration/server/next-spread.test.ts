import { describe, expect, it } from 'vitest'
import type { TestContext } from 'vitest'

import { lock, makeTask, registerAgent, seedProject, setStatus } from '../../helpers/fixtures.js'
import type { Api } from '../../helpers/fixtures.js'
import { TestClock } from '../../helpers/test-clock.js'
import { startTestServer } from '../../helpers/test-server.js'

/** v1 clients ask `next` with no agent id, then lock what they were offered. */
function next(api: Api, agentId?: string): Promise<number | undefined> {
  const who = agentId === undefined ? '' : `&agent_id=${agentId}`
  return api(`/api/v1/tasks/next?role=backend_dev&level=senior&simulate=true${who}`).then((res) => {
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return (res.body as { id: number } | null)?.id
  })
}

/** A server with `agentCount` backend devs, registered before the tasks exist (a register reply offers one). */
async function arrange({ onTestFinished }: TestContext, taskCount: number, agentCount = 0) {
  const clock = new TestClock()
  const server = await startTestServer({ clock })
  onTestFinished(() => server.close())
  const project = await seedProject(server.api)
  const agents: string[] = []
  for (let i = 0; i < agentCount; i++) {
    agents.push(await registerAgent(server.api, { role: 'backend_dev', level: 'senior' }))
  }
  const tasks: number[] = []
  for (let i = 0; i < taskCount; i++) {
    tasks.push((await makeTask(server.api, project, { title: `task ${i}` })).id)
  }
  return { server, clock, tasks, agents }
}

describe.concurrent('GET /tasks/next spreads askers over tasks (soft hold)', () => {
  it('offers askers who ask one after another different tasks, best first', async (context) => {
    const { server, tasks } = await arrange(context, 3)

    const offered = [await next(server.api), await next(server.api), await next(server.api)]

    expect(offered).toEqual(tasks)
  })

  it('offers the best task again once every task is held for someone', async (context) => {
    const { server, tasks } = await arrange(context, 2)
    await next(server.api)
    await next(server.api)

    const third = await next(server.api)

    expect(third).toBe(tasks[0])
  })

  it('offers an agent that names itself the task it was just offered', async (context) => {
    const { server, tasks } = await arrange(context, 3)
    const agent = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    await next(server.api, agent)
    await next(server.api)

    const again = await next(server.api, agent)

    expect(again).toBe(tasks[0])
  })

  it('lets anyone lock an offered task: a hold is a hint, the lock decides', async (context) => {
    const { server, tasks } = await arrange(context, 2)
    const other = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    await next(server.api)

    const res = await lock(server.api, tasks[0]!, other)

    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ id: tasks[0], locked_by: other })
  })

  it('offers the best task to everyone again once the hold has lapsed', async (context) => {
    const { server, clock, tasks } = await arrange(context, 2)
    await next(server.api)

    clock.advance(10_000)
    const later = await next(server.api)

    expect(later).toBe(tasks[0])
  })

  it('offers asks in flight at the same time different tasks', async (context) => {
    const { server, tasks } = await arrange(context, 6)

    const offered = await Promise.all(tasks.map(() => next(server.api)))

    expect([...offered].sort((a, b) => a! - b!)).toEqual(tasks)
  })

  it('still ranks a task the agent just gave back after one held for someone else', async (context) => {
    const { server, tasks, agents } = await arrange(context, 2, 1)
    const agent = agents[0]!
    expect((await lock(server.api, tasks[1]!, agent)).status).toBe(200)
    const unlock = await server.api(`/api/v1/tasks/${tasks[1]}/unlock?agent_id=${agent}`, {
      method: 'POST',
    })
    expect(unlock.status, JSON.stringify(unlock.body)).toBe(200)
    expect(await next(server.api)).toBe(tasks[0])

    const offered = await next(server.api, agent)

    expect(offered).toBe(tasks[0])
  })

  it("points a v1 agent's status reply at a task not just offered to someone else", async (context) => {
    const { server, tasks, agents } = await arrange(context, 3, 1)
    const agent = agents[0]!
    expect((await lock(server.api, tasks[2]!, agent)).status).toBe(200)
    expect(await next(server.api)).toBe(tasks[0])

    const res = await setStatus(server.api, tasks[2]!, agent, 'dev_done')

    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.next_task).toMatchObject({ id: tasks[1] })
  })
})
