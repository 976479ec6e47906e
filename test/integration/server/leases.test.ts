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
} from '../../helpers/fixtures.js'
import type { Project } from '../../helpers/fixtures.js'
import { TestClock } from '../../helpers/test-clock.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

const LEASE_MS = 60_000
const CHECK_INTERVAL_MS = 1000

const isLeaseRow = (row: any) =>
  typeof row.notes === 'string' && row.notes.startsWith('lease expired')

interface Setup {
  server: TestServer
  project: Project
  clock: TestClock
  /** Moves the server's clock forward and waits for the lease check that the move set off. */
  advance: (ms: number) => Promise<number>
  /** Resolves once the task's lease runs a full lease from the clock's present moment. */
  untilRenewed: (taskId: number) => Promise<void>
}

/** Each test moves its own server's clock, so no test's lease lapses because of another's. */
async function setup({ onTestFinished }: TestContext): Promise<Setup> {
  const clock = new TestClock()
  const server = await startTestServer({
    clock,
    env: {
      HPM_LEASE_SECONDS: String(LEASE_MS / 1000),
      HPM_LEASE_CHECK_INTERVAL_MS: String(CHECK_INTERVAL_MS),
    },
  })
  onTestFinished(() => server.close())
  const project = await seedProject(server.api)
  return {
    server,
    project,
    clock,
    advance: (ms) => {
      clock.advance(ms)
      return server.running.server.deps.jobs.expireLeases()
    },
    untilRenewed: async (taskId) => {
      const until = clock.now() + LEASE_MS
      const renewed = await eventually(
        async () => Date.parse((await getTask(server.api, taskId)).lease_expires_at) === until,
      )
      expect(renewed, `lease of task ${taskId} renewed to ${new Date(until).toISOString()}`).toBe(
        true,
      )
    },
  }
}

describe.concurrent('lease expiry', () => {
  it('returns the task to created exactly once with a changelog row when the holder goes quiet', async (context) => {
    const { server, project, clock, advance } = await setup(context)
    const task = await makeTask(server.api, project, { target_role: 'frontend_dev' })
    const agentId = await registerAgent(server.api, { role: 'frontend_dev', level: 'junior' })
    await claim(server.api, agentId)

    clock.advance(LEASE_MS + CHECK_INTERVAL_MS)
    const released = await eventually(async () => {
      const t = await getTask(server.api, task.id)
      return t.locked_by === null ? t : undefined
    })
    const releasedAgain = await advance(CHECK_INTERVAL_MS)

    expect(released).toMatchObject({
      status: 'created',
      locked_by: null,
      locked_at: null,
      lease_expires_at: null,
      claimed_from: null,
    })
    expect(releasedAgain).toBe(0)
    const rows = (await changelogOf(server.api, task.id)).filter(isLeaseRow)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      old_status: 'under_work',
      new_status: 'created',
      changed_by: 'system',
    })
    expect(rows[0].notes).toContain(agentId)
  })

  it('keeps the task until the lease has run out', async (context) => {
    const { server, project, advance } = await setup(context)
    const task = await makeTask(server.api, project)
    const agentId = await registerAgent(server.api, { role: 'backend_dev', level: 'junior' })
    await claim(server.api, agentId)

    const releasedAtTheEnd = await advance(LEASE_MS)
    const releasedJustAfter = await advance(1)

    expect(releasedAtTheEnd).toBe(0)
    expect(releasedJustAfter).toBe(1)
    expect(await getTask(server.api, task.id)).toMatchObject({ status: 'created', locked_by: null })
  })

  it('returns a qa-held task to dev_done when the qa goes quiet', async (context) => {
    const { server, project, advance } = await setup(context)
    const task = await makeTask(server.api, project, { target_role: 'architect' })
    const architect = await registerAgent(server.api, { role: 'architect', level: 'senior' })
    await lock(server.api, task.id, architect)
    await setStatus(server.api, task.id, architect, 'dev_done')
    const qa = await registerAgent(server.api, { role: 'qa', level: 'senior' })
    await lock(server.api, task.id, qa)

    await advance(LEASE_MS + 1)

    expect(await getTask(server.api, task.id)).toMatchObject({
      status: 'dev_done',
      locked_by: null,
    })
  })

  it('offers the lapsed task to another agent when the first holder went quiet', async (context) => {
    const { server, project, clock } = await setup(context)
    const task = await makeTask(server.api, project, { target_role: 'fullstack_dev' })
    const quiet = await registerAgent(server.api, { role: 'fullstack_dev', level: 'junior' })
    await claim(server.api, quiet)
    const other = await registerAgent(server.api, { role: 'fullstack_dev', level: 'junior' })
    const waiting = claim(server.api, other, 600)
    const waiterCount = () => server.running.server.deps.waiters.size
    expect(await eventually(() => waiterCount() === 1)).toBe(true)

    clock.advance(LEASE_MS + CHECK_INTERVAL_MS)
    const res = await waiting

    expect(res.body).toMatchObject({ id: task.id, locked_by: other, attempts: 2 })
  })
})

describe.concurrent('lease renewal', () => {
  it('keeps the task with its holder past the lease when the holder sends heartbeats', async (context) => {
    const { server, project, advance, untilRenewed } = await setup(context)
    const task = await makeTask(server.api, project, { target_role: 'backend_dev' })
    const agentId = await registerAgent(server.api, { role: 'backend_dev', level: 'junior' })
    const claimed = await claim(server.api, agentId)

    let released = 0
    for (let beat = 0; beat < 3; beat++) {
      released += await advance(LEASE_MS / 2)
      await server.api(`/api/v1/agents/${agentId}/heartbeat`, { method: 'POST' })
      await untilRenewed(task.id)
    }
    released += await advance(LEASE_MS / 2)

    expect(released).toBe(0)
    const held = await getTask(server.api, task.id)
    expect(held).toMatchObject({ status: 'under_work', locked_by: agentId })
    expect(held.lease_expires_at > claimed.body.lease_expires_at).toBe(true)
    expect((await changelogOf(server.api, task.id)).filter(isLeaseRow)).toEqual([])
  })

  it('keeps the task when the holder only makes other writes that carry its agent_id', async (context) => {
    const { server, project, advance, untilRenewed } = await setup(context)
    const task = await makeTask(server.api, project, { target_role: 'qa' })
    const agentId = await registerAgent(server.api, { role: 'qa', level: 'junior' })
    await claim(server.api, agentId)

    let released = 0
    for (let write = 0; write < 3; write++) {
      released += await advance(LEASE_MS / 2)
      await server.api(`/api/v1/tasks/${task.id}/comment?agent_id=${agentId}`, {
        method: 'POST',
        body: { comment: 'still on it' },
      })
      await untilRenewed(task.id)
    }
    released += await advance(LEASE_MS / 2)

    expect(released).toBe(0)
    expect(await getTask(server.api, task.id)).toMatchObject({
      status: 'under_work',
      locked_by: agentId,
    })
  })

  it('lets the lease lapse when only reads name the holder (a watcher polling /changes, /mentions, /tasks/next)', async (context) => {
    const { server, project, advance } = await setup(context)
    const task = await makeTask(server.api, project, { target_role: 'frontend_dev' })
    const agentId = await registerAgent(server.api, { role: 'frontend_dev', level: 'junior' })
    await claim(server.api, agentId)
    const reads = [
      `/api/v1/changes?after_id=0&limit=1&agent_id=${agentId}`,
      `/api/v1/mentions?agent_id=${agentId}`,
      `/api/v1/tasks/next?role=frontend_dev&level=junior&timeout=0&agent_id=${agentId}`,
      `/api/v1/documents?author_id=${agentId}`,
    ]

    for (const step of [LEASE_MS / 2, LEASE_MS / 2]) {
      await advance(step)
      for (const path of reads) expect((await server.api(path)).status).toBe(200)
    }
    await advance(1)

    expect(await getTask(server.api, task.id)).toMatchObject({ status: 'created', locked_by: null })
    expect((await changelogOf(server.api, task.id)).filter(isLeaseRow)).toHaveLength(1)
  })

  it('releases the task once when the holder stops its heartbeats', async (context) => {
    const { server, project, advance, untilRenewed } = await setup(context)
    const task = await makeTask(server.api, project, { target_role: 'pm' })
    await claim(server.api, project.pm)
    await advance(LEASE_MS / 2)
    await server.api(`/api/v1/agents/${project.pm}/heartbeat`, { method: 'POST' })
    await untilRenewed(task.id)

    const releasedOnTime = await advance(LEASE_MS + 1)
    const releasedLater = await advance(LEASE_MS)

    expect([releasedOnTime, releasedLater]).toEqual([1, 0])
    expect(await getTask(server.api, task.id)).toMatchObject({ locked_by: null })
    expect((await changelogOf(server.api, task.id)).filter(isLeaseRow)).toHaveLength(1)
  })
})

describe.concurrent('reporting after the claim was taken back', () => {
  it('answers 409 lease_expired saying when and why, not an illegal move, when the lease lapsed', async (context) => {
    const { server, project, advance } = await setup(context)
    const task = await makeTask(server.api, project, { target_role: 'backend_dev' })
    const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'junior' })
    await lock(server.api, task.id, dev)
    await advance(LEASE_MS + 1)

    const res = await setStatus(server.api, task.id, dev, 'dev_done', 'done at last')

    expectClientError(res, 409, 'was taken back from agent')
    expect(res.body.code).toBe('lease_expired')
    expect(res.body.detail).toMatch(/lease expired/)
    expect(res.body.detail).toContain('Claim it again')
    expect(await getTask(server.api, task.id)).toMatchObject({ status: 'created', locked_by: null })
  })

  it('answers 409 lease_expired naming the pm when a pm unlocked the task meanwhile', async (context) => {
    const { server, project } = await setup(context)
    const task = await makeTask(server.api, project, { target_role: 'frontend_dev' })
    const dev = await registerAgent(server.api, { role: 'frontend_dev', level: 'junior' })
    await lock(server.api, task.id, dev)
    await server.api(`/api/v1/tasks/${task.id}/unlock?agent_id=${project.pm}`, {
      method: 'POST',
      body: { notes: 'reassigning' },
    })

    const res = await setStatus(server.api, task.id, dev, 'dev_done')

    expectClientError(res, 409, `unlocked by ${project.pm}: reassigning`)
    expect(res.body.code).toBe('lease_expired')
  })
})
