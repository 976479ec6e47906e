import { existsSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { git } from '../../fixtures/temp-repo.js'
import {
  HELLO_DEV_SCENARIO,
  HELLO_QA_SCENARIO,
  startRunnerWorld,
  waitFor,
  reportStatusStep,
} from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

// The runner against agents that misbehave without crashing: stopped mid-run, writing after they
// reported, reporting twice, sharing a branch, asking for a branch git refuses (issue 8).

let world: RunnerWorld

beforeEach(async () => {
  world = await startRunnerWorld()
})
afterEach(async () => {
  await world.close()
})

const recorded = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { argv: string[]; sessionId: string })

const report = (status: string) => reportStatusStep(status, 'done')

describe('hpm run stopped while Claude works (R-SIGNAL)', () => {
  it('never judges the interrupted run as finished, and resumes the same session on the next start', async () => {
    const task = await world.createTask({ title: 'Slow work' })
    const record = join(world.root, 'claude-record.jsonl')
    const slow = {
      steps: [
        { write: { path: 'part1.txt', content: 'one\n' } },
        { sleep: 20_000 },
        { write: { path: 'part2.txt', content: 'two\n' } },
        { run: ['git', 'add', '-A'] },
        { run: ['git', 'commit', '-q', '-m', 'both parts'] },
        report('dev_done'),
      ],
    }
    const finish = {
      steps: [
        { write: { path: 'part2.txt', content: 'two\n' } },
        { run: ['git', 'add', '-A'] },
        { run: ['git', 'commit', '-q', '-m', 'both parts'] },
        report('dev_done'),
      ],
    }
    const scenario = { attempts: [slow, finish] }
    const stop = new AbortController()
    const running = world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario,
      signal: stop.signal,
      env: { CLAUDE_FAKE_RECORD: record },
    })
    await waitFor(
      () =>
        existsSync(join(world.repo, '.worktrees', `task-${task.id}`, 'part1.txt'))
          ? true
          : undefined,
      'the first half of the work',
    )

    stop.abort()
    const stopped = await running
    const lock = JSON.parse(readFileSync(world.lockFile('dev_001'), 'utf8'))
    const afterStop = await world.getTask(task.id)
    const resumed = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario,
      env: { CLAUDE_FAKE_RECORD: record },
    })

    expect(stopped.exitCode).toBe(143)
    expect(lock).toMatchObject({ phase: 'running', session_started: true })
    expect(afterStop).toMatchObject({ status: 'under_work', locked_by: 'dev_001' })
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0)
    const calls = recorded(record)
    expect(calls).toHaveLength(2)
    expect(calls[0]!.argv).toContain('--session-id')
    expect(calls[1]!.argv).toEqual(expect.arrayContaining(['--resume', calls[0]!.sessionId]))
    expect(await world.getTask(task.id)).toMatchObject({ status: 'dev_done' })
    expect(await git(world.repo, 'show', `feature/task-${task.id}:part2.txt`)).toBe('two')
    expect((await world.runsOf(task.id)).map((r) => [r.outcome, r.verdict])).toEqual([
      ['interrupted', 'interrupted'],
      ['succeeded', 'succeeded'],
    ])
  })
})

describe('hpm run killed as Claude starts', () => {
  it('resumes the session Claude had already started, though the lock file never heard of it', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const scenario = { attempts: [{ mode: 'hang' }, HELLO_DEV_SCENARIO] }

    // SIGKILLed at Claude's init event, before the runner could note that the session exists.
    const killed = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario,
      env: { HPM_RUNNER_FAULT: 'during_claude' },
    })
    const restarted = await world.runRunner({ agentId: 'dev_001', role: 'backend_dev', scenario })

    expect(killed.signal).toBe('SIGKILL')
    expect(restarted.exitCode, restarted.stdout + restarted.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'dev_done', failures: 0 })
    const runs = await world.runsOf(task.id)
    expect(runs.map((r) => [r.outcome, r.verdict])).toEqual([
      ['killed', 'interrupted'],
      ['agent_exit', 'interrupted'],
      ['succeeded', 'succeeded'],
    ])
    expect(new Set(runs.map((r) => r.session_id)).size).toBe(1)
  })
})

describe('hpm run when the agent misbehaves after reporting', () => {
  it('keeps changes written after dev_done off the task branch, and QA merges exactly the reviewed commit (R-EXACT)', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const writesAfterReport = {
      ...HELLO_DEV_SCENARIO,
      steps: [
        ...HELLO_DEV_SCENARIO.steps,
        { write: { path: 'late.txt', content: 'written after the report\n' } },
      ],
    }

    const dev = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: writesAfterReport,
    })
    const reported = await world.getTask(task.id)
    const branch = `feature/task-${task.id}`
    const reviewedTip = await git(world.repo, 'rev-parse', branch)
    // The agent (or anyone) adds a commit after QA has started: it must not be merged unreviewed.
    await world.register('qa_001', 'qa')
    const qa = world.runRunner({
      agentId: 'qa_001',
      role: 'qa',
      scenario: { steps: [{ sleep: 1500 }, ...HELLO_QA_SCENARIO.steps] },
    })
    await waitFor(
      async () => ((await world.getTask(task.id)).work_commit ? true : undefined),
      'QA to record the commit it reviews',
    )
    const side = join(world.root, 'side')
    await git(world.repo, 'worktree', 'add', '-q', side, branch)
    await writeFile(join(side, 'unreviewed.txt'), 'never reviewed\n')
    await git(side, 'add', '-A')
    await git(side, 'commit', '-q', '-m', 'unreviewed')
    await git(world.repo, 'worktree', 'remove', '--force', side)
    const qaRun = await qa

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    expect(reported).toMatchObject({ status: 'dev_done', locked_by: null })
    expect(await git(world.repo, 'ls-tree', '--name-only', reviewedTip)).not.toContain('late.txt')
    const leftovers = await git(
      world.repo,
      'for-each-ref',
      '--format=%(refname)',
      'refs/headless-pm/leftovers/',
    )
    expect(leftovers).toContain(`task-${task.id}`)
    expect(await git(world.repo, 'show', `${leftovers.split('\n')[0]}:late.txt`)).toBe(
      'written after the report',
    )
    expect(reported.comments.map((c: { body: string }) => c.body).join('\n')).toMatch(
      /uncommitted changes after it reported dev_done/,
    )
    expect(qaRun.exitCode, qaRun.stdout + qaRun.stderr).toBe(0)
    const done = await world.getTask(task.id)
    expect(done).toMatchObject({ status: 'committed', work_commit: reviewedTip })
    expect(await git(world.repo, 'show', 'main:hello.txt')).toBe('Hello World')
    const mainFiles = await git(world.repo, 'ls-tree', '--name-only', 'main')
    expect(mainFiles).not.toContain('unreviewed.txt')
    expect(mainFiles).not.toContain('late.txt')
  })

  it('takes a report given twice as one dev_done, and records the run as succeeded', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const twice = {
      ...HELLO_DEV_SCENARIO,
      steps: [...HELLO_DEV_SCENARIO.steps, report('dev_done')],
    }

    const run = await world.runRunner({ agentId: 'dev_001', role: 'backend_dev', scenario: twice })

    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'dev_done' })
    const changes = (await world.server.api('/api/v1/changelog?limit=100')).body as Array<{
      task_id: number
      new_status: string
    }>
    expect(
      changes.filter((c) => c.task_id === task.id && c.new_status === 'dev_done'),
    ).toHaveLength(1)
    expect((await world.runsOf(task.id)).map((r) => r.verdict)).toEqual(['succeeded'])
  })

  it('records a run that exits 0 having done nothing as Claude succeeded, runner verdict failed, with the reason (R-VERIFY)', async () => {
    const task = await world.createTask({ title: 'Does nothing' })

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: {
        steps: [{ text: 'All done, nothing needed changing.' }],
        result: 'nothing to do',
      },
      env: { HEADLESS_PM_MAX_ATTEMPTS: '1', HEADLESS_PM_ON_STUCK: 'release' },
    })

    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain("Claude's last message")
    const runs = await world.runsOf(task.id)
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ outcome: 'succeeded', exit_code: 0, verdict: 'failed' })
    expect(runs[0]!.verdict_reason).toMatch(/no commits and no changes/)
    const after = await world.getTask(task.id)
    expect(after).toMatchObject({ status: 'created', locked_by: null, failures: 1 })
    expect(after.comments.map((c: { body: string }) => c.body).join('\n')).toMatch(
      /Released by dev_001: .*no commits and no changes/,
    )
  })
})

describe('an agent that breaks its worktree', () => {
  it("never commits to the main checkout when the agent deletes its worktree's .git, and keeps the person's edits", async () => {
    const task = await world.createTask({ title: 'Breaks git' })
    await writeFile(join(world.repo, 'README.md'), 'the person is editing this\n')
    const mainHead = await git(world.repo, 'rev-parse', 'HEAD')

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: {
        steps: [{ delete: '.git' }, { write: { path: 'hello.txt', content: 'hi' } }],
        result: 'done',
      },
      env: { HEADLESS_PM_MAX_ATTEMPTS: '1', HEADLESS_PM_ON_STUCK: 'release' },
    })

    expect(run.exitCode, run.stdout + run.stderr).not.toBe(0)
    expect(await git(world.repo, 'rev-parse', 'HEAD')).toBe(mainHead)
    expect(await git(world.repo, 'status', '--porcelain', '--', 'README.md')).toBe('M README.md')
    expect(await git(world.repo, 'log', '--all', '--format=%s')).not.toMatch(
      /Breaks git|uncommitted/,
    )
    expect((await world.getTask(task.id)).status).not.toBe('dev_done')
  })
})

describe('hpm run and branches', () => {
  it('gives a task its own branch when another live task has the requested one checked out', async () => {
    const first = await world.createTask({ title: 'First on shared', branch: 'feature/shared' })
    const second = await world.createTask({ title: 'Second on shared', branch: 'feature/shared' })
    await world.register('dev_002', 'backend_dev')
    const slowFirst = {
      steps: [
        { write: { path: 'first.txt', content: '1\n' } },
        { sleep: 4000 },
        { run: ['git', 'add', '-A'] },
        { run: ['git', 'commit', '-q', '-m', 'first'] },
        report('dev_done'),
      ],
    }
    const quickSecond = {
      steps: [
        { write: { path: 'second.txt', content: '2\n' } },
        { run: ['git', 'add', '-A'] },
        { run: ['git', 'commit', '-q', '-m', 'second'] },
        report('dev_done'),
      ],
    }
    const a = world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: slowFirst,
      env: { CLAUDE_FAKE_STATE_DIR: join(world.root, 'fake-a') },
    })
    await waitFor(
      () =>
        existsSync(join(world.repo, '.worktrees', `task-${first.id}`, 'first.txt'))
          ? true
          : undefined,
      'the first task to start',
    )

    const b = await world.runRunner({
      agentId: 'dev_002',
      role: 'backend_dev',
      scenario: quickSecond,
      env: { CLAUDE_FAKE_STATE_DIR: join(world.root, 'fake-b') },
    })
    const aRun = await a

    expect(b.exitCode, b.stdout + b.stderr).toBe(0)
    expect(aRun.exitCode, aRun.stdout + aRun.stderr).toBe(0)
    expect(await world.getTask(first.id)).toMatchObject({
      status: 'dev_done',
      work_branch: 'feature/shared',
    })
    expect(await world.getTask(second.id)).toMatchObject({
      status: 'dev_done',
      work_branch: `feature/task-${second.id}`,
    })
    const shared = await git(world.repo, 'ls-tree', '--name-only', 'feature/shared')
    expect(shared).toContain('first.txt')
    expect(shared).not.toContain('second.txt')
    expect(
      await git(world.repo, 'ls-tree', '--name-only', `feature/task-${second.id}`),
    ).not.toContain('first.txt')
  })

  it.each(['-x', 'ends.', 'a/.hidden', 'HEAD'])(
    'works on feature/task-<id> when the task asks for branch %j, which git refuses',
    async (branch) => {
      const task = await world.createTask({ title: 'Create hello.txt', branch })

      const run = await world.runRunner({
        agentId: 'dev_001',
        role: 'backend_dev',
        scenario: HELLO_DEV_SCENARIO,
      })

      expect(run.exitCode, run.stdout + run.stderr).toBe(0)
      expect(await world.getTask(task.id)).toMatchObject({
        status: 'dev_done',
        work_branch: `feature/task-${task.id}`,
      })
    },
  )
})

describe('hpm run racing the next stage', () => {
  it('takes the dev agent at its word when QA claims the task before its Claude has exited', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    await world.register('qa_001', 'qa')
    const lingering = {
      ...HELLO_DEV_SCENARIO,
      steps: [...HELLO_DEV_SCENARIO.steps, { sleep: 3000 }, { text: 'All done.' }],
    }
    const qa = world.runRunner({
      agentId: 'qa_001',
      role: 'qa',
      scenario: HELLO_QA_SCENARIO,
      env: { CLAUDE_FAKE_STATE_DIR: join(world.root, 'fake-qa') },
    })

    const dev = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: lingering,
      env: { HEADLESS_PM_HEARTBEAT_INTERVAL: '1' },
    })
    const qaRun = await qa

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    expect(dev.stdout).not.toContain('dropping task')
    expect(qaRun.exitCode, qaRun.stdout + qaRun.stderr).toBe(0)
    const runs = await world.runsOf(task.id)
    expect(runs.filter((r) => r.agent_id === 'dev_001').map((r) => r.verdict)).toEqual([
      'succeeded',
    ])
    expect(await world.getTask(task.id)).toMatchObject({ status: 'committed' })
  })

  it("does not build a task on another task's uncommitted work on a shared branch", async () => {
    const first = await world.createTask({ title: 'First on shared', branch: 'feature/shared' })
    const firstWork = {
      steps: [
        { write: { path: 'first.txt', content: '1\n' } },
        { run: ['git', 'add', '-A'] },
        { run: ['git', 'commit', '-q', '-m', 'first'] },
        report('dev_done'),
      ],
    }
    expect(
      (await world.runRunner({ agentId: 'dev_001', role: 'backend_dev', scenario: firstWork }))
        .exitCode,
    ).toBe(0)
    const second = await world.createTask({ title: 'Second on shared', branch: 'feature/shared' })

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { steps: [{ write: { path: 'second.txt', content: '2\n' } }] },
    })

    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    expect(await world.getTask(first.id)).toMatchObject({
      status: 'dev_done',
      work_branch: 'feature/shared',
    })
    expect(await world.getTask(second.id)).toMatchObject({
      status: 'dev_done',
      work_branch: `feature/task-${second.id}`,
    })
    expect(
      await git(world.repo, 'ls-tree', '--name-only', `feature/task-${second.id}`),
    ).not.toContain('first.txt')
  })
})

describe('hpm run between attempts', () => {
  it('tells the next attempt why the previous one failed', async () => {
    await world.createTask({ title: 'Create hello.txt' })
    const record = join(world.root, 'claude-record.jsonl')

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { attempts: [{ steps: [{ text: 'Looks fine already.' }] }, HELLO_DEV_SCENARIO] },
      env: { CLAUDE_FAKE_RECORD: record },
    })

    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    const prompts = readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { prompt: string }).prompt)
    expect(prompts).toHaveLength(2)
    expect(prompts[1]).toMatch(
      /The previous attempt ended with: the agent left no commits and no changes/,
    )
  })

  it('finishes a task reported between two attempts instead of running Claude again', async () => {
    const task = await world.createTask({ title: 'Reported by a pm meanwhile' })
    const record = join(world.root, 'claude-record.jsonl')
    const running = world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { mode: 'crash' },
      env: {
        CLAUDE_FAKE_RECORD: record,
        HEADLESS_PM_MAX_ATTEMPTS: '1',
        HEADLESS_PM_ON_STUCK: 'retry',
      },
    })
    // The policy's retry waits 2 s: the report lands in that pause.
    await waitFor(
      async () => ((await world.runsOf(task.id)).length === 1 ? true : undefined),
      'the first attempt to fail',
      20_000,
    )
    await world.server.api(`/api/v1/tasks/${task.id}/status?agent_id=pm_1`, {
      method: 'PUT',
      body: { status: 'dev_done', notes: 'done by hand' },
    })

    const run = await running

    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    expect(readFileSync(record, 'utf8').trim().split('\n')).toHaveLength(1)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'dev_done' })
    expect(existsSync(world.lockFile('dev_001'))).toBe(false)
  })
})
