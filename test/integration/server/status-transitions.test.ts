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

/** Where a test task starts; `under_work_dev` is held by its dev, `under_work_qa` by its qa. */
type From =
  | 'pending'
  | 'created'
  | 'under_work_dev'
  | 'under_work_qa'
  | 'dev_done'
  | 'qa_done'
  | 'documentation_done'
  | 'committed'
/** Who asks: the lock holder (or last worker when unlocked), another dev of the task's role, a pm, an architect, a qa. */
type Who = 'holder' | 'dev' | 'pm' | 'architect' | 'qa'

interface Arranged {
  taskId: number
  holder: string
}

/** Builds a task in `from` through the API, the way agents would get it there. */
async function arrange(from: From): Promise<Arranged> {
  const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
  if (from === 'pending') {
    return { taskId: (await makeTask(server.api, project, { creator: dev })).id, holder: dev }
  }
  const task = await makeTask(server.api, project)
  if (from === 'created') return { taskId: task.id, holder: dev }
  await lock(server.api, task.id, dev)
  if (from === 'under_work_dev') return { taskId: task.id, holder: dev }
  await setStatus(server.api, task.id, dev, 'dev_done')
  if (from === 'dev_done') return { taskId: task.id, holder: dev }
  const qa = await registerAgent(server.api, { role: 'qa', level: 'principal' })
  await lock(server.api, task.id, qa)
  if (from === 'under_work_qa') return { taskId: task.id, holder: qa }
  await setStatus(server.api, task.id, qa, 'qa_done')
  if (from === 'qa_done') return { taskId: task.id, holder: qa }
  // Committing a major task (the default) is the reviewer's step: a pm's.
  await setStatus(server.api, task.id, from === 'committed' ? project.pm : qa, from)
  expect((await getTask(server.api, task.id)).status).toBe(from)
  return { taskId: task.id, holder: qa }
}

async function actor(who: Who, arranged: Arranged): Promise<string> {
  switch (who) {
    case 'holder':
      return arranged.holder
    case 'pm':
      return project.pm
    case 'dev':
      return registerAgent(server.api, { role: 'backend_dev', level: 'principal' })
    case 'architect':
      return registerAgent(server.api, { role: 'architect', level: 'principal' })
    case 'qa':
      return registerAgent(server.api, { role: 'qa', level: 'principal' })
  }
}

type Outcome = { ok: true; locked: boolean } | { ok: false; status: 403 | 409; code: string }
const ok = (locked = false): Outcome => ({ ok: true, locked })
const refused = (status: 403 | 409, code: string): Outcome => ({ ok: false, status, code })
const INVALID = refused(409, 'invalid_transition')
const PLANNERS_ONLY = refused(403, 'forbidden')
const NOT_HOLDER = refused(403, 'not_lock_holder')

const table: Array<[From, TaskStatus, Who, Outcome]> = [
  // pending: only planners approve it.
  ['pending', 'created', 'pm', ok()],
  ['pending', 'created', 'architect', ok()],
  ['pending', 'created', 'holder', PLANNERS_ONLY],
  ['pending', 'created', 'qa', PLANNERS_ONLY],
  ['pending', 'under_work', 'pm', INVALID],
  ['pending', 'dev_done', 'pm', INVALID],
  ['pending', 'committed', 'pm', INVALID],
  // A planner re-stating the status is a no-op (v1's pm prompt "promotes" tasks it created).
  ['pending', 'pending', 'pm', ok()],
  ['pending', 'pending', 'holder', INVALID],
  // created: back to pending by planners; work starts only by lock/claim.
  ['created', 'pending', 'pm', ok()],
  ['created', 'pending', 'architect', ok()],
  ['created', 'pending', 'dev', PLANNERS_ONLY],
  ['created', 'under_work', 'dev', INVALID],
  ['created', 'dev_done', 'dev', INVALID],
  ['created', 'qa_done', 'pm', INVALID],
  ['created', 'committed', 'pm', INVALID],
  ['created', 'created', 'pm', ok()],
  ['created', 'created', 'architect', ok()],
  ['created', 'created', 'dev', INVALID],
  // under_work held by a dev.
  ['under_work_dev', 'dev_done', 'holder', ok()],
  ['under_work_dev', 'created', 'holder', ok()],
  ['under_work_dev', 'under_work', 'holder', ok(true)],
  ['under_work_dev', 'dev_done', 'pm', ok()],
  ['under_work_dev', 'dev_done', 'dev', NOT_HOLDER],
  ['under_work_dev', 'dev_done', 'architect', NOT_HOLDER],
  ['under_work_dev', 'created', 'qa', NOT_HOLDER],
  ['under_work_dev', 'qa_done', 'holder', INVALID],
  ['under_work_dev', 'committed', 'holder', INVALID],
  ['under_work_dev', 'pending', 'holder', INVALID],
  ['under_work_dev', 'documentation_done', 'pm', INVALID],
  // dev_done: QA must lock it to test it; a planner or a dev of the task's role may send it back for rework.
  ['dev_done', 'created', 'dev', ok()],
  ['dev_done', 'created', 'pm', ok()],
  ['dev_done', 'created', 'qa', PLANNERS_ONLY],
  ['dev_done', 'qa_done', 'qa', INVALID],
  ['dev_done', 'under_work', 'qa', INVALID],
  ['dev_done', 'committed', 'pm', INVALID],
  ['dev_done', 'dev_done', 'holder', INVALID],
  // under_work held by a qa (claimed from dev_done).
  ['under_work_qa', 'qa_done', 'holder', ok()],
  ['under_work_qa', 'created', 'holder', ok()],
  ['under_work_qa', 'dev_done', 'holder', ok()],
  ['under_work_qa', 'under_work', 'holder', ok(true)],
  ['under_work_qa', 'qa_done', 'qa', NOT_HOLDER],
  ['under_work_qa', 'qa_done', 'pm', ok()],
  ['under_work_qa', 'committed', 'holder', INVALID],
  // qa_done: documentation, commit or rework. These tasks are major: a planner reviews and commits them.
  ['qa_done', 'documentation_done', 'holder', ok()],
  ['qa_done', 'committed', 'pm', ok()],
  ['qa_done', 'committed', 'architect', ok()],
  ['qa_done', 'committed', 'holder', PLANNERS_ONLY],
  ['qa_done', 'committed', 'dev', PLANNERS_ONLY],
  ['qa_done', 'created', 'pm', ok()],
  ['qa_done', 'dev_done', 'pm', INVALID],
  ['qa_done', 'under_work', 'pm', INVALID],
  ['qa_done', 'pending', 'pm', INVALID],
  // documentation_done.
  ['documentation_done', 'committed', 'pm', ok()],
  ['documentation_done', 'committed', 'dev', PLANNERS_ONLY],
  ['documentation_done', 'dev_done', 'dev', ok()],
  ['documentation_done', 'created', 'pm', ok()],
  ['documentation_done', 'qa_done', 'pm', INVALID],
  // committed: only a planner reopens it.
  ['committed', 'created', 'pm', ok()],
  ['committed', 'created', 'architect', ok()],
  ['committed', 'created', 'dev', PLANNERS_ONLY],
  ['committed', 'dev_done', 'pm', INVALID],
  ['committed', 'qa_done', 'pm', INVALID],
  // Legacy statuses are never a target.
  ['created', 'approved', 'pm', INVALID],
  ['qa_done', 'evaluation', 'pm', INVALID],
]

const fromStatus = (from: From): TaskStatus =>
  from.startsWith('under_work') ? 'under_work' : (from as TaskStatus)

describe('PUT /tasks/{task_id}/status', () => {
  it.each(table.filter(([, , , outcome]) => outcome.ok))(
    'moves %s to %s when the %s asks',
    async (from, target, who, outcome) => {
      const arranged = await arrange(from)
      const agentId = await actor(who, arranged)

      const res = await setStatus(
        server.api,
        arranged.taskId,
        agentId,
        target,
        `moving to ${target}`,
      )

      expect(res.status, JSON.stringify(res.body)).toBe(200)
      expect(res.body.task.status).toBe(target)
      expect(res.body.task_completed).toBe(arranged.taskId)
      const locked = outcome.ok && outcome.locked
      expect(res.body.task.locked_by).toBe(locked ? arranged.holder : null)
      expect(res.body.task.lease_expires_at === null).toBe(!locked)
      expect((await changelogOf(server.api, arranged.taskId)).at(-1)).toMatchObject({
        old_status: fromStatus(from),
        new_status: target,
        changed_by: agentId,
        notes: `moving to ${target}`,
      })
    },
  )

  it.each(table.filter(([, , , outcome]) => !outcome.ok))(
    'refuses %s to %s and changes nothing when the %s asks',
    async (from, target, who, outcome) => {
      const arranged = await arrange(from)
      const agentId = await actor(who, arranged)
      const before = await snapshotDatabase(server)

      const res = await setStatus(server.api, arranged.taskId, agentId, target, 'should not stick')

      if (outcome.ok) throw new Error('table row is not a refusal')
      expectClientError(res, outcome.status)
      expect(res.body.code).toBe(outcome.code)
      if (outcome.code === 'invalid_transition') {
        expect(res.body.detail).toContain(`from ${fromStatus(from)} to ${target}; allowed: `)
      }
      expect(await snapshotDatabase(server)).toBe(before)
    },
  )

  it('names lock as the way in when a dev sets under_work on a created task', async () => {
    const arranged = await arrange('created')

    const res = await setStatus(server.api, arranged.taskId, arranged.holder, 'under_work')

    expectClientError(res, 409, `lock it first with POST /api/v1/tasks/${arranged.taskId}/lock`)
  })

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
