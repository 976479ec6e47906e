import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  changelogOf,
  claim,
  expectClientError,
  eventually,
  getTask,
  lock,
  makeTask,
  registerAgent,
  seedProject,
  setStatus,
  sleep,
} from '../../helpers/fixtures.js'
import type { Project } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

const isLeaseRow = (row: any) =>
  typeof row.notes === 'string' && row.notes.startsWith('lease expired')

// Each test uses its own roles, so the tests of a group share a server and wait side by side.
describe.concurrent('lease expiry', () => {
  let server: TestServer
  let project: Project

  beforeAll(async () => {
    server = await startTestServer({
      env: { HPM_LEASE_SECONDS: '1', HPM_LEASE_CHECK_INTERVAL_MS: '200' },
    })
    project = await seedProject(server.api)
  })
  afterAll(async () => {
    await server.close()
  })

  it('returns the task to created exactly once with a changelog row when the holder goes quiet', async () => {
    const task = await makeTask(server.api, project, { target_role: 'frontend_dev' })
    const agentId = await registerAgent(server.api, { role: 'frontend_dev', level: 'junior' })
    await claim(server.api, agentId)

    const released = await eventually(async () => {
      const t = await getTask(server.api, task.id)
      return t.locked_by === null ? t : undefined
    })
    await sleep(600)

    expect(released).toMatchObject({
      status: 'created',
      locked_by: null,
      locked_at: null,
      lease_expires_at: null,
      claimed_from: null,
    })
    const rows = (await changelogOf(server.api, task.id)).filter(isLeaseRow)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      old_status: 'under_work',
      new_status: 'created',
      changed_by: 'system',
    })
    expect(rows[0].notes).toContain(agentId)
  })

  it('returns a qa-held task to dev_done when the qa goes quiet', async () => {
    const task = await makeTask(server.api, project, { target_role: 'architect' })
    const architect = await registerAgent(server.api, { role: 'architect', level: 'senior' })
    await lock(server.api, task.id, architect)
    await setStatus(server.api, task.id, architect, 'dev_done')
    const qa = await registerAgent(server.api, { role: 'qa', level: 'senior' })
    await lock(server.api, task.id, qa)

    const released = await eventually(async () => {
      const t = await getTask(server.api, task.id)
      return t.locked_by === null ? t : undefined
    })

    expect(released).toMatchObject({ status: 'dev_done', locked_by: null })
  })

  it('offers the lapsed task to another agent when the first holder went quiet', async () => {
    const task = await makeTask(server.api, project, { target_role: 'fullstack_dev' })
    const quiet = await registerAgent(server.api, { role: 'fullstack_dev', level: 'junior' })
    await claim(server.api, quiet)
    const other = await registerAgent(server.api, { role: 'fullstack_dev', level: 'junior' })

    const res = await claim(server.api, other, 10)

    expect(res.body).toMatchObject({ id: task.id, locked_by: other, attempts: 2 })
  })
})

describe.concurrent('lease renewal', () => {
  let server: TestServer
  let project: Project

  beforeAll(async () => {
    server = await startTestServer({
      env: { HPM_LEASE_SECONDS: '2', HPM_LEASE_CHECK_INTERVAL_MS: '200' },
    })
    project = await seedProject(server.api)
  })
  afterAll(async () => {
    await server.close()
  })

  /** Calls `beat` every 300 ms for `ms`, then checks the task is still held. */
  async function keepAlive(ms: number, beat: () => Promise<unknown>): Promise<void> {
    const until = Date.now() + ms
    while (Date.now() < until) {
      await beat()
      await sleep(300)
    }
  }

  it('keeps the task with its holder past the lease when the holder sends heartbeats', async () => {
    const task = await makeTask(server.api, project, { target_role: 'backend_dev' })
    const agentId = await registerAgent(server.api, { role: 'backend_dev', level: 'junior' })
    const claimed = await claim(server.api, agentId)

    await keepAlive(3000, () =>
      server.api(`/api/v1/agents/${agentId}/heartbeat`, { method: 'POST' }),
    )

    const held = await getTask(server.api, task.id)
    expect(held).toMatchObject({ status: 'under_work', locked_by: agentId })
    expect(held.lease_expires_at > claimed.body.lease_expires_at).toBe(true)
    expect((await changelogOf(server.api, task.id)).filter(isLeaseRow)).toEqual([])
  })

  it('keeps the task when the holder only makes other writes that carry its agent_id', async () => {
    const task = await makeTask(server.api, project, { target_role: 'qa' })
    const agentId = await registerAgent(server.api, { role: 'qa', level: 'junior' })
    await claim(server.api, agentId)

    await keepAlive(3000, () =>
      server.api(`/api/v1/tasks/${task.id}/comment?agent_id=${agentId}`, {
        method: 'POST',
        body: { comment: 'still on it' },
      }),
    )

    expect(await getTask(server.api, task.id)).toMatchObject({
      status: 'under_work',
      locked_by: agentId,
    })
  })

  it('lets the lease lapse when only reads name the holder (a watcher polling /changes, /mentions, /tasks/next)', async () => {
    const task = await makeTask(server.api, project, { target_role: 'frontend_dev' })
    const agentId = await registerAgent(server.api, { role: 'frontend_dev', level: 'junior' })
    await claim(server.api, agentId)
    const reads = [
      `/api/v1/changes?after_id=0&limit=1&agent_id=${agentId}`,
      `/api/v1/mentions?agent_id=${agentId}`,
      `/api/v1/tasks/next?role=frontend_dev&level=junior&timeout=0&agent_id=${agentId}`,
      `/api/v1/documents?author_id=${agentId}`,
    ]

    const released = await eventually(async () => {
      for (const path of reads) expect((await server.api(path)).status).toBe(200)
      const t = await getTask(server.api, task.id)
      return t.locked_by === null ? t : undefined
    })

    expect(released).toMatchObject({ status: 'created', locked_by: null })
    expect((await changelogOf(server.api, task.id)).filter(isLeaseRow)).toHaveLength(1)
  })

  it('releases the task once when the holder stops its heartbeats', async () => {
    const task = await makeTask(server.api, project, { target_role: 'pm' })
    await claim(server.api, project.pm)
    await keepAlive(1000, () =>
      server.api(`/api/v1/agents/${project.pm}/heartbeat`, { method: 'POST' }),
    )

    await eventually(async () => (await getTask(server.api, task.id)).locked_by === null)
    await sleep(600)

    expect((await changelogOf(server.api, task.id)).filter(isLeaseRow)).toHaveLength(1)
  })
})

describe('reporting after the claim was taken back', () => {
  let server: TestServer
  let project: Project

  beforeAll(async () => {
    server = await startTestServer({
      env: { HPM_LEASE_SECONDS: '1', HPM_LEASE_CHECK_INTERVAL_MS: '200' },
    })
    project = await seedProject(server.api)
  })
  afterAll(async () => {
    await server.close()
  })

  it('answers 409 lease_expired saying when and why, not an illegal move, when the lease lapsed', async () => {
    const task = await makeTask(server.api, project, { target_role: 'backend_dev' })
    const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'junior' })
    await lock(server.api, task.id, dev)
    await eventually(async () =>
      (await getTask(server.api, task.id)).locked_by === null ? true : undefined,
    )

    const res = await setStatus(server.api, task.id, dev, 'dev_done', 'done at last')

    expectClientError(res, 409, 'was taken back from agent')
    expect(res.body.code).toBe('lease_expired')
    expect(res.body.detail).toMatch(/lease expired/)
    expect(res.body.detail).toContain('Claim it again')
    expect(await getTask(server.api, task.id)).toMatchObject({ status: 'created', locked_by: null })
  })

  it('answers 409 lease_expired naming the pm when a pm unlocked the task meanwhile', async () => {
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
