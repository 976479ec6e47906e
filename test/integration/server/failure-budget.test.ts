import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { loadServerConfig } from '../../../src/config/index.js'
import type { RunOutcome } from '../../../src/contract/index.js'
import {
  changelogOf,
  claim,
  expectClientError,
  getTask,
  makeTask,
  registerAgent,
  seedProject,
  setStatus,
  snapshotDatabase,
} from '../../helpers/fixtures.js'
import type { Api, Project } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

// Budget tests share one server with a budget of 3; tests with other settings start their own.
const MAX = 3
let server: TestServer
let project: Project

beforeAll(async () => {
  server = await startTestServer({ env: { HPM_TASK_MAX_FAILURES: String(MAX) } })
  project = await seedProject(server.api)
  await registerAgent(server.api, { agent_id: 'runner_1' })
})
afterAll(async () => {
  await server.close()
})

const times = { started_at: '2026-01-01T00:00:00Z', finished_at: '2026-01-01T00:01:00Z' }

function postRun(api: Api, taskId: number, body: Record<string, unknown>) {
  return api(`/api/v1/tasks/${taskId}/runs`, {
    method: 'POST',
    body: { outcome: 'agent_exit', ...times, ...body },
  })
}

/** A `created` task of its own and a dev holding it. */
async function heldTask(): Promise<{ taskId: number; dev: string }> {
  const dev = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
  const task = await makeTask(server.api, project)
  const res = await server.api(`/api/v1/tasks/${task.id}/lock?agent_id=${dev}`, { method: 'POST' })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return { taskId: task.id, dev }
}

describe('POST /tasks/:task_id/runs verdicts', () => {
  it.each<[RunOutcome, string]>([
    ['succeeded', 'succeeded'],
    ['interrupted', 'interrupted'],
    ['killed', 'interrupted'],
    ['not_logged_in', 'environment'],
    ['agent_not_found', 'environment'],
    ['hook_failed', 'environment'],
    ['agent_exit', 'failed'],
    ['agent_timeout', 'failed'],
    ['agent_stalled', 'failed'],
    ['workspace_invalid', 'failed'],
    ['failed', 'failed'],
  ])('derives verdict %s → %s when the request gives none', async (outcome, verdict) => {
    const task = await makeTask(server.api, project)

    const res = await postRun(server.api, task.id, { agent_id: 'runner_1', outcome })

    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ outcome, verdict, verdict_reason: null })
  })

  it("keeps Claude's outcome and the runner's verdict apart when both are given", async () => {
    const task = await makeTask(server.api, project)

    const posted = await postRun(server.api, task.id, {
      agent_id: 'runner_1',
      outcome: 'agent_exit',
      exit_code: 1,
      verdict: 'succeeded',
      verdict_reason: 'the agent reported dev_done, then Claude crashed',
    })
    const listed = await server.api(`/api/v1/tasks/${task.id}/runs`)

    expect(posted.status, JSON.stringify(posted.body)).toBe(200)
    expect(listed.body).toEqual([
      expect.objectContaining({
        outcome: 'agent_exit',
        exit_code: 1,
        verdict: 'succeeded',
        verdict_reason: 'the agent reported dev_done, then Claude crashed',
      }),
    ])
    expect(listed.body[0]).not.toHaveProperty('failure_budget')
  })

  it('reads a verdict derived from the outcome when a row was recorded before verdicts existed', async () => {
    const task = await makeTask(server.api, project)
    const { db } = server.running.connection
    const now = new Date().toISOString()
    const base = {
      task_id: task.id,
      agent_id: 'old_runner',
      attempt: 1,
      is_error: 0,
      started_at: now,
      finished_at: now,
      duration_ms: 0,
      created_at: now,
    }
    await db
      .insertInto('task_runs')
      .values([
        { ...base, outcome: 'not_logged_in' },
        { ...base, outcome: 'agent_stalled', attempt: 2 },
      ])
      .execute()

    const res = await server.api(`/api/v1/tasks/${task.id}/runs`)

    expect(res.body.map((r: any) => [r.outcome, r.verdict, r.verdict_reason])).toEqual([
      ['not_logged_in', 'environment', null],
      ['agent_stalled', 'failed', null],
    ])
  })

  it.each([
    ['verdict is unknown', { verdict: 'meh' }, 'verdict'],
    [
      'verdict_reason is over 10000 characters',
      { verdict_reason: 'x'.repeat(10_001) },
      'verdict_reason',
    ],
    ['outcome is unknown', { outcome: 'exploded' }, 'outcome'],
  ])('returns 422 naming the field and changes nothing when %s', async (_when, body, field) => {
    const task = await makeTask(server.api, project)
    const before = await snapshotDatabase(server)

    const res = await postRun(server.api, task.id, { agent_id: 'runner_1', ...body })

    expectClientError(res, 422, field)
    expect(await snapshotDatabase(server)).toBe(before)
  })
})

describe('POST /tasks/:task_id/runs with a run_key', () => {
  it('stores a record sent twice under one key once, and charges it once', async () => {
    const { taskId, dev } = await heldTask()

    const first = await postRun(server.api, taskId, {
      agent_id: dev,
      verdict: 'failed',
      run_key: 'attempt-1',
    })
    const again = await postRun(server.api, taskId, {
      agent_id: dev,
      verdict: 'failed',
      run_key: 'attempt-1',
    })
    const other = await postRun(server.api, taskId, {
      agent_id: dev,
      verdict: 'failed',
      run_key: 'attempt-2',
    })

    expect(again.status).toBe(200)
    expect(again.body.id).toBe(first.body.id)
    expect(again.body.failure_budget.failures).toBe(1)
    expect(other.body.failure_budget.failures).toBe(2)
    expect(
      (await server.api(`/api/v1/tasks/${taskId}/runs`)).body.map(
        (r: { run_key: string }) => r.run_key,
      ),
    ).toEqual(['attempt-1', 'attempt-2'])
  })

  it('answers 422 for an empty run_key and stores nothing', async () => {
    const { taskId, dev } = await heldTask()

    const res = await postRun(server.api, taskId, { agent_id: dev, run_key: '' })

    expectClientError(res, 422, 'run_key')
    expect((await server.api(`/api/v1/tasks/${taskId}/runs`)).body).toEqual([])
  })
})

describe('failure budget', () => {
  it('answers failure_budget and counts one failure when a run is judged failed', async () => {
    const { taskId, dev } = await heldTask()

    const res = await postRun(server.api, taskId, { agent_id: dev, verdict: 'failed' })

    expect(res.body.failure_budget).toEqual({ failures: 1, max_failures: MAX, is_spent: false })
    expect(await getTask(server.api, taskId)).toMatchObject({
      failures: 1,
      status: 'under_work',
      locked_by: dev,
    })
  })

  it.each(['environment', 'interrupted', 'succeeded'])(
    'counts nothing when runs are judged %s',
    async (verdict) => {
      const { taskId, dev } = await heldTask()

      const answers = []
      for (let attempt = 1; attempt <= MAX + 1; attempt++)
        answers.push(await postRun(server.api, taskId, { agent_id: dev, attempt, verdict }))

      expect(answers.map((a) => a.body.failure_budget)).toEqual(
        Array(MAX + 1).fill({ failures: 0, max_failures: MAX, is_spent: false }),
      )
      expect(await getTask(server.api, taskId)).toMatchObject({
        failures: 0,
        status: 'under_work',
        locked_by: dev,
      })
    },
  )

  it('counts derived verdicts: not_logged_in never, agent_exit always', async () => {
    const { taskId, dev } = await heldTask()

    await postRun(server.api, taskId, { agent_id: dev, outcome: 'not_logged_in' })
    await postRun(server.api, taskId, { agent_id: dev, outcome: 'hook_failed' })
    const res = await postRun(server.api, taskId, {
      agent_id: dev,
      outcome: 'agent_exit',
      exit_code: 2,
    })

    expect(res.body.failure_budget).toEqual({ failures: 1, max_failures: MAX, is_spent: false })
  })

  it('sends the task back to pending, unlocked, with a changelog row, when failures reach the max', async () => {
    const { taskId, dev } = await heldTask()

    const before = []
    for (let attempt = 1; attempt < MAX; attempt++)
      before.push(await postRun(server.api, taskId, { agent_id: dev, attempt, verdict: 'failed' }))
    const stillHeld = await getTask(server.api, taskId)
    const last = await postRun(server.api, taskId, {
      agent_id: dev,
      attempt: MAX,
      verdict: 'failed',
      verdict_reason: 'tests still fail: 3 of 40',
    })

    expect(before.map((r) => r.body.failure_budget.is_spent)).toEqual(Array(MAX - 1).fill(false))
    expect(stillHeld).toMatchObject({ status: 'under_work', locked_by: dev, failures: MAX - 1 })
    expect(last.body.failure_budget).toEqual({ failures: MAX, max_failures: MAX, is_spent: true })
    expect(await getTask(server.api, taskId)).toMatchObject({
      status: 'pending',
      locked_by: null,
      locked_at: null,
      lease_expires_at: null,
      claimed_from: null,
      failures: MAX,
    })
    expect((await changelogOf(server.api, taskId)).at(-1)).toMatchObject({
      old_status: 'under_work',
      new_status: 'pending',
      changed_by: dev,
      notes: expect.stringContaining(`HPM_TASK_MAX_FAILURES=${MAX}`),
    })
  })

  it('comments why, quoting the last failure, and mentions every pm when the budget is spent', async () => {
    const { taskId, dev } = await heldTask()
    const otherPm = await registerAgent(server.api, { role: 'pm', level: 'senior' })

    for (let attempt = 1; attempt < MAX; attempt++)
      await postRun(server.api, taskId, { agent_id: dev, attempt, verdict: 'failed' })
    await postRun(server.api, taskId, {
      agent_id: dev,
      attempt: MAX,
      verdict: 'failed',
      verdict_reason: 'npm test: 3 failing',
    })

    const comments = (await getTask(server.api, taskId)).comments
    expect(comments).toEqual([
      expect.objectContaining({
        kind: 'comment',
        author_id: dev,
        body:
          `@pm task ${taskId} failed ${MAX} runner attempts (HPM_TASK_MAX_FAILURES=${MAX}) and is back at pending until a planner ` +
          `approves it again. Last failure (${dev}, attempt ${MAX}): npm test: 3 failing`,
      }),
    ])
    for (const pm of [project.pm, otherPm]) {
      const mentions = (await server.api(`/api/v1/mentions?agent_id=${pm}&unread_only=true`))
        .body as any[]
      expect(mentions.filter((m) => m.task_id === taskId)).toEqual([
        expect.objectContaining({ created_by: dev, is_read: false }),
      ])
    }
  })

  it("quotes Claude's error, cut to 500 characters, when the run gives no verdict reason", async () => {
    const { taskId, dev } = await heldTask()
    const error = `boom ${'e'.repeat(600)}`

    for (let attempt = 1; attempt <= MAX; attempt++)
      await postRun(server.api, taskId, { agent_id: dev, attempt, error })

    const [comment] = (await getTask(server.api, taskId)).comments
    expect(comment.body).toContain(`Last failure (${dev}, attempt ${MAX}): ${error.slice(0, 500)}…`)
    expect(comment.body).not.toContain(error.slice(0, 501))
  })

  it('notifies nobody named in the quoted failure when the budget is spent', async () => {
    const { taskId, dev } = await heldTask()
    const qa = await registerAgent(server.api, { role: 'qa', level: 'senior' })

    for (let attempt = 1; attempt <= MAX; attempt++) {
      await postRun(server.api, taskId, {
        agent_id: dev,
        attempt,
        verdict: 'failed',
        verdict_reason: `ask @qa and @${qa} about @types/node`,
      })
    }

    const all = (await server.api('/api/v1/mentions/by-role?limit=10000')).body as any[]
    const notified = all.filter((m) => m.task_id === taskId).map((m) => m.mentioned_agent_id)
    expect(notified).toContain(project.pm)
    expect(notified).not.toContain(qa)
    expect(notified).not.toContain('types')
  })

  it('tells long-poll waiters and the activity feed when the task goes back to pending', async () => {
    const { taskId, dev } = await heldTask()
    const after = (await server.api('/api/v1/changes?after_id=0&agent_id=watcher&limit=10000')).body
      .last_event_id

    for (let attempt = 1; attempt <= MAX; attempt++)
      await postRun(server.api, taskId, { agent_id: dev, attempt, verdict: 'failed' })

    const changes = (
      await server.api(`/api/v1/changes?after_id=${after}&agent_id=watcher&limit=10000`)
    ).body.changes as any[]
    const mine = changes
      .filter((c) => c.data.task_id === taskId && c.type !== 'mention_created')
      .map((c) => [c.type, c.data.new_status ?? null])
    expect(mine).toEqual([
      ['run_recorded', null],
      ['run_recorded', null],
      ['run_recorded', null],
      ['task_updated', 'pending'],
      ['task_commented', null],
    ])
  })

  it('counts failures across agents and releases, and leaves the pool on the agent that spends it', async () => {
    const first = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    const second = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    const task = await makeTask(server.api, project, { title: 'shared failures', priority: 1000 })
    expect((await claim(server.api, first)).body.id).toBe(task.id)

    await postRun(server.api, task.id, { agent_id: first, verdict: 'failed' })
    await server.api(`/api/v1/tasks/${task.id}/unlock?agent_id=${first}`, { method: 'POST' })
    expect((await claim(server.api, second)).body.id).toBe(task.id)
    for (let attempt = 1; attempt < MAX; attempt++)
      await postRun(server.api, task.id, { agent_id: second, attempt, verdict: 'failed' })

    expect(await getTask(server.api, task.id)).toMatchObject({
      status: 'pending',
      locked_by: null,
      failures: MAX,
    })
  })

  it("never takes the task from the agent holding it when another agent's late record spends the budget", async () => {
    const stale = await registerAgent(server.api, { role: 'backend_dev', level: 'senior' })
    const { taskId, dev } = await heldTask()
    for (let attempt = 1; attempt < MAX; attempt++)
      await postRun(server.api, taskId, { agent_id: dev, attempt, verdict: 'failed' })

    const late = await postRun(server.api, taskId, { agent_id: stale, verdict: 'failed' })

    expect(late.body.failure_budget).toEqual({ failures: MAX, max_failures: MAX, is_spent: true })
    expect(await getTask(server.api, taskId)).toMatchObject({
      status: 'under_work',
      locked_by: dev,
      failures: MAX,
    })
    const own = await postRun(server.api, taskId, {
      agent_id: dev,
      attempt: MAX,
      verdict: 'failed',
    })
    expect(own.body.failure_budget.is_spent).toBe(true)
    expect(await getTask(server.api, taskId)).toMatchObject({ status: 'pending', locked_by: null })
  })

  it('keeps counting but leaves a pending or committed task where it is when the budget is already spent', async () => {
    const { taskId, dev } = await heldTask()
    for (let attempt = 1; attempt <= MAX; attempt++)
      await postRun(server.api, taskId, { agent_id: dev, attempt, verdict: 'failed' })

    const late = await postRun(server.api, taskId, {
      agent_id: dev,
      attempt: MAX + 1,
      verdict: 'failed',
    })

    expect(late.body.failure_budget).toEqual({
      failures: MAX + 1,
      max_failures: MAX,
      is_spent: true,
    })
    expect(await getTask(server.api, taskId)).toMatchObject({
      status: 'pending',
      failures: MAX + 1,
    })
    expect((await getTask(server.api, taskId)).comments).toHaveLength(1)
    expect(
      (await changelogOf(server.api, taskId)).filter((row) => row.new_status === 'pending'),
    ).toHaveLength(1)
  })

  it('gives a fresh budget when a planner approves the task again', async () => {
    const { taskId, dev } = await heldTask()
    for (let attempt = 1; attempt <= MAX; attempt++)
      await postRun(server.api, taskId, { agent_id: dev, attempt, verdict: 'failed' })

    const approved = await setStatus(server.api, taskId, project.pm, 'created')
    const next = await postRun(server.api, taskId, { agent_id: dev, verdict: 'failed' })

    expect(approved.body.task).toMatchObject({ status: 'created', failures: 0 })
    expect(next.body.failure_budget).toEqual({ failures: 1, max_failures: MAX, is_spent: false })
  })

  it('keeps the count when a task moves other ways than an approval', async () => {
    const { taskId, dev } = await heldTask()
    await postRun(server.api, taskId, { agent_id: dev, verdict: 'failed' })

    const done = await setStatus(server.api, taskId, dev, 'dev_done')

    expect(done.body.task).toMatchObject({ status: 'dev_done', failures: 1 })
  })
})

describe('failure budget with other settings', () => {
  it('counts failures but never spends the budget when HPM_TASK_MAX_FAILURES is 0', async ({
    onTestFinished,
  }) => {
    const unlimited = await startTestServer({ env: { HPM_TASK_MAX_FAILURES: '0' } })
    onTestFinished(() => unlimited.close())
    const own = await seedProject(unlimited.api)
    const dev = await registerAgent(unlimited.api, { role: 'backend_dev', level: 'senior' })
    const task = await makeTask(unlimited.api, own)
    await claim(unlimited.api, dev)

    const answers = []
    for (let attempt = 1; attempt <= 8; attempt++)
      answers.push(
        await postRun(unlimited.api, task.id, { agent_id: dev, attempt, verdict: 'failed' }),
      )

    expect(answers.at(-1)?.body.failure_budget).toEqual({
      failures: 8,
      max_failures: 0,
      is_spent: false,
    })
    expect(await getTask(unlimited.api, task.id)).toMatchObject({
      status: 'under_work',
      locked_by: dev,
      failures: 8,
      comments: [],
    })
  })

  it('allows 6 failures by default', async ({ onTestFinished }) => {
    const defaults = await startTestServer()
    onTestFinished(() => defaults.close())
    const own = await seedProject(defaults.api)
    await registerAgent(defaults.api, { agent_id: 'runner_1' })
    const task = await makeTask(defaults.api, own)

    const res = await postRun(defaults.api, task.id, { agent_id: 'runner_1' })

    expect(res.body.failure_budget).toEqual({ failures: 1, max_failures: 6, is_spent: false })
  })

  it.each([
    ['HPM_TASK_MAX_FAILURES', '-1'],
    ['HPM_TASK_MAX_FAILURES', 'many'],
    ['HPM_RELEASE_COOLDOWN_SECONDS', '-5'],
  ])('rejects the configuration naming %s when it is %s', (name, value) => {
    expect(() => loadServerConfig({ env: { [name]: value }, cwd: server.dataDir })).toThrow(
      new RegExp(`${name}: `),
    )
  })
})
