import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { runProcess } from '../../src/lib/index.js'
import type { ProcessResult } from '../../src/lib/index.js'
import { git, GIT_TEST_ENV } from '../fixtures/temp-repo.js'
import { startTestServer } from './test-server.js'
import type { TestServer } from './test-server.js'

export const REPO_ROOT = join(import.meta.dirname, '..', '..')
export const HPM_BIN = join(REPO_ROOT, 'bin', 'hpm.js')
export const FAKE_CLAUDE = join(REPO_ROOT, 'test', 'fixtures', 'fake-claude', 'claude')

// The sample task's scripts are the demo's own: one copy of "create hello.txt, commit, report".
export { HELLO_DEV_SCENARIO, HELLO_QA_SCENARIO, reportStatusStep } from '../../src/demo/index.js'

export interface RunnerWorld {
  server: TestServer
  repo: string
  root: string
  featureId: number
  /** Creates a task as the pm (so it starts `created`). */
  createTask: (fields: {
    title: string
    description?: string
    target_role?: string
    difficulty?: string
    complexity?: string
    branch?: string
    budget_usd?: number
  }) => Promise<{ id: number }>
  getTask: (id: number) => Promise<any>
  /** The run records of a task, oldest first. */
  runsOf: (taskId: number) => Promise<Array<Record<string, unknown>>>
  /** Where the runner of `agentId` keeps its lock file (the default state dir). */
  lockFile: (agentId: string) => string
  register: (agentId: string, role: string, level?: string) => Promise<void>
  runRunner: (options: RunRunnerOptions) => Promise<ProcessResult>
  close: () => Promise<void>
}

export interface RunRunnerOptions {
  agentId: string
  role: string
  level?: string
  /** The fake Claude's script (object → JSON). */
  scenario?: unknown
  singleTask?: boolean
  env?: Record<string, string>
  args?: string[]
  timeoutMs?: number
  /** Aborting sends SIGTERM to the runner (as an operator's kill would). */
  signal?: AbortSignal
}

/** A real server, a real git repo with one commit on `main`, a pm, an epic and a feature. */
export async function startRunnerWorld(
  serverEnv: Record<string, string> = {},
): Promise<RunnerWorld> {
  const server = await startTestServer({ env: serverEnv })
  const root = await mkdtemp(join(tmpdir(), 'hpm-runner-'))
  const repo = join(root, 'repo')
  await runProcess('git', ['init', '-q', '-b', 'main', repo], {
    timeoutMs: 30_000,
    env: { PATH: process.env.PATH ?? '', ...GIT_TEST_ENV },
  })
  await writeFile(join(repo, 'README.md'), '# sample project\n')
  await git(repo, 'add', '-A')
  await git(repo, 'commit', '-q', '-m', 'initial commit')

  const api = server.api
  // The pm acts with its own token, so the world works under HPM_REQUIRE_AGENT_TOKENS too.
  const pm = await api('/api/v1/register', {
    method: 'POST',
    body: { agent_id: 'pm_1', role: 'pm', level: 'principal' },
  })
  const asPm = { key: pm.body.token as string }
  const epic = await api('/api/v1/epics?agent_id=pm_1', {
    method: 'POST',
    body: { name: 'Runner epic', description: '' },
    ...asPm,
  })
  const feature = await api('/api/v1/features?agent_id=pm_1', {
    method: 'POST',
    body: { epic_id: epic.body.id, name: 'Runner feature', description: '' },
    ...asPm,
  })

  const world: RunnerWorld = {
    server,
    repo,
    root,
    featureId: feature.body.id,
    createTask: async (fields) => {
      const res = await api('/api/v1/tasks/create?agent_id=pm_1', {
        method: 'POST',
        body: {
          feature_id: feature.body.id,
          description: '',
          target_role: 'backend_dev',
          difficulty: 'junior',
          complexity: 'minor',
          branch: '',
          ...fields,
        },
        ...asPm,
      })
      if (res.status !== 200) throw new Error(`task create failed: ${JSON.stringify(res.body)}`)
      return res.body
    },
    getTask: async (id) => (await api(`/api/v1/tasks/${id}`)).body,
    runsOf: async (taskId) => (await api(`/api/v1/tasks/${taskId}/runs`)).body,
    lockFile: (agentId) => join(repo, '.headless-pm', 'runner', `lock-${agentId}.json`),
    register: async (agentId, role, level = 'senior') => {
      await api('/api/v1/register', { method: 'POST', body: { agent_id: agentId, role, level } })
    },
    runRunner: (options) => {
      const args = [
        HPM_BIN,
        'run',
        '--role',
        options.role,
        '--agent-id',
        options.agentId,
        '--level',
        options.level ?? 'senior',
        '--repo',
        repo,
      ]
      if (options.singleTask ?? true) args.push('--single-task')
      args.push(...(options.args ?? []))
      return runProcess(process.execPath, args, {
        cwd: repo,
        timeoutMs: options.timeoutMs ?? 90_000,
        signal: options.signal,
        killGraceMs: 20_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: root,
          ...GIT_TEST_ENV,
          HEADLESS_PM_API_URL: server.url,
          HEADLESS_PM_API_KEY: server.apiKey,
          HEADLESS_PM_CLAUDE_BIN: FAKE_CLAUDE,
          HEADLESS_PM_ON_STUCK: 'release',
          HEADLESS_PM_CLAIM_WAIT: '5',
          HEADLESS_PM_MIN_FREE_MB: '1',
          CLAUDE_FAKE_STATE_DIR: join(root, 'fake-state'),
          ...(options.scenario === undefined
            ? {}
            : { CLAUDE_FAKE_SCENARIO: JSON.stringify(options.scenario) }),
          ...options.env,
        },
      })
    },
    close: async () => {
      await server.close()
      await rm(root, { recursive: true, force: true })
    },
  }
  return world
}

/** Polls `probe` every 100 ms until it returns a value; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
