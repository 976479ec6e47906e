import { describe, expect, it } from 'vitest'
import type { TestContext } from 'vitest'

import {
  changelogOf,
  claim,
  eventually,
  expectClientError,
  getTask,
  lock,
  makeTask,
  registerAgent,
  seedProject,
  setStatus,
  snapshotDatabase,
} from '../../helpers/fixtures.js'
import type { Project } from '../../helpers/fixtures.js'
import { TestClock } from '../../helpers/test-clock.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

/**
 * Matching looks at every task in the database, so each test gets its own server (and they run side
 * by side); `clock` when the test moves the server's time itself.
 */
async function setup(
  { onTestFinished }: TestContext,
  clock?: TestClock,
): Promise<{ server: TestServer; project: Project }> {
  const server = await startTestServer({ clock })
  onTestFinished(() => server.close())
  return { server, project: await seedProject(server.api) }
}

const next = (server: TestServer, query: string) => server.api(`/api/v1/tasks/next?${query}`)
const unlock = (server: TestServer, taskId: number, agentId: string, body?: unknown) =>
  server.api(`/api/v1/tasks/${taskId}/unlock?agent_id=${agentId}`, { method: 'POST', body })

describe.concurrent('GET /tasks/next', () => {
  it('returns 400 with v1 wording when role is missing', async (context) => {
    const { server } = await setup(context)

    const res = await next(server, 'level=senior&simulate=true')

    expectClientError(
      res,
      400,
      "Missing required parameter 'role'. Please provide a valid role (e.g., ?role=frontend_dev)",
    )
  })

  it('returns 400 with v1 wording when level is missing', async (context) => {
    const { server } = await setup(context)

    const res = await next(server, 'role=backend_dev&simulate=true')

    expectClientError(
      res,
      400,
      "Missing required parameter 'level'. Please provide a valid level (e.g., ?level=senior)",
    )
  })

  it.for([
    ['role=wizard&level=senior', 'role'],
    ['role=backend_dev&level=godlike', 'level'],
  ])(
    'returns 422 naming the parameter when %s has an unknown value',
    async ([query, name], context) => {
      const { server } = await setup(context)

      const res = await next(server, `${query}&simulate=true`)

      expectClientError(res, 422, name)
    },
  )

  it('returns null at once when simulate is true and nothing matches', async (context) => {
    const { server } = await setup(context)

    const res = await next(server, 'role=backend_dev&level=senior&simulate=true')

    expect(res.status).toBe(200)
    expect(res.body).toBeNull()
  })

  it('returns the task without locking it when simulate is true and one matches', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project)

    const res = await next(server, 'role=backend_dev&level=senior&simulate=true')

    expect(res.body).toMatchObject({
      id: task.id,
      status: 'created',
      locked_by: null,
      locked_at: null,
    })
    expect((await getTask(server.api, task.id)).locked_by).toBeNull()
  })

  it('returns null after waiting when timeout is given and nothing arrives', async (context) => {
    const clock = new TestClock()
    const { server } = await setup(context, clock)
    const { waiters } = server.running.server.deps
    const answer = next(server, 'role=architect&level=senior&timeout=1')
    expect(await eventually(() => waiters.size === 1)).toBe(true)

    clock.advance(999)
    const waitingJustBefore = waiters.size
    clock.advance(1)
    const res = await answer

    expect(waitingJustBefore).toBe(1)
    expect(res.status).toBe(200)
    expect(res.body).toBeNull()
  })

  it.for([
    ['junior', ['junior']],
    ['senior', ['senior', 'junior']],
    ['principal', ['principal', 'senior', 'junior']],
  ] as const)(
    'offers its own level first, then lower levels, never higher, when a %s claims',
    async ([level, expected], context) => {
      const { server, project } = await setup(context)
      for (const difficulty of ['junior', 'principal', 'senior'] as const)
        await makeTask(server.api, project, { difficulty, title: difficulty })
      const agentId = await registerAgent(server.api, { level })

      const offered: string[] = []
      for (;;) {
        const res = await claim(server.api, agentId)
        if (res.body === null) break
        offered.push(res.body.difficulty)
        await setStatus(server.api, res.body.id, agentId, 'dev_done')
      }

      expect(offered).toEqual(expected)
    },
  )

  it('offers higher priority first, then the oldest, when tasks share a level', async (context) => {
    const { server, project } = await setup(context)
    const old = await makeTask(server.api, project, { priority: 0 })
    const urgent = await makeTask(server.api, project, { priority: 5 })
    const young = await makeTask(server.api, project, { priority: 0 })
    const agentId = await registerAgent(server.api)

    const order: number[] = []
    for (let i = 0; i < 3; i++) {
      const res = await claim(server.api, agentId)
      order.push(res.body.id)
      await setStatus(server.api, res.body.id, agentId, 'dev_done')
    }

    expect(order).toEqual([urgent.id, old.id, young.id])
  })

  it('returns null when the only matching task is pending, even for a pm', async (context) => {
    const { server, project } = await setup(context)
    const dev = await registerAgent(server.api)
    await makeTask(server.api, project, { creator: dev, target_role: 'pm' })

    const res = await next(server, 'role=pm&level=principal&simulate=true')

    expect(res.body).toBeNull()
  })

  it('offers dev_done tasks of any role and created qa tasks when a qa claims', async (context) => {
    const { server, project } = await setup(context)
    const dev = await registerAgent(server.api, { role: 'frontend_dev', level: 'junior' })
    const devTask = await makeTask(server.api, project, { target_role: 'frontend_dev' })
    await lock(server.api, devTask.id, dev)
    await setStatus(server.api, devTask.id, dev, 'dev_done')
    const qaTask = await makeTask(server.api, project, { target_role: 'qa' })
    const qa = await registerAgent(server.api, { role: 'qa', level: 'senior' })

    const first = await claim(server.api, qa)
    await setStatus(server.api, first.body.id, qa, 'qa_done')
    const second = await claim(server.api, qa)

    expect([first.body.id, second.body.id].sort()).toEqual([devTask.id, qaTask.id].sort())
    expect(first.body.status).toBe('under_work')
  })

  it('does not offer dev roles dev_done tasks when QA work is waiting', async (context) => {
    const { server, project } = await setup(context)
    const dev = await registerAgent(server.api, { level: 'junior' })
    const task = await makeTask(server.api, project)
    await lock(server.api, task.id, dev)
    await setStatus(server.api, task.id, dev, 'dev_done')

    const res = await next(server, 'role=backend_dev&level=principal&simulate=true')

    expect(res.body).toBeNull()
  })

  it('returns the task the agent holds when agent_id is given and it holds one', async (context) => {
    const { server, project } = await setup(context)
    const agentId = await registerAgent(server.api)
    const held = await makeTask(server.api, project)
    await claim(server.api, agentId)
    await makeTask(server.api, project)

    const res = await next(
      server,
      `role=backend_dev&level=senior&simulate=true&agent_id=${agentId}`,
    )

    expect(res.body).toMatchObject({ id: held.id, locked_by: agentId })
  })
})

describe.concurrent('POST /tasks/claim', () => {
  it('returns null when timeout is 0 and nothing matches', async (context) => {
    const { server } = await setup(context)
    const agentId = await registerAgent(server.api)

    const res = await claim(server.api, agentId, 0)

    expect(res.status).toBe(200)
    expect(res.body).toBeNull()
  })

  it('locks the task, moves it to under_work and starts a lease when a task matches', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project)
    const agentId = await registerAgent(server.api)

    const res = await claim(server.api, agentId)

    expect(res.body).toMatchObject({
      id: task.id,
      status: 'under_work',
      locked_by: agentId,
      claimed_from: 'created',
      attempts: 1,
    })
    expect(res.body.locked_at).toMatch(/Z$/)
    expect(Date.parse(res.body.lease_expires_at)).toBeGreaterThan(Date.parse(res.body.locked_at))
    expect((await changelogOf(server.api, task.id)).at(-1)).toMatchObject({
      old_status: 'created',
      new_status: 'under_work',
      changed_by: agentId,
    })
  })

  it('returns the same task without a new claim when the holder claims again', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project)
    await makeTask(server.api, project)
    const agentId = await registerAgent(server.api)
    await claim(server.api, agentId)

    const again = await claim(server.api, agentId)

    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ id: task.id, attempts: 1, locked_by: agentId })
    expect(await changelogOf(server.api, task.id)).toHaveLength(2)
  })

  it('gives two agents two different tasks when both claim', async (context) => {
    const { server, project } = await setup(context)
    await makeTask(server.api, project)
    await makeTask(server.api, project)
    const a = await registerAgent(server.api)
    const b = await registerAgent(server.api)

    const [ra, rb] = await Promise.all([claim(server.api, a), claim(server.api, b)])

    expect(ra.body.id).not.toBe(rb.body.id)
  })

  it('returns 404 with v1 wording when the agent is not registered', async (context) => {
    const { server } = await setup(context)

    const res = await claim(server.api, 'ghost')

    expectClientError(res, 404, "Agent 'ghost' not found")
  })
})

describe.concurrent('POST /tasks/{task_id}/lock', () => {
  it('locks a created task and moves it to under_work when an eligible agent asks', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project)
    const agentId = await registerAgent(server.api)

    const res = await lock(server.api, task.id, agentId)

    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      id: task.id,
      locked_by: agentId,
      status: 'under_work',
      claimed_from: 'created',
    })
  })

  it('answers 200 with the same task when the holder locks again', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project)
    const agentId = await registerAgent(server.api)
    const first = await lock(server.api, task.id, agentId)

    const again = await lock(server.api, task.id, agentId)

    expect(again.status).toBe(200)
    expect(again.body).toEqual(first.body)
  })

  it('returns 409 with v1 wording and keeps the holder when another agent locks', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project)
    const holder = await registerAgent(server.api)
    const other = await registerAgent(server.api)
    await lock(server.api, task.id, holder)
    const before = await snapshotDatabase(server)

    const res = await lock(server.api, task.id, other)

    expectClientError(
      res,
      409,
      `Task ${task.id} is already locked by another agent. The task must be unlocked before you can lock it.`,
    )
    expect(res.body.code).toBe('task_locked')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('returns 409 agent_busy naming the held task when the agent already holds one', async (context) => {
    const { server, project } = await setup(context)
    const held = await makeTask(server.api, project)
    const second = await makeTask(server.api, project)
    const agentId = await registerAgent(server.api)
    await lock(server.api, held.id, agentId)
    const before = await snapshotDatabase(server)

    const res = await lock(server.api, second.id, agentId)

    expectClientError(res, 409, `already holds task ${held.id}`)
    expect(res.body.code).toBe('agent_busy')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it.for([
    [
      'the task targets another role',
      { target_role: 'frontend_dev' },
      { role: 'backend_dev', level: 'principal' },
      'targeted at frontend_dev',
    ],
    [
      "the task is above the agent's level",
      { difficulty: 'principal' },
      { role: 'backend_dev', level: 'senior' },
      'principal work',
    ],
    ['a qa locks a created dev task', {}, { role: 'qa', level: 'principal' }, 'qa agents can lock'],
  ] as const)(
    'returns 403 not_eligible and changes nothing when %s',
    async ([_when, taskOverrides, agent, detail], context) => {
      const { server, project } = await setup(context)
      const task = await makeTask(server.api, project, taskOverrides)
      const agentId = await registerAgent(server.api, agent)
      const before = await snapshotDatabase(server)

      const res = await lock(server.api, task.id, agentId)

      expectClientError(res, 403, detail)
      expect(res.body.code).toBe('not_eligible')
      expect(await snapshotDatabase(server)).toBe(before)
    },
  )

  it('returns 409 conflict, not 403, to a dev that lost the race for a task the winner already moved on (v1 retries on 409)', async (context) => {
    const { server, project } = await setup(context)
    const winner = await registerAgent(server.api)
    const loser = await registerAgent(server.api)
    const task = await makeTask(server.api, project)
    await lock(server.api, task.id, winner)
    await setStatus(server.api, task.id, winner, 'dev_done')
    const before = await snapshotDatabase(server)

    const res = await lock(server.api, task.id, loser)

    expectClientError(res, 409, 'has moved on to dev_done')
    expect(res.body.code).toBe('conflict')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('returns 409 conflict to a qa that lost the race for a review the winner already passed', async (context) => {
    const { server, project } = await setup(context)
    const dev = await registerAgent(server.api)
    const [winner, loser] = [
      await registerAgent(server.api, { role: 'qa', level: 'senior' }),
      await registerAgent(server.api, { role: 'qa', level: 'senior' }),
    ]
    const task = await makeTask(server.api, project)
    await lock(server.api, task.id, dev)
    await setStatus(server.api, task.id, dev, 'dev_done')
    await lock(server.api, task.id, winner)
    await setStatus(server.api, task.id, winner, 'qa_done')

    const res = await lock(server.api, task.id, loser)

    expectClientError(res, 409, 'has moved on to qa_done')
    expect(res.body.code).toBe('conflict')
  })

  it('returns 409 invalid_transition and changes nothing when the task is pending', async (context) => {
    const { server, project } = await setup(context)
    const dev = await registerAgent(server.api)
    const task = await makeTask(server.api, project, { creator: dev })
    const before = await snapshotDatabase(server)

    const res = await lock(server.api, task.id, dev)

    expectClientError(res, 409, 'pending')
    expect(res.body.code).toBe('invalid_transition')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('remembers dev_done as claimed_from when a qa locks a dev_done task', async (context) => {
    const { server, project } = await setup(context)
    const dev = await registerAgent(server.api)
    const task = await makeTask(server.api, project)
    await lock(server.api, task.id, dev)
    await setStatus(server.api, task.id, dev, 'dev_done')
    const qa = await registerAgent(server.api, { role: 'qa', level: 'junior' })

    const res = await lock(server.api, task.id, qa)

    expect(res.body).toMatchObject({
      status: 'under_work',
      locked_by: qa,
      claimed_from: 'dev_done',
    })
  })

  it('returns 404 with v1 wording when the agent is not registered', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project)

    const res = await lock(server.api, task.id, 'ghost')

    expectClientError(res, 404, "Agent 'ghost' not found. Please ensure the agent is registered")
  })
})

describe.concurrent('POST /tasks/{task_id}/unlock', () => {
  it('returns the task to the status it was claimed from with a changelog row when the holder unlocks', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project)
    const agentId = await registerAgent(server.api)
    await claim(server.api, agentId)

    const res = await unlock(server, task.id, agentId, { notes: 'blocked on schema' })

    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      status: 'created',
      locked_by: null,
      locked_at: null,
      lease_expires_at: null,
      claimed_from: null,
    })
    expect((await changelogOf(server.api, task.id)).at(-1)).toMatchObject({
      old_status: 'under_work',
      new_status: 'created',
      changed_by: agentId,
      notes: `unlocked by ${agentId}: blocked on schema`,
    })
  })

  it('returns a qa-held task to dev_done when the qa unlocks', async (context) => {
    const { server, project } = await setup(context)
    const dev = await registerAgent(server.api)
    const task = await makeTask(server.api, project)
    await lock(server.api, task.id, dev)
    await setStatus(server.api, task.id, dev, 'dev_done')
    const qa = await registerAgent(server.api, { role: 'qa' })
    await lock(server.api, task.id, qa)

    const res = await unlock(server, task.id, qa)

    expect(res.body).toMatchObject({ status: 'dev_done', locked_by: null })
  })

  it("unlocks the task when a pm unlocks another agent's task", async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project)
    const agentId = await registerAgent(server.api)
    await claim(server.api, agentId)

    const res = await unlock(server, task.id, project.pm)

    expect(res.status).toBe(200)
    expect(res.body.locked_by).toBeNull()
  })

  it('returns 403 not_lock_holder and changes nothing when another agent unlocks', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project)
    const holder = await registerAgent(server.api)
    const architect = await registerAgent(server.api, { role: 'architect' })
    await claim(server.api, holder)
    const before = await snapshotDatabase(server)

    const res = await unlock(server, task.id, architect)

    expectClientError(res, 403, `locked by agent ${holder}`)
    expect(res.body.code).toBe('not_lock_holder')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('returns 409 not_locked when the task is not locked', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project)

    const res = await unlock(server, task.id, project.pm)

    expectClientError(res, 409, 'is not locked')
  })

  it('lets the agent claim another task when it unlocked its own', async (context) => {
    const { server, project } = await setup(context)
    const first = await makeTask(server.api, project)
    const agentId = await registerAgent(server.api)
    await claim(server.api, agentId)
    await unlock(server, first.id, agentId)
    const second = await makeTask(server.api, project, { priority: 9 })

    const res = await claim(server.api, agentId)

    expect(res.body.id).toBe(second.id)
  })
})
