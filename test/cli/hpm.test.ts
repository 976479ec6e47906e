import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startTestServer } from '../helpers/test-server.js'
import type { TestServer } from '../helpers/test-server.js'
import { runHpm, tempDir } from './run-hpm.js'
import type { HpmResult } from './run-hpm.js'

// One real server for the file; every test makes its own agents, epics and tasks (unique ids), and
// tasks that a claim could pick are given a role no other test uses, so tests do not see each other.

let server: TestServer
let workDir: string
let env: Record<string, string>
/** A URL where nothing listens (a port that was free a moment ago). */
let DEAD_URL: string

beforeAll(async () => {
  server = await startTestServer()
  workDir = mkdtempSync(join(tmpdir(), 'hpm-cli-'))
  env = { HOME: workDir, HEADLESS_PM_API_URL: server.url, HEADLESS_PM_API_KEY: server.apiKey }
  // A privileged port: a freed ephemeral port could be taken by another test's server meanwhile,
  // port 0 never hands out one below 1024, and fetch does not refuse port 10 as it does 9.
  DEAD_URL = 'http://127.0.0.1:10'
})
afterAll(async () => {
  await server?.close()
  rmSync(workDir, { recursive: true, force: true })
})

function hpm(...args: string[]): Promise<HpmResult> {
  return runHpm(args, { cwd: workDir, env })
}

let counter = 0
function uniqueId(prefix: string): string {
  counter += 1
  return `${prefix}_${process.pid}_${counter}`
}

async function apiOk(path: string, init: { method?: string; body?: unknown } = {}): Promise<any> {
  const res = await server.api(`/api/v1${path}`, init)
  if (res.status !== 200)
    throw new Error(`${init.method ?? 'GET'} ${path} -> ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

async function registerAgent(prefix: string, role: string, level = 'senior'): Promise<string> {
  const agentId = uniqueId(prefix)
  await apiOk('/register', { method: 'POST', body: { agent_id: agentId, role, level } })
  return agentId
}

/** A pm with an epic and a feature to put tasks in. */
async function makePlan(): Promise<{ pm: string; epicId: number; featureId: number }> {
  const pm = await registerAgent('pm', 'pm', 'principal')
  const epic = await apiOk(`/epics?agent_id=${pm}`, {
    method: 'POST',
    body: { name: uniqueId('epic'), description: 'd' },
  })
  const feature = await apiOk(`/features?agent_id=${pm}`, {
    method: 'POST',
    body: { epic_id: epic.id, name: 'F', description: 'd' },
  })
  return { pm, epicId: epic.id, featureId: feature.id }
}

async function makeTask(overrides: Record<string, unknown> = {}): Promise<any> {
  const plan = await makePlan()
  const body = {
    feature_id: plan.featureId,
    title: uniqueId('task'),
    description: 'do it',
    target_role: 'backend_dev',
    difficulty: 'junior',
    branch: 'feature/x',
    ...overrides,
  }
  return apiOk(`/tasks/create?agent_id=${plan.pm}`, { method: 'POST', body })
}

// Tests run concurrently (run-hpm.ts caps the number of live processes); they share nothing but the server.
// Generous timeout: a test may wait for a process slot behind the others.
describe.concurrent('hpm (child process against a real server)', { timeout: 300_000 }, () => {
  describe('hpm --help', () => {
    it('teaches the workflow with the real statuses, roles and document types and exits 0', async () => {
      const result = await hpm('--help')

      expect(result.code).toBe(0)
      for (const text of [
        'hpm register',
        'hpm tasks claim',
        'hpm tasks lock',
        '--status dev_done',
        'qa_done',
        'committed',
        'minor tasks',
        'Major tasks',
        'fullstack_dev',
        'critical_issue',
        '@qa',
        'Exit codes: 0 ok, 1',
      ]) {
        expect(result.stdout).toContain(text)
      }
      expect(result.stdout).not.toMatch(/\btesting\b|status_update|task_complete/)
    })
  })

  describe('hpm usage errors', () => {
    // The full table of checks runs in-process in program.test.ts; these prove the exit code end to end.
    const cases: Array<[string, string[], RegExp]> = [
      ['unknown command', ['bogus'], /unknown command 'bogus'/],
      [
        'invalid role',
        ['register', '--agent-id', 'a', '--role', 'wizard', '--level', 'senior'],
        /Allowed choices are frontend_dev, backend_dev, fullstack_dev, qa, architect, pm/,
      ],
      ['empty update', ['tasks', 'update', '1', '--agent-id', 'a'], /nothing to update/],
      [
        'negative budget',
        ['tasks', 'update', '1', '--agent-id', 'a', '--budget-usd', '-1'],
        /--budget-usd <dollars>.*must be a number of US dollars more than 0 and at most 10000/,
      ],
      [
        'bad server url',
        ['--url', 'not a url', 'agents', 'list'],
        /--url \/ HEADLESS_PM_API_URL: must be an http\(s\) URL/,
      ],
      [
        'merge without an agent id',
        ['tasks', 'merge', '1'],
        /required option '--agent-id <id>' not specified/,
      ],
      [
        'merge of a task id that is not a number',
        ['tasks', 'merge', 'twelve', '--agent-id', 'pm_1'],
        /argument 'task_id'\. must be a positive integer/,
      ],
    ]

    // DEAD_URL: a command that called the server would exit 3, not 2.
    it.each(cases)('exits 2 without calling the server on %s', async (_name, args, pattern) => {
      const result = await runHpm(args, {
        cwd: workDir,
        env: { ...env, HEADLESS_PM_API_URL: DEAD_URL },
      })

      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(pattern)
      expect(result.stdout).toBe('')
    })
  })

  describe('hpm register', () => {
    it('prints the agent, its next task and its unread mentions as JSON', async () => {
      const agentId = await registerAgent('arch', 'architect', 'principal')
      await apiOk(`/documents?author_id=${agentId}`, {
        method: 'POST',
        body: { doc_type: 'update', title: 'note', content: `hi @${agentId}` },
      })
      const task = await makeTask({
        target_role: 'architect',
        difficulty: 'principal',
        priority: 999,
      })

      const result = await hpm(
        'register',
        '--agent-id',
        agentId,
        '--role',
        'architect',
        '--level',
        'principal',
      )

      expect(result.code).toBe(0)
      const body = result.json()
      expect(body.agent).toMatchObject({
        agent_id: agentId,
        role: 'architect',
        level: 'principal',
        connection_type: 'client',
      })
      expect(body.next_task).toMatchObject({ id: task.id, status: 'created' })
      expect(body.mentions).toEqual([
        expect.objectContaining({
          mentioned_agent_id: agentId,
          document_title: 'note',
          is_read: false,
        }),
      ])
    })

    it("changes a registered agent's role only when a pm is named with --requester-agent-id", async () => {
      const agentId = await registerAgent('dev', 'backend_dev', 'junior')
      const pm = await registerAgent('pm', 'pm', 'principal')

      const alone = await hpm(
        'register',
        '--agent-id',
        agentId,
        '--role',
        'architect',
        '--level',
        'junior',
      )
      const byPm = await hpm(
        'register',
        '--agent-id',
        agentId,
        '--role',
        'architect',
        '--level',
        'junior',
        '--requester-agent-id',
        pm,
      )

      expect(alone.code).toBe(1)
      expect(alone.stderr).toContain('is registered as backend_dev (junior)')
      expect(byPm.code).toBe(0)
      expect(byPm.json().agent).toMatchObject({
        agent_id: agentId,
        role: 'architect',
        level: 'junior',
      })
    })
  })

  describe('hpm status', () => {
    it('prints the counts and what needs attention, without an agent id', async () => {
      const result = await hpm('status')

      expect(result.code).toBe(0)
      expect(result.json()).toMatchObject({
        service: 'headless-pm-api',
        metrics: { total_agents: expect.any(Number) },
        attention: expect.any(Array),
      })
    })
  })

  describe('hpm agents', () => {
    it('lists registered agents when run bare', async () => {
      const agentId = await registerAgent('dev', 'backend_dev')

      const result = await hpm('agents')

      expect(result.code).toBe(0)
      expect(result.json<Array<{ agent_id: string }>>().map((a) => a.agent_id)).toContain(agentId)
    })

    it('deletes an agent when a pm asks', async () => {
      const pm = await registerAgent('pm', 'pm')
      const dev = await registerAgent('dev', 'backend_dev')

      const result = await hpm('agents', 'delete', '--agent-id', dev, '--requester-agent-id', pm)

      expect(result.code).toBe(0)
      expect(result.json()).toEqual({ message: `Agent ${dev} deleted successfully` })
      expect((await apiOk('/agents')).map((a: { agent_id: string }) => a.agent_id)).not.toContain(
        dev,
      )
    })

    it("exits 1 with the server's detail when a non-pm asks", async () => {
      const dev = await registerAgent('dev', 'backend_dev')
      const other = await registerAgent('dev', 'backend_dev')

      const result = await hpm('agents', 'delete', '--agent-id', other, '--requester-agent-id', dev)

      expect(result.code).toBe(1)
      expect(result.stderr).toContain(
        'error: Only pm agents can perform this operation (forbidden, HTTP 403)',
      )
      expect(result.stdout).toBe('')
    })
  })

  describe('hpm heartbeat', () => {
    it('returns the agent and the task it holds with its renewed lease', async () => {
      const task = await makeTask({ target_role: 'backend_dev' })
      const dev = await registerAgent('dev', 'backend_dev')
      await apiOk(`/tasks/${task.id}/lock?agent_id=${dev}`, { method: 'POST' })

      const result = await hpm('heartbeat', '--agent-id', dev)

      expect(result.code).toBe(0)
      const body = result.json()
      expect(body.agent.agent_id).toBe(dev)
      expect(body.tasks).toEqual([
        { id: task.id, status: 'under_work', lease_expires_at: expect.stringMatching(/Z$/) },
      ])
    })
  })

  describe('hpm context', () => {
    it('prints the project context', async () => {
      const result = await hpm('context')

      expect(result.code).toBe(0)
      expect(result.json()).toMatchObject({
        project_name: 'Headless PM',
        database_type: expect.any(String),
      })
    })
  })

  describe('hpm epics', () => {
    it('creates, lists and deletes an epic', async () => {
      const pm = await registerAgent('pm', 'pm')
      const name = uniqueId('Epic')

      const created = await hpm(
        'epics',
        'create',
        '--name',
        name,
        '--description',
        'all about it',
        '--agent-id',
        pm,
      )
      const epicId = created.json().id as number
      const listed = await hpm('epics', 'list')
      const deleted = await hpm('epics', 'delete', '--epic-id', String(epicId), '--agent-id', pm)

      expect(created.code).toBe(0)
      expect(created.json()).toMatchObject({ name, description: 'all about it', task_count: 0 })
      expect(listed.json<Array<{ id: number }>>().map((e) => e.id)).toContain(epicId)
      expect(deleted.json()).toEqual({ message: `Epic ${epicId} deleted successfully` })
    })
  })

  describe('hpm features', () => {
    it("creates a feature, lists it (all and the epic's) and deletes it", async () => {
      const { pm, epicId } = await makePlan()

      const created = await hpm(
        'features',
        'create',
        '--epic-id',
        String(epicId),
        '--name',
        'Login',
        '--description',
        'email login',
        '--agent-id',
        pm,
      )
      const featureId = created.json().id as number
      const [ofEpic, all] = await Promise.all([
        hpm('features', 'list', '--epic-id', String(epicId)),
        hpm('features', 'list'),
      ])
      const deleted = await hpm(
        'features',
        'delete',
        '--feature-id',
        String(featureId),
        '--agent-id',
        pm,
      )

      expect(created.json()).toEqual({
        id: featureId,
        epic_id: epicId,
        name: 'Login',
        description: 'email login',
      })
      expect(ofEpic.json<Array<{ id: number }>>().map((f) => f.id)).toContain(featureId)
      expect(all.json<Array<{ id: number }>>().map((f) => f.id)).toContain(featureId)
      expect(deleted.code).toBe(0)
    })
  })

  describe('hpm tasks create', () => {
    it('creates a created task when a pm creates it, with defaults for complexity and priority', async () => {
      const { pm, featureId } = await makePlan()

      const result = await hpm(
        'tasks',
        'create',
        '--feature-id',
        String(featureId),
        '--title',
        'Login form',
        '--target-role',
        'frontend_dev',
        '--difficulty',
        'junior',
        '--branch',
        'feature/login',
        '--agent-id',
        pm,
      )

      expect(result.code).toBe(0)
      expect(result.json()).toMatchObject({
        title: 'Login form',
        status: 'created',
        complexity: 'major',
        priority: 0,
        branch: 'feature/login',
        created_by: pm,
      })
    })

    it('creates a pending task when a developer creates it', async () => {
      const { featureId } = await makePlan()
      const dev = await registerAgent('dev', 'backend_dev')

      const result = await hpm(
        'tasks',
        'create',
        '--feature-id',
        String(featureId),
        '--title',
        'Refactor',
        '--description',
        'tidy',
        '--target-role',
        'backend_dev',
        '--difficulty',
        'senior',
        '--complexity',
        'minor',
        '--priority',
        '5',
        '--agent-id',
        dev,
      )

      expect(result.json()).toMatchObject({ status: 'pending', complexity: 'minor', priority: 5 })
    })

    it('gives the task its own money budget with --budget-usd, and none without it', async () => {
      const { pm, featureId } = await makePlan()
      const common = [
        'tasks',
        'create',
        '--feature-id',
        String(featureId),
        '--target-role',
        'backend_dev',
        '--difficulty',
        'junior',
        '--agent-id',
        pm,
      ]

      const budgeted = await hpm(...common, '--title', 'Budgeted', '--budget-usd', '2.5')
      const unbudgeted = await hpm(...common, '--title', 'Default budget')

      expect(budgeted.code, budgeted.stderr).toBe(0)
      expect(budgeted.json()).toMatchObject({ title: 'Budgeted', budget_usd: 2.5 })
      expect(unbudgeted.json()).toMatchObject({ title: 'Default budget', budget_usd: null })
    })
  })

  describe('hpm tasks list', () => {
    it('filters by feature and status', async () => {
      const task = await makeTask()

      const result = await hpm(
        'tasks',
        'list',
        '--feature-id',
        String(task.feature_id),
        '--status',
        'created',
        '--role',
        'backend_dev',
      )

      expect(result.json<Array<{ id: number }>>().map((t) => t.id)).toEqual([task.id])
    })
  })

  describe('hpm tasks get', () => {
    it('shows the task with its comments', async () => {
      const task = await makeTask()
      await apiOk(`/tasks/${task.id}/comment?agent_id=${task.created_by}`, {
        method: 'POST',
        body: { comment: 'first thoughts' },
      })

      const result = await hpm('tasks', 'get', String(task.id))

      expect(result.code).toBe(0)
      expect(result.json()).toMatchObject({
        id: task.id,
        comments: [expect.objectContaining({ body: 'first thoughts', kind: 'comment' })],
      })
    })

    it('exits 1 with the 404 detail when the task does not exist', async () => {
      const result = await hpm('tasks', 'get', '987654')

      expect(result.code).toBe(1)
      expect(result.stderr).toContain('Task with ID 987654 not found')
      expect(result.stderr).toContain('HTTP 404')
    })
  })

  describe('hpm tasks next', () => {
    it('offers a matching task without locking it', async () => {
      const task = await makeTask({
        target_role: 'frontend_dev',
        difficulty: 'senior',
        priority: 999,
      })

      const result = await hpm(
        'tasks',
        'next',
        '--role',
        'frontend_dev',
        '--level',
        'principal',
        '--timeout',
        '0',
      )

      expect(result.code).toBe(0)
      expect(result.json()).toMatchObject({ id: task.id, status: 'created', locked_by: null })
    })

    it('prints null and exits 0 when no task comes', async () => {
      const result = await hpm('tasks', 'next', '--role', 'pm', '--level', 'junior', '--simulate')

      expect(result.code).toBe(0)
      expect(result.stdout.trim()).toBe('null')
    })
  })

  describe('hpm tasks claim', () => {
    it('claims the best task and returns the same task when claimed again', async () => {
      const task = await makeTask({ target_role: 'fullstack_dev', difficulty: 'junior' })
      const dev = await registerAgent('full', 'fullstack_dev', 'junior')

      const first = await hpm('tasks', 'claim', '--agent-id', dev, '--timeout', '0')
      const again = await hpm('tasks', 'claim', '--agent-id', dev, '--timeout', '0')

      expect(first.code).toBe(0)
      expect(first.json()).toMatchObject({
        id: task.id,
        status: 'under_work',
        locked_by: dev,
        claimed_from: 'created',
      })
      expect(again.json()).toMatchObject({ id: task.id, locked_by: dev })
    })
  })

  describe('hpm tasks lock', () => {
    it('moves the task to under_work for the agent', async () => {
      const task = await makeTask()
      const dev = await registerAgent('dev', 'backend_dev')

      const result = await hpm('tasks', 'lock', String(task.id), '--agent-id', dev)

      expect(result.code).toBe(0)
      expect(result.json()).toMatchObject({ id: task.id, status: 'under_work', locked_by: dev })
    })

    it('exits 1 with task_locked when another agent holds the task', async () => {
      const task = await makeTask()
      const holder = await registerAgent('dev', 'backend_dev')
      const late = await registerAgent('dev', 'backend_dev')
      await apiOk(`/tasks/${task.id}/lock?agent_id=${holder}`, { method: 'POST' })

      const result = await hpm('tasks', 'lock', String(task.id), '--agent-id', late)

      expect(result.code).toBe(1)
      expect(result.stderr).toContain(`Task ${task.id} is already locked by another agent`)
      expect(result.stderr).toContain('(task_locked, HTTP 409)')
    })
  })

  describe('hpm tasks unlock', () => {
    it('gives the task back to created with the notes in the changelog', async () => {
      const task = await makeTask()
      const dev = await registerAgent('dev', 'backend_dev')
      await apiOk(`/tasks/${task.id}/lock?agent_id=${dev}`, { method: 'POST' })

      const result = await hpm(
        'tasks',
        'unlock',
        String(task.id),
        '--agent-id',
        dev,
        '--notes',
        'blocked on design',
      )

      expect(result.code).toBe(0)
      expect(result.json()).toMatchObject({ id: task.id, status: 'created', locked_by: null })
    })
  })

  describe('hpm tasks status', () => {
    it('moves a held task to dev_done and keeps the notes as a comment', async () => {
      const task = await makeTask()
      const dev = await registerAgent('dev', 'backend_dev')
      await apiOk(`/tasks/${task.id}/lock?agent_id=${dev}`, { method: 'POST' })

      const result = await hpm(
        'tasks',
        'status',
        String(task.id),
        '--status',
        'dev_done',
        '--agent-id',
        dev,
        '--notes',
        'run npm test',
      )

      expect(result.code).toBe(0)
      const body = result.json()
      expect(body.task).toMatchObject({ id: task.id, status: 'dev_done', locked_by: null })
      expect(body).toHaveProperty('next_task')
      expect(body.workflow_status).toMatch(/^(continue|no_tasks)$/)
      expect(
        (await apiOk(`/tasks/${task.id}`)).comments.map((c: { body: string }) => c.body),
      ).toContain('run npm test')
    })

    it('exits 1 naming the allowed statuses when the move is illegal', async () => {
      const task = await makeTask()

      const result = await hpm(
        'tasks',
        'status',
        String(task.id),
        '--status',
        'qa_done',
        '--agent-id',
        task.created_by,
      )

      expect(result.code).toBe(1)
      expect(result.stderr).toContain(
        `cannot move task ${task.id} from created to qa_done; allowed: pending`,
      )
      expect(result.stderr).toContain('(invalid_transition, HTTP 409)')
    })
  })

  describe('hpm tasks update', () => {
    it('changes only the given fields', async () => {
      const task = await makeTask()

      const result = await hpm(
        'tasks',
        'update',
        String(task.id),
        '--agent-id',
        task.created_by,
        '--title',
        'Better title',
        '--priority',
        '7',
        '--complexity',
        'minor',
      )

      expect(result.code).toBe(0)
      expect(result.json()).toMatchObject({
        id: task.id,
        title: 'Better title',
        priority: 7,
        complexity: 'minor',
        description: 'do it',
      })
    })

    it('sets the money budget with --budget-usd and clears it with --budget-usd none', async () => {
      const task = await makeTask()

      const set = await hpm(
        'tasks',
        'update',
        String(task.id),
        '--agent-id',
        task.created_by,
        '--budget-usd',
        '2.5',
      )
      const cleared = await hpm(
        'tasks',
        'update',
        String(task.id),
        '--agent-id',
        task.created_by,
        '--budget-usd',
        'none',
      )

      expect(set.code, set.stderr).toBe(0)
      expect(set.json()).toMatchObject({ id: task.id, budget_usd: 2.5, title: task.title })
      expect(cleared.code, cleared.stderr).toBe(0)
      expect(cleared.json()).toMatchObject({ id: task.id, budget_usd: null })
    })
  })

  describe('hpm tasks comment', () => {
    it('adds the comment and notifies the mentioned agent', async () => {
      const task = await makeTask()
      const dev = await registerAgent('dev', 'backend_dev')

      const result = await hpm(
        'tasks',
        'comment',
        String(task.id),
        '--agent-id',
        task.created_by,
        '--comment',
        `@${dev} please look`,
      )

      expect(result.json()).toEqual({ message: 'Comment added successfully' })
      expect(await apiOk(`/mentions?agent_id=${dev}`)).toEqual([
        expect.objectContaining({ task_id: task.id, created_by: task.created_by }),
      ])
    })
  })

  describe('hpm tasks delete', () => {
    it('deletes the task when a pm asks', async () => {
      const task = await makeTask()

      const deleted = await hpm('tasks', 'delete', String(task.id), '--agent-id', task.created_by)

      expect(deleted.json()).toEqual({ message: `Task ${task.id} deleted successfully` })
    })
  })

  describe('hpm QA flow', () => {
    it('passes a dev_done task to qa_done and fails another back to created with the report', async () => {
      const passing = await makeTask({ target_role: 'backend_dev' })
      const failing = await makeTask({ target_role: 'backend_dev' })
      const dev1 = await registerAgent('dev', 'backend_dev')
      const dev2 = await registerAgent('dev', 'backend_dev')
      for (const [task, dev] of [
        [passing, dev1],
        [failing, dev2],
      ] as const) {
        await apiOk(`/tasks/${task.id}/lock?agent_id=${dev}`, { method: 'POST' })
        await apiOk(`/tasks/${task.id}/status?agent_id=${dev}`, {
          method: 'PUT',
          body: { status: 'dev_done' },
        })
      }
      const qa1 = await registerAgent('qa', 'qa')
      const qa2 = await registerAgent('qa', 'qa')
      const lock1 = await apiOk(`/tasks/${passing.id}/lock?agent_id=${qa1}`, { method: 'POST' })
      await apiOk(`/tasks/${failing.id}/lock?agent_id=${qa2}`, { method: 'POST' })

      const [pass, fail] = await Promise.all([
        hpm('tasks', 'status', String(passing.id), '--status', 'qa_done', '--agent-id', qa1),
        hpm(
          'tasks',
          'status',
          String(failing.id),
          '--status',
          'created',
          '--agent-id',
          qa2,
          '--notes',
          'login fails with 500',
        ),
      ])

      expect(lock1).toMatchObject({
        status: 'under_work',
        claimed_from: 'dev_done',
        locked_by: qa1,
      })
      expect(pass.json().task.status).toBe('qa_done')
      expect(fail.json().task).toMatchObject({ status: 'created', locked_by: null })
      expect(fail.json().task.notes).toContain('login fails with 500')
    })
  })

  describe('hpm runs', () => {
    it("lists the runner's attempts at a task", async () => {
      const task = await makeTask()
      const dev = await registerAgent('dev', 'backend_dev')
      await apiOk(`/tasks/${task.id}/runs`, {
        method: 'POST',
        body: {
          agent_id: dev,
          outcome: 'agent_timeout',
          model: 'sonnet',
          started_at: '2026-01-01T00:00:00Z',
          finished_at: '2026-01-01T00:10:00Z',
        },
      })

      const result = await hpm('runs', String(task.id))

      expect(result.code).toBe(0)
      expect(result.json()).toEqual([
        expect.objectContaining({
          task_id: task.id,
          agent_id: dev,
          outcome: 'agent_timeout',
          duration_ms: 600_000,
        }),
      ])
    })
  })

  describe('hpm documents', () => {
    it('creates a document from stdin, then gets, updates, lists and deletes it', async () => {
      const author = await registerAgent('dev', 'backend_dev')
      const reader = await registerAgent('qa', 'qa')

      const created = await runHpm(
        [
          'documents',
          'create',
          '--type',
          'update',
          '--title',
          'API ready',
          '--content-file',
          '-',
          '--author-id',
          author,
          '--meta-data',
          '{"task": 1}',
        ],
        { cwd: workDir, env, input: `POST /login works\n@${reader} please test\n` },
      )
      const documentId = String(created.json().id)
      const [got, listed] = await Promise.all([
        hpm('documents', 'get', documentId),
        hpm('documents', 'list', '--author-id', author, '--type', 'update'),
      ])
      const updated = await hpm(
        'documents',
        'update',
        documentId,
        '--title',
        'API ready (v2)',
        '--agent-id',
        author,
      )
      const deleted = await hpm('documents', 'delete', documentId, '--agent-id', author)

      expect(created.code).toBe(0)
      expect(created.json()).toMatchObject({
        doc_type: 'update',
        author_id: author,
        meta_data: { task: 1 },
        mentions: [reader],
      })
      expect(got.json().content).toBe(`POST /login works\n@${reader} please test\n`)
      expect(listed.json<Array<{ id: number }>>().map((d) => String(d.id))).toEqual([documentId])
      expect(updated.json()).toMatchObject({ title: 'API ready (v2)' })
      expect(deleted.json()).toEqual({ message: 'Document deleted successfully' })
    })
  })

  describe('hpm services', () => {
    it('registers, lists, heartbeats and unregisters a service', async () => {
      const owner = await registerAgent('dev', 'backend_dev')
      const name = uniqueId('api')

      const registered = await hpm(
        'services',
        'register',
        '--name',
        name,
        '--ping-url',
        'http://127.0.0.1:9/health',
        '--port',
        '8000',
        '--status',
        'starting',
        '--agent-id',
        owner,
      )
      const [listed, beat] = await Promise.all([
        hpm('services', 'list'),
        hpm('services', 'heartbeat', name, '--agent-id', owner),
      ])
      const removed = await hpm('services', 'unregister', name, '--agent-id', owner)

      expect(registered.json()).toMatchObject({
        service_name: name,
        owner_agent_id: owner,
        port: 8000,
        status: 'starting',
      })
      expect(listed.json<Array<{ service_name: string }>>().map((s) => s.service_name)).toContain(
        name,
      )
      expect(beat.json().last_heartbeat).toMatch(/Z$/)
      expect(removed.json()).toEqual({ message: `Service ${name} unregistered successfully` })
    })
  })

  describe('hpm mentions', () => {
    it('lists unread mentions, marks one read, and shows read ones with --all, by agent and by role', async () => {
      const author = await registerAgent('pm', 'pm')
      const reader = await registerAgent('front', 'frontend_dev')
      await apiOk(`/documents?author_id=${author}`, {
        method: 'POST',
        body: { doc_type: 'standup', title: 'standup', content: `@${reader} and @frontend_dev` },
      })

      const unread = await hpm('mentions', '--agent-id', reader)
      const mentionId = String(unread.json()[0].id)
      const read = await hpm('mention-read', mentionId, '--agent-id', reader)
      const [all, byRole] = await Promise.all([
        hpm('mentions', '--agent-id', reader, '--all'),
        hpm('mentions', '--role', 'frontend_dev', '--all', '--limit', '1000'),
      ])

      expect(unread.json()).toHaveLength(1)
      expect(read.json()).toMatchObject({ id: Number(mentionId), is_read: true })
      expect(all.json()).toEqual([
        expect.objectContaining({ id: Number(mentionId), is_read: true }),
      ])
      expect(
        byRole.json<Array<{ mentioned_agent_id: string }>>().map((m) => m.mentioned_agent_id),
      ).toContain(reader)
    })
  })

  describe('hpm changes', () => {
    it('returns activity since a Unix time', async () => {
      const since = new Date(Date.now() - 1000)
      const agentId = await registerAgent('dev', 'backend_dev')

      const result = await hpm(
        'changes',
        '--since',
        String(Math.floor(since.getTime() / 1000)),
        '--agent-id',
        agentId,
        '--limit',
        '1000',
      )

      expect(result.code).toBe(0)
      const body = result.json()
      expect(
        body.changes.some(
          (c: { type: string; data: { agent_id?: string } }) =>
            c.type === 'agent_registered' && c.data.agent_id === agentId,
        ),
      ).toBe(true)
      expect(body.last_timestamp).toMatch(/Z$/)
    })
  })

  describe('hpm changelog', () => {
    it('lists recent status changes newest first', async () => {
      const task = await makeTask()

      const result = await hpm('changelog', '--limit', '1000')

      expect(result.code).toBe(0)
      const rows = result.json<Array<{ task_id: number; changed_at: string }>>()
      expect(rows.map((r) => r.task_id)).toContain(task.id)
      expect(rows.map((r) => r.changed_at)).toEqual(
        rows
          .map((r) => r.changed_at)
          .sort()
          .reverse(),
      )
    })
  })

  describe('hpm init', () => {
    /** A fresh git repository with a nested folder to run from. */
    async function makeRepo(): Promise<{ repo: string; nested: string }> {
      const repo = await tempDir('hpm-init-')
      execFileSync('git', ['init', '-q', repo])
      const nested = join(repo, 'src', 'app')
      mkdirSync(nested, { recursive: true })
      return { repo, nested }
    }

    it('writes .env with the generated key, excludes state folders, copies role prompts, and hpm then works from anywhere in the repo', async () => {
      const { repo, nested } = await makeRepo()
      mkdirSync(join(repo, '.headless-pm'))
      writeFileSync(join(repo, '.headless-pm', 'api-key'), `${server.apiKey}\n`)
      writeFileSync(join(repo, '.env'), '# mine\nDATABASE_URL=sqlite:x.db\n')

      const init = await runHpm(['init', '--with-roles', '--url', `${server.url}/api/v1`], {
        cwd: nested,
        env: { HOME: repo },
      })
      const agents = await runHpm(['agents', 'list'], { cwd: nested, env: { HOME: repo } })

      expect(init.code).toBe(0)
      expect(init.json()).toMatchObject({
        project_dir: repo,
        api_url: server.url,
        api_key: 'written',
        api_key_source: 'key-file',
        exclude_added: ['.worktrees/', '.headless-pm/', '.env'],
      })
      expect(init.stdout).not.toContain(server.apiKey)
      expect(readFileSync(join(repo, '.env'), 'utf8')).toBe(
        `# mine\nDATABASE_URL=sqlite:x.db\n\n# Headless PM: where agents find the coordination server (written by \`hpm init\`)\nHEADLESS_PM_API_URL=${server.url}\nHEADLESS_PM_API_KEY=${server.apiKey}\n`,
      )
      expect(statSync(join(repo, '.env')).mode & 0o777).toBe(0o600)
      expect(readFileSync(join(repo, '.git', 'info', 'exclude'), 'utf8')).toMatch(
        /\.worktrees\/\n\.headless-pm\/\n\.env\n$/,
      )
      expect(init.json().roles_copied).toEqual([
        'architect.md',
        'backend_dev.md',
        'frontend_dev.md',
        'fullstack_dev.md',
        'pm.md',
        'qa.md',
      ])
      expect(readFileSync(join(repo, 'headless-pm', 'team_roles', 'qa.md'), 'utf8')).toContain(
        'hpm tasks claim',
      )
      expect(agents.code).toBe(0)
    })

    it('exits 1 outside a git repository', async () => {
      const dir = await tempDir('hpm-init-nogit-')

      const result = await runHpm(['init'], { cwd: dir, env: { HOME: dir } })

      expect(result.code).toBe(1)
      expect(result.stderr).toContain('is not inside a git repository')
    })
  })

  describe('hpm configuration', () => {
    it('exits 3 naming the URL and `hpm serve` when the server is down', async () => {
      const result = await runHpm(['agents', 'list'], {
        cwd: workDir,
        env: { ...env, HEADLESS_PM_API_URL: DEAD_URL },
      })

      expect(result.code).toBe(3)
      expect(result.stderr).toContain(
        `cannot reach the Headless PM server at ${DEAD_URL} (GET /api/v1/agents) after 3 attempts (connection refused)`,
      )
      expect(result.stderr).toContain('hpm serve')
      expect(result.stderr).not.toMatch(/\n\s+at /)
    })

    it('reads the URL and key from the nearest .env upward, with the v1 variable names', async () => {
      const { writeFile, mkdir } = await import('node:fs/promises')
      const project = mkdtempSync(join(tmpdir(), 'hpm-cli-env-'))
      const nested = join(project, 'a', 'b')
      await mkdir(nested, { recursive: true })
      await writeFile(
        join(project, '.env'),
        `HEADLESS_PM_URL=${server.url}\nAPI_KEY_HEADLESS_PM=${server.apiKey}\n`,
      )

      const result = await runHpm(['agents', 'list'], { cwd: nested, env: { HOME: project } })

      rmSync(project, { recursive: true, force: true })
      expect(result.code).toBe(0)
      expect(Array.isArray(result.json())).toBe(true)
    })

    it('exits 1 with a hint when no API key is configured', async () => {
      const result = await runHpm(['agents', 'list'], {
        cwd: workDir,
        env: { HOME: workDir, HEADLESS_PM_API_URL: server.url },
      })

      expect(result.code).toBe(1)
      expect(result.stderr).toContain('Invalid API key: no API key configured')
      expect(result.stderr).toContain('hpm init')
    })
  })
})
