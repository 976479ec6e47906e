import { describe, expect, it } from 'vitest'
import type { TestContext } from 'vitest'

import {
  claim,
  eventually,
  getTask,
  lock,
  makeTask,
  registerAgent,
  seedProject,
  setStatus,
} from '../../helpers/fixtures.js'
import type { ApiResult, Project } from '../../helpers/fixtures.js'
import { TestClock } from '../../helpers/test-clock.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

interface Setup {
  server: TestServer
  project: Project
  /** The server's clock: a waiter times out only when the test moves it past its timeout. */
  clock: TestClock
  /** Resolves once the server holds exactly `n` long-poll waiters. */
  untilWaiting: (n: number) => Promise<void>
  registerMany: (n: number, role?: 'backend_dev' | 'qa') => Promise<string[]>
}

/**
 * Each test waits on its own server (an empty pool, its own waiters), so the tests can run side by
 * side. Its clock stands still, so a waiter that gets a task got it from a change, never from a
 * timeout or the periodic recheck.
 */
async function setup({ onTestFinished }: TestContext): Promise<Setup> {
  const clock = new TestClock()
  const server = await startTestServer({ clock })
  onTestFinished(() => server.close())
  const project = await seedProject(server.api)
  const waiterCount = () => server.running.server.deps.waiters.size
  return {
    server,
    project,
    clock,
    untilWaiting: async (n) => {
      const reached = await eventually(() => waiterCount() === n, 15_000, 20)
      expect(reached, `expected ${n} waiters, have ${waiterCount()}`).toBe(true)
    },
    registerMany: async (n, role = 'backend_dev') => {
      const ids: string[] = []
      for (let i = 0; i < n; i++)
        ids.push(await registerAgent(server.api, { role, level: 'senior' }))
      return ids
    },
  }
}

interface Tracked {
  agentId: string
  isSettled: boolean
  result?: ApiResult
  promise: Promise<ApiResult>
}

/** Resolves once the changes written so far have reached the waiters and every waiter has been asked. */
async function settleWakeUps(server: TestServer): Promise<void> {
  const { hub, waiters } = server.running.server.deps
  await hub.poke()
  await waiters.wake()
}

/** Starts a request and records whether it has settled, so a test can ask who answered first. */
function track(agentId: string, start: () => Promise<ApiResult>): Tracked {
  const tracked: Tracked = {
    agentId,
    isSettled: false,
    promise: undefined as unknown as Promise<ApiResult>,
  }
  tracked.promise = start().then((result) => {
    tracked.isSettled = true
    tracked.result = result
    return result
  })
  return tracked
}

describe.concurrent('POST /tasks/claim long-poll', () => {
  it('hands the task to exactly one waiter while the rest keep waiting when a task arrives for 30 waiters', async (context) => {
    const { server, project, untilWaiting, registerMany } = await setup(context)
    const agents = await registerMany(30)
    const waiters = agents.map((id) => track(id, () => claim(server.api, id, 10)))
    await untilWaiting(30)

    const task = await makeTask(server.api, project)
    const first = await Promise.race(waiters.map((w) => w.promise.then(() => w)))
    const stillWaiting = waiters.filter((w) => !w.isSettled).length
    const serverWaiters = server.running.server.deps.waiters.size

    expect(first.result?.body).toMatchObject({
      id: task.id,
      status: 'under_work',
      locked_by: first.agentId,
    })
    expect(stillWaiting).toBe(29)
    expect(serverWaiters).toBe(29)
  })

  it('answers the other waiters with null at their timeout when only one task arrives', async (context) => {
    const { server, project, clock, untilWaiting, registerMany } = await setup(context)
    const agents = await registerMany(20)
    const waiters = agents.map((id) => track(id, () => claim(server.api, id, 3)))
    await untilWaiting(20)

    const task = await makeTask(server.api, project)
    await untilWaiting(19)
    clock.advance(2999)
    const waitingJustBefore = server.running.server.deps.waiters.size
    clock.advance(1)
    await Promise.all(waiters.map((w) => w.promise))

    expect(waitingJustBefore).toBe(19)
    const winners = waiters.filter((w) => w.result?.body !== null)
    const losers = waiters.filter((w) => w.result?.body === null)
    expect(winners.map((w) => w.result?.body.id)).toEqual([task.id])
    expect(losers).toHaveLength(19)
    for (const loser of losers) expect(loser.result?.status).toBe(200)
    const claims = (await server.api('/api/v1/changelog?limit=1000')).body.filter(
      (r: any) => r.task_id === task.id && r.new_status === 'under_work',
    )
    expect(claims).toHaveLength(1)
  })

  it('hands them to two different waiters when two tasks are created together', async (context) => {
    const { server, project, clock, untilWaiting, registerMany } = await setup(context)
    const agents = await registerMany(10)
    const waiters = agents.map((id) => track(id, () => claim(server.api, id, 3)))
    await untilWaiting(10)

    const [a, b] = await Promise.all([makeTask(server.api, project), makeTask(server.api, project)])
    await untilWaiting(8)
    clock.advance(3000)
    await Promise.all(waiters.map((w) => w.promise))

    const got = waiters.map((w) => w.result?.body?.id).filter((id) => id !== undefined)
    expect(got.sort()).toEqual([a.id, b.id].sort())
  })

  it('wakes a waiter when a pm approves a pending task', async (context) => {
    const { server, project, untilWaiting } = await setup(context)
    const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    const pending = await makeTask(server.api, project, { creator: dev })
    const agentId = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    const waiter = track(agentId, () => claim(server.api, agentId, 10))
    await untilWaiting(1)

    await setStatus(server.api, pending.id, project.pm, 'created')
    const res = await waiter.promise

    expect(res.body).toMatchObject({ id: pending.id, locked_by: agentId })
  })

  it('wakes a qa waiter when a dev finishes a task', async (context) => {
    const { server, project, untilWaiting, registerMany } = await setup(context)
    const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'junior' })
    const task = await makeTask(server.api, project)
    await lock(server.api, task.id, dev)
    const [qa] = await registerMany(1, 'qa')
    const waiter = track(qa!, () => claim(server.api, qa!, 10))
    await untilWaiting(1)

    await setStatus(server.api, task.id, dev, 'dev_done')
    const res = await waiter.promise

    expect(res.body).toMatchObject({ id: task.id, locked_by: qa, claimed_from: 'dev_done' })
  })

  it("does not claim when the waiter's request was aborted", async (context) => {
    const { server, project, untilWaiting, registerMany } = await setup(context)
    const [quitter, other] = await registerMany(2)
    const controller = new AbortController()
    const aborted = fetch(`${server.url}/api/v1/tasks/claim`, {
      method: 'POST',
      headers: { 'x-api-key': server.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: quitter, timeout: 10 }),
      signal: controller.signal,
    }).catch((error: unknown) => error)
    await untilWaiting(1)

    controller.abort()
    await aborted
    await untilWaiting(0)
    const task = await makeTask(server.api, project)
    await settleWakeUps(server)

    expect(await getTask(server.api, task.id)).toMatchObject({ status: 'created', locked_by: null })
    expect((await server.api(`/api/v1/tasks?locked_by=${quitter}`)).body).toEqual([])
    expect((await claim(server.api, other!, 0)).body).toMatchObject({
      id: task.id,
      locked_by: other,
    })
  })
})

describe.concurrent('POST /tasks/claim long-poll and agent deletion', () => {
  it('does not claim when the waiting agent was deleted meanwhile', async (context) => {
    const { server, project, untilWaiting, registerMany } = await setup(context)
    const [deleted] = await registerMany(1)
    const waiter = track(deleted!, () => claim(server.api, deleted!, 3))
    await untilWaiting(1)

    await server.api(`/api/v1/agents/${deleted}?requester_agent_id=${project.pm}`, {
      method: 'DELETE',
    })
    const task = await makeTask(server.api, project)
    const res = await waiter.promise

    expect(res.body).toBeNull()
    expect(await getTask(server.api, task.id)).toMatchObject({ status: 'created', locked_by: null })
  })

  it('hands the task to the next waiter when the first waiting agent was deleted', async (context) => {
    const { server, project, untilWaiting, registerMany } = await setup(context)
    const [deleted, live] = await registerMany(2)
    const first = track(deleted!, () => claim(server.api, deleted!, 10))
    await untilWaiting(1)
    const second = track(live!, () => claim(server.api, live!, 10))
    await untilWaiting(2)

    await server.api(`/api/v1/agents/${deleted}?requester_agent_id=${project.pm}`, {
      method: 'DELETE',
    })
    const task = await makeTask(server.api, project)
    const res = await second.promise

    expect(res.body).toMatchObject({ id: task.id, locked_by: live })
    expect((await first.promise).body).toBeNull()
  })
})

describe.concurrent('GET /tasks/next long-poll', () => {
  const next = (server: TestServer, timeout: number) =>
    server.api(`/api/v1/tasks/next?role=backend_dev&level=senior&timeout=${timeout}`)

  it('offers the task unlocked to exactly one waiter when a task arrives for 20 waiters', async (context) => {
    const { server, project, clock, untilWaiting } = await setup(context)
    const waiters = Array.from({ length: 20 }, (_, i) => track(`w${i}`, () => next(server, 3)))
    await untilWaiting(20)

    const task = await makeTask(server.api, project)
    await untilWaiting(19)
    clock.advance(2999)
    const waitingJustBefore = server.running.server.deps.waiters.size
    clock.advance(1)
    await Promise.all(waiters.map((w) => w.promise))

    expect(waitingJustBefore).toBe(19)
    const offered = waiters.filter((w) => w.result?.body !== null)
    expect(offered.map((w) => w.result?.body.id)).toEqual([task.id])
    expect(offered[0]!.result?.body.locked_by).toBeNull()
    expect(waiters.filter((w) => w.result?.body === null)).toHaveLength(19)
    expect(await getTask(server.api, task.id)).toMatchObject({ status: 'created', locked_by: null })
  })

  it('answers before its timeout when a matching task is created while it waits', async (context) => {
    const { server, project, untilWaiting } = await setup(context)
    const waiter = track('w', () => next(server, 10))
    await untilWaiting(1)

    const task = await makeTask(server.api, project)
    const res = await waiter.promise

    expect(res.body).toMatchObject({ id: task.id })
  })

  it('stops waiting when the caller hangs up', async (context) => {
    const { server, untilWaiting } = await setup(context)
    const controller = new AbortController()
    const aborted = fetch(`${server.url}/api/v1/tasks/next?role=qa&level=senior&timeout=10`, {
      headers: { 'x-api-key': server.apiKey },
      signal: controller.signal,
    }).catch((error: unknown) => error)
    await untilWaiting(1)

    controller.abort()
    await aborted

    await untilWaiting(0)
  })
})
