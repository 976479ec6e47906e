import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { TaskStatus } from '../../../src/contract/index.js'
import {
  changelogOf,
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
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

let server: TestServer
let project: Project

beforeAll(async () => {
  server = await startTestServer()
  project = await seedProject(server.api)
})
afterAll(async () => {
  await server.close()
})

// src/domain/status-machine.test.ts checks every move of the rule table; these check what the
// route adds: the task's state read from the database, the lock released or kept, the changelog,
// and the refusals' HTTP status with nothing changed.

/** Where a test task starts; `under_work_dev` is held by its dev, `under_work_qa` by its qa. */
type From = 'created' | 'under_work_dev' | 'under_work_qa' | 'qa_done'

interface Arranged {
  taskId: number
  /** The lock holder, or the agent that worked the task last when it is unlocked. */
  holder: string
}

/** Builds a major backend task in `from` through the API, the way agents would get it there. */
async function arrange(from: From): Promise<Arranged> {
  const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
  const task = await makeTask(server.api, project)
  if (from === 'created') return { taskId: task.id, holder: dev }
  await lock(server.api, task.id, dev)
  if (from === 'under_work_dev') return { taskId: task.id, holder: dev }
  await setStatus(server.api, task.id, dev, 'dev_done')
  const qa = await registerAgent(server.api, { role: 'qa', level: 'principal' })
  await lock(server.api, task.id, qa)
  if (from === 'under_work_qa') return { taskId: task.id, holder: qa }
  await setStatus(server.api, task.id, qa, 'qa_done')
  expect((await getTask(server.api, task.id)).status).toBe('qa_done')
  return { taskId: task.id, holder: qa }
}

describe('PUT /tasks/{task_id}/status', () => {
  it('moves the task, releases its lock and records the change when the holder reports dev_done', async () => {
    const { taskId, holder } = await arrange('under_work_dev')

    const res = await setStatus(server.api, taskId, holder, 'dev_done', 'ready for review')

    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({
      task: { status: 'dev_done', locked_by: null, lease_expires_at: null },
      task_completed: taskId,
    })
    expect((await changelogOf(server.api, taskId)).at(-1)).toMatchObject({
      old_status: 'under_work',
      new_status: 'dev_done',
      changed_by: holder,
      notes: 'ready for review',
    })
  })

  it('keeps the lock and its lease when the holder re-states under_work', async () => {
    const { taskId, holder } = await arrange('under_work_dev')

    const res = await setStatus(server.api, taskId, holder, 'under_work')

    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.task).toMatchObject({ status: 'under_work', locked_by: holder })
    expect(res.body.task.lease_expires_at).not.toBeNull()
  })

  it('lets a qa holder report qa_done on a task it claimed from dev_done', async () => {
    const { taskId, holder } = await arrange('under_work_qa')

    const res = await setStatus(server.api, taskId, holder, 'qa_done')

    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.task).toMatchObject({ status: 'qa_done', locked_by: null })
  })

  it.each<[number, string, string, From, 'holder' | 'another dev', TaskStatus, string]>([
    [
      409,
      'invalid_transition',
      'the move is not in the flow',
      'created',
      'holder',
      'dev_done',
      'from created to dev_done; allowed: pending',
    ],
    [
      403,
      'not_lock_holder',
      'another dev changes a locked task',
      'under_work_dev',
      'another dev',
      'dev_done',
      'only the lock holder or a pm',
    ],
    [
      403,
      'forbidden',
      'the qa that passed a major task commits it',
      'qa_done',
      'holder',
      'committed',
      'the review of a major task',
    ],
  ])(
    'answers %i %s and changes nothing when %s',
    async (status, code, _when, from, by, target, detail) => {
      const arranged = await arrange(from)
      const agentId =
        by === 'holder'
          ? arranged.holder
          : await registerAgent(server.api, { role: 'backend_dev', level: 'principal' })
      const before = await snapshotDatabase(server)

      const res = await setStatus(server.api, arranged.taskId, agentId, target, 'should not stick')

      expectClientError(res, status, detail)
      expect(res.body.code).toBe(code)
      expect(await snapshotDatabase(server)).toBe(before)
    },
  )

  it('offers the agent its next task in the v1 response shape when it finishes one and more are waiting', async () => {
    const dev = await registerAgent(server.api, { role: 'frontend_dev', level: 'junior' })
    const task = await makeTask(server.api, project, { target_role: 'frontend_dev' })
    const waiting = await makeTask(server.api, project, { target_role: 'frontend_dev' })
    await lock(server.api, task.id, dev)

    const res = await setStatus(server.api, task.id, dev, 'dev_done')

    expect(res.body).toMatchObject({
      next_task: { id: waiting.id, locked_by: null },
      workflow_status: 'continue',
      task_completed: task.id,
      auto_continue: true,
      continuation_prompt: 'Continue with the next task without waiting for confirmation',
      session_momentum: 'high',
    })
  })

  it('offers no next task when the agent still holds one', async () => {
    const dev = await registerAgent(server.api, { role: 'frontend_dev', level: 'senior' })
    const task = await makeTask(server.api, project, {
      target_role: 'frontend_dev',
      difficulty: 'senior',
    })
    await makeTask(server.api, project, { target_role: 'frontend_dev', difficulty: 'senior' })
    await lock(server.api, task.id, dev)

    const res = await setStatus(server.api, task.id, dev, 'under_work')

    expect(res.body).toMatchObject({
      next_task: null,
      workflow_status: 'no_tasks',
      auto_continue: false,
      continuation_prompt: 'No more tasks available',
      session_momentum: 'low',
    })
  })

  it('lets a dev lock a QA-failed task again when QA sends it back to created', async () => {
    const arranged = await arrange('under_work_qa')
    await setStatus(server.api, arranged.taskId, arranged.holder, 'created', 'fails on empty input')
    const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'junior' })

    const res = await lock(server.api, arranged.taskId, dev)

    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      status: 'under_work',
      locked_by: dev,
      claimed_from: 'created',
      attempts: 3,
    })
    expect(res.body.notes).toContain('fails on empty input')
  })
})
