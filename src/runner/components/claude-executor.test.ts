import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { isRunning, waitFor } from '../../../test/fixtures/process-probe.js'
import {
  git,
  makeTempDir,
  makeTempRepo,
  type OnFinished,
} from '../../../test/fixtures/temp-repo.js'
import { ClaudeExecutor, type ClaudeExecutorOptions } from './claude-executor.js'
import type { ClaudeEvent } from './claude-stream.js'

const FAKE_CLAUDE = resolve('test/fixtures/fake-claude/claude')
const PROMPT = 'You are a backend developer.\nTask ID: 12\nAgent ID: dev_001\nCreate hello.txt.\n'
const isRoot = process.getuid?.() === 0

async function setup(
  scenario: object,
  overrides: Partial<ClaudeExecutorOptions> = {},
  onFinished?: OnFinished,
) {
  const repo = await makeTempRepo(undefined, onFinished)
  const dir = await makeTempDir('hpm-claude-', onFinished)
  const stateDir = join(dir, 'state')
  const recordFile = join(dir, 'record.jsonl')
  const executor = new ClaudeExecutor({
    claudeBin: FAKE_CLAUDE,
    timeoutMs: 30_000,
    stallTimeoutMs: 20_000,
    logDir: join(dir, 'logs'),
    killGraceMs: 500,
    ...overrides,
    env: {
      CLAUDE_FAKE_SCENARIO: JSON.stringify(scenario),
      CLAUDE_FAKE_STATE_DIR: stateDir,
      CLAUDE_FAKE_RECORD: recordFile,
      GIT_AUTHOR_NAME: 'Agent',
      GIT_AUTHOR_EMAIL: 'agent@example.test',
      GIT_COMMITTER_NAME: 'Agent',
      GIT_COMMITTER_EMAIL: 'agent@example.test',
      ...overrides.env,
    },
  })
  const events: ClaudeEvent[] = []
  const run = (
    extra: {
      resumeSessionId?: string
      newSessionId?: string
      maxBudgetUsd?: number
      attempt?: number
      signal?: AbortSignal
      onEvent?: (event: ClaudeEvent) => void
    } = {},
  ) =>
    executor.run({
      prompt: PROMPT,
      model: 'sonnet',
      cwd: repo,
      taskId: 12,
      attempt: extra.attempt ?? 1,
      resumeSessionId: extra.resumeSessionId,
      newSessionId: extra.newSessionId,
      maxBudgetUsd: extra.maxBudgetUsd,
      signal: extra.signal,
      onEvent: (event) => {
        events.push(event)
        extra.onEvent?.(event)
      },
    })
  const records = async () =>
    (await readFile(recordFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  const grandchildPids = async () =>
    (await readFile(join(stateDir, 'grandchild.pid'), 'utf8')).trim().split('\n').map(Number)
  return { repo, dir, executor, events, run, records, grandchildPids }
}

const workScenario = {
  steps: [
    { text: 'I will create the file.' },
    { write: { path: 'hello.txt', content: 'Hello World' } },
    { run: ['git', 'add', '-A'] },
    { run: ['git', 'commit', '-q', '-m', 'task {task_id} by {agent_id}'] },
  ],
  result: 'Created hello.txt',
  costUsd: 0.42,
}

describe('ClaudeExecutor.run', () => {
  it('succeeds and reports session, model, cost, tokens and turns from the stream', async () => {
    const { repo, run, events } = await setup(workScenario)

    const result = await run()

    const init = events.find((event) => event.type === 'init')
    expect(result).toMatchObject({
      outcome: 'succeeded',
      isError: false,
      errorMessage: null,
      exitCode: 0,
      model: 'claude-sonnet-5',
      costUsd: 0.42,
      numTurns: 4,
      lastResultText: 'Created hello.txt',
    })
    expect(result.sessionId).toBe(init?.type === 'init' ? init.sessionId : 'missing')
    expect(result.usage).toEqual({ input: 480, output: 160, cacheRead: 3600, cacheCreation: 2048 })
    expect(events.filter((event) => event.type === 'tool')).toEqual([
      { type: 'tool', name: 'Write', summary: 'hello.txt' },
      { type: 'tool', name: 'Bash', summary: 'git add -A' },
      { type: 'tool', name: 'Bash', summary: "git commit -q -m 'task 12 by dev_001'" },
    ])
    expect(await git(repo, 'log', '-1', '--format=%s')).toBe('task 12 by dev_001')
  })

  it('tees the raw stream to the attempt log file', async () => {
    const { run } = await setup(workScenario)

    const result = await run({ attempt: 3 })

    expect(result.logPath).toMatch(/task-12-attempt-3\.jsonl$/)
    const lines = (await readFile(result.logPath, 'utf8')).trim().split('\n')
    expect(lines.map((line) => (JSON.parse(line) as { type: string }).type)).toEqual([
      'system',
      'assistant',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'result',
    ])
  })

  it('passes IS_SANDBOX=1 when root and keeps server secrets out of the environment', async () => {
    vi.stubEnv('DATABASE_URL', 'postgres://secret')
    onTestFinished(() => {
      vi.unstubAllEnvs()
    })
    const { run, records } = await setup(workScenario, {
      env: { HEADLESS_PM_API_URL: 'http://127.0.0.1:1' },
    })

    await run()

    const [record] = await records()
    expect(record?.env).toEqual({ IS_SANDBOX: isRoot ? '1' : null })
    expect(record?.envKeys).toContain('HEADLESS_PM_API_URL')
    expect(record?.envKeys).not.toContain('DATABASE_URL')
    expect(record?.prompt).toBe(PROMPT)
  })

  describe('environment', () => {
    // The runner's environment as a Bedrock user with a corporate CA and a Java project has it, plus
    // the server secrets and repository pointers that must not reach the agent.
    const runnerEnv = {
      AWS_REGION: 'eu-west-1',
      NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem',
      JAVA_HOME: '/opt/jdk',
      DATABASE_URL: 'postgres://secret',
      HPM_TEST_PG_URL: 'postgres://test',
      PGPASSWORD: 'pw',
      GIT_DIR: '/elsewhere/.git',
      HEADLESS_PM_API_KEY: 'runner-key',
    }
    const keyScenario = {
      steps: [{ run: ['sh', '-c', 'printenv HEADLESS_PM_API_KEY > key.txt || true'] }],
      result: 'done',
    }
    const stubRunnerEnv = (): void => {
      for (const [name, value] of Object.entries(runnerEnv)) vi.stubEnv(name, value)
      onTestFinished(() => {
        vi.unstubAllEnvs()
      })
    }

    it("passes the runner's environment but not server secrets or repository pointers", async () => {
      const { run, records, repo } = await setup(keyScenario)
      stubRunnerEnv()

      const result = await run()

      expect(result.outcome).toBe('succeeded')
      const [record] = await records()
      const passed = ['AWS_REGION', 'NODE_EXTRA_CA_CERTS', 'JAVA_HOME', 'CLAUDE_FAKE_SCENARIO']
      const kept = [
        'DATABASE_URL',
        'HPM_TEST_PG_URL',
        'PGPASSWORD',
        'GIT_DIR',
        'HEADLESS_PM_API_KEY',
      ]
      expect(record?.envKeys).toEqual(expect.arrayContaining(passed))
      for (const name of kept) expect(record?.envKeys).not.toContain(name)
      expect(await readFile(join(repo, 'key.txt'), 'utf8')).toBe('')
    })

    it("gives the agent the API key passed in its env, not the runner's", async () => {
      const { run, repo } = await setup(keyScenario, { env: { HEADLESS_PM_API_KEY: 'agent-key' } })
      stubRunnerEnv()

      await run()

      expect(await readFile(join(repo, 'key.txt'), 'utf8')).toBe('agent-key\n')
    })

    it('keeps out what envDeny names and lets through what envPass names, never GIT_DIR', async () => {
      const { run, records } = await setup(workScenario, {
        envDeny: ['AWS_*', 'JAVA_HOME'],
        envPass: ['PG*', 'GIT_DIR'],
      })
      stubRunnerEnv()

      const result = await run()

      expect(result.outcome).toBe('succeeded')
      const [record] = await records()
      expect(record?.envKeys).toEqual(expect.arrayContaining(['NODE_EXTRA_CA_CERTS', 'PGPASSWORD']))
      for (const name of ['AWS_REGION', 'JAVA_HOME', 'GIT_DIR', 'DATABASE_URL'])
        expect(record?.envKeys).not.toContain(name)
    })
  })

  it('starts the session under the id chosen up front, and keeps it when resuming', async () => {
    const { run } = await setup(workScenario)
    const sessionId = '0b9c4f0e-5a55-4d1c-9a44-5a6e8fb0c111'

    const first = await run({ newSessionId: sessionId, attempt: 1 })
    const resumed = await run({ resumeSessionId: sessionId, attempt: 2 })

    expect(first).toMatchObject({ outcome: 'succeeded', sessionId })
    expect(resumed).toMatchObject({ outcome: 'succeeded', sessionId })
  })

  it('passes --max-budget-usd and reports a run stopped by it as failed with that reason', async () => {
    const { run } = await setup({ ...workScenario, costUsd: 0.5 })

    const result = await run({ maxBudgetUsd: 0.25 })

    expect(result.outcome).toBe('failed')
    expect(result.errorMessage).toMatch(/spending limit \(--max-budget-usd\).*0\.25/)
  })

  it('reports the real CLI errors for a resumed session it does not have and a session id in use', async () => {
    const { run } = await setup(workScenario)
    const sessionId = '1b9c4f0e-5a55-4d1c-9a44-5a6e8fb0c222'

    const unknown = await run({ resumeSessionId: sessionId, attempt: 1 })
    await run({ newSessionId: sessionId, attempt: 2 })
    const inUse = await run({ newSessionId: sessionId, attempt: 3 })

    expect(unknown.errorMessage).toMatch(/No conversation found with session ID/)
    expect(inUse.errorMessage).toMatch(/already in use/)
  })

  it('reports agent_exit with the session id when claude crashes after init', async () => {
    const { run } = await setup({ mode: 'crash' })

    const result = await run()

    expect(result.outcome).toBe('agent_exit')
    expect(result.exitCode).toBe(2)
    expect(result.sessionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(result.errorMessage).toMatch(/exited with code 2 without a result/)
    expect(await readFile(result.stderrPath, 'utf8')).toMatch(/simulated crash/)
  })

  it('reports agent_exit when claude exits 0 without a result', async () => {
    const { run } = await setup({ mode: 'exit_nonzero', exitCode: 0, stderr: '' })

    const result = await run()

    expect(result).toMatchObject({ outcome: 'agent_exit', exitCode: 0, isError: true })
  })

  it('retries nothing itself: the second attempt of an attempts scenario succeeds', async () => {
    const { run } = await setup({ attempts: [{ mode: 'crash' }, workScenario] })

    const first = await run({ attempt: 1 })
    const second = await run({ attempt: 2, resumeSessionId: first.sessionId ?? undefined })

    expect(first.outcome).toBe('agent_exit')
    expect(second).toMatchObject({ outcome: 'succeeded', sessionId: first.sessionId })
  })

  // The three slow cases wait on real timers; they run concurrently to keep the suite short.
  describe.concurrent('timeouts', () => {
    it('kills the whole process group and reports agent_timeout', async ({
      expect,
      onTestFinished,
    }) => {
      const { run, grandchildPids } = await setup(
        { mode: 'hang', ignoreSigterm: true },
        { timeoutMs: 2500 },
        (cleanup) => onTestFinished(cleanup),
      )

      const result = await run()

      expect(result.outcome).toBe('agent_timeout')
      const [pid] = await grandchildPids()
      expect(await waitFor(() => !isRunning(pid as number), 5000)).toBe(true)
    })

    it('kills a silent claude with its children and reports agent_stalled', async ({
      expect,
      onTestFinished,
    }) => {
      const { run, grandchildPids, events } = await setup(
        { mode: 'stall' },
        { stallTimeoutMs: 1500 },
        (cleanup) => onTestFinished(cleanup),
      )

      const result = await run()

      expect(result.outcome).toBe('agent_stalled')
      expect(result.errorMessage).toMatch(/printed nothing/)
      expect(events.map((event) => event.type)).toEqual(['init', 'text'])
      const [pid] = await grandchildPids()
      expect(await waitFor(() => !isRunning(pid as number), 5000)).toBe(true)
    })

    it('lets api_retry events hold off the stall timer until the wall-clock timeout', async ({
      expect,
      onTestFinished,
    }) => {
      const { run, events } = await setup(
        { mode: 'api_retry' },
        { timeoutMs: 2500, stallTimeoutMs: 1000 },
        (cleanup) => onTestFinished(cleanup),
      )

      const result = await run()

      expect(result.outcome).toBe('agent_timeout')
      expect(result.errorMessage).toMatch(/unreachable API/)
      expect(events.filter((event) => event.type === 'api_retry').length).toBeGreaterThanOrEqual(2)
    })
  })

  it('reports not_logged_in for the not-logged-in result even though its subtype is success', async () => {
    const { run } = await setup({ mode: 'not_logged_in' })

    const result = await run()

    expect(result).toMatchObject({
      outcome: 'not_logged_in',
      exitCode: 1,
      isError: true,
      costUsd: 0,
    })
    expect(result.errorMessage).toMatch(/Not logged in/)
  })

  it('reports failed for another is_error result', async () => {
    const { run } = await setup({ mode: 'is_error', result: 'Credit balance is too low' })

    const result = await run()

    expect(result.outcome).toBe('failed')
    expect(result.errorMessage).toMatch(/Credit balance is too low/)
  })

  it('skips lines that are not JSON and reports them as invalid_line events', async () => {
    const { run, events } = await setup({
      steps: [{ raw: 'Warning: something odd' }, { text: 'ok' }],
    })

    const result = await run()

    expect(result.outcome).toBe('succeeded')
    expect(events).toContainEqual({ type: 'invalid_line', line: 'Warning: something odd' })
  })

  it('runs claude under GNU timeout when given the guard, with the same result', async () => {
    const { run } = await setup(workScenario, { guardBin: 'timeout' })

    const result = await run()

    expect(result.outcome).toBe('succeeded')
  })

  it('stops what claude left running in its process group when claude exits early, under the guard', async () => {
    // A claude that dies before its time (a killed runner's pipe breaking under it) must not orphan
    // the commands it started: GNU timeout alone signals the group only when its time runs out.
    const leaves = {
      steps: [{ run: ['sh', '-c', 'sleep 1000 >/dev/null 2>&1 & echo "left $!"'] }],
      result: 'left a sleeper',
    }
    const { run } = await setup(leaves, { guardBin: 'timeout' })

    const result = await run()
    const log = await readFile(result.logPath, 'utf8')
    const pid = Number(/left (\d+)/.exec(log)?.[1])

    expect(result.outcome).toBe('succeeded')
    expect(pid).toBeGreaterThan(0)
    expect(await waitFor(() => !isRunning(pid), 30_000)).toBe(true)
  })

  it('reports agent_not_found when the binary does not exist under the guard either', async () => {
    const { run } = await setup(workScenario, {
      claudeBin: '/nonexistent/claude',
      guardBin: 'timeout',
    })

    const result = await run()

    expect(result.outcome).toBe('agent_not_found')
    expect(result.errorMessage).toMatch(/HEADLESS_PM_CLAUDE_BIN/)
  })

  it('reports agent_not_found when the binary does not exist', async () => {
    const { run } = await setup(workScenario, { claudeBin: '/nonexistent/claude' })

    const result = await run()

    expect(result.outcome).toBe('agent_not_found')
    expect(result.errorMessage).toMatch(/HEADLESS_PM_CLAUDE_BIN/)
  })

  it.runIf(isRoot)(
    'reports not_sandboxed when root claude refuses to skip permissions',
    async () => {
      const { run } = await setup(workScenario, { env: { IS_SANDBOX: '0' } })

      const result = await run()

      expect(result.outcome).toBe('not_sandboxed')
      expect(result.errorMessage).toMatch(/IS_SANDBOX=1/)
    },
  )

  it('reports interrupted when abort() is called', async () => {
    const { executor, run } = await setup({ mode: 'hang' })

    const result = await run({ onEvent: (event) => event.type === 'init' && executor.abort() })

    expect(result.outcome).toBe('interrupted')
  })

  it('reports interrupted when the abort signal fires', async () => {
    const { run } = await setup({ mode: 'hang' })
    const controller = new AbortController()

    const result = await run({
      signal: controller.signal,
      onEvent: (event) => event.type === 'init' && controller.abort(),
    })

    expect(result.outcome).toBe('interrupted')
  })
})
