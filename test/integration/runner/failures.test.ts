import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { isGroupAlive, isProcessAlive, runProcess } from '../../../src/lib/index.js'
import { HELLO_DEV_SCENARIO, startRunnerWorld, waitFor } from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

let world: RunnerWorld

beforeEach(async () => {
  world = await startRunnerWorld()
})
afterEach(async () => {
  await world.close()
})

describe('hpm run when Claude fails', () => {
  it('retries a crashed run at once, resuming its session, and finishes (R-RETRY)', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { attempts: [{ mode: 'crash' }, HELLO_DEV_SCENARIO] },
    })

    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'dev_done' })
    const runs = await world.runsOf(task.id)
    expect(runs.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'agent_exit'],
      [2, 'succeeded'],
    ])
    expect(runs[1]!.session_id).toBe(runs[0]!.session_id)
  })

  it('releases the task by policy after HEADLESS_PM_MAX_ATTEMPTS failures in a row (R-OPERATOR)', async () => {
    const task = await world.createTask({ title: 'Always crashes' })

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { mode: 'crash' },
      env: { HEADLESS_PM_MAX_ATTEMPTS: '2', HEADLESS_PM_ON_STUCK: 'release' },
    })

    // --single-task exits 1 when its task went back undone.
    expect(run.exitCode, run.stdout + run.stderr).toBe(1)
    expect(run.stdout).toContain('answering "release" by policy')
    expect(await world.getTask(task.id)).toMatchObject({ status: 'created', locked_by: null })
    expect((await world.runsOf(task.id)).map((r) => r.outcome)).toEqual([
      'agent_exit',
      'agent_exit',
    ])
    expect(existsSync(world.lockFile('dev_001'))).toBe(false)
  })

  it('quits by policy keeping the claim and the lock file, and the next start finishes the task', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })

    const quit = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { mode: 'crash' },
      env: { HEADLESS_PM_MAX_ATTEMPTS: '1', HEADLESS_PM_ON_STUCK: 'quit' },
    })
    const held = await world.getTask(task.id)
    const lockExists = existsSync(world.lockFile('dev_001'))
    const again = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: HELLO_DEV_SCENARIO,
    })

    expect(quit.exitCode).toBe(1)
    expect(held).toMatchObject({ status: 'under_work', locked_by: 'dev_001' })
    expect(lockExists).toBe(true)
    expect(again.exitCode, again.stdout + again.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'dev_done' })
  })

  it('gives a task back at once when Claude is not logged in, says how to fix it and exits non-zero (R-AUTH)', async () => {
    const task = await world.createTask({ title: 'Needs a login' })

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { mode: 'not_logged_in' },
      env: { HEADLESS_PM_ON_STUCK: 'quit' },
    })

    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('Not logged in')
    expect(run.stdout).toMatch(/claude \/login|ANTHROPIC_API_KEY/)
    const runs = await world.runsOf(task.id)
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({
      outcome: 'not_logged_in',
      verdict: 'environment',
      is_error: true,
    })
    const after = await world.getTask(task.id)
    expect(after).toMatchObject({ status: 'created', locked_by: null, failures: 0 })
    expect(after.comments.map((c: { body: string }) => c.body).join('\n')).toMatch(
      /claude cannot run.*nothing about the task is at fault/,
    )
    expect(existsSync(world.lockFile('dev_001'))).toBe(false)
  })

  it('in continuous mode, gives the task back, claims nothing until claude can run again, then carries on (R-AUTH)', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const stop = new AbortController()

    const running = world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      singleTask: false,
      signal: stop.signal,
      scenario: { attempts: [{ mode: 'not_logged_in' }, HELLO_DEV_SCENARIO] },
      env: { HEADLESS_PM_HEALTH_CHECK_INTERVAL: '1', HEADLESS_PM_CLAIM_WAIT: '1' },
    })
    try {
      await waitFor(
        async () => ((await world.getTask(task.id)).status === 'dev_done' ? true : undefined),
        'the task done after claude could run again',
      )
    } finally {
      stop.abort()
    }
    const run = await running

    expect(run.stdout).toContain('not claiming until claude can run here')
    expect(run.stdout).toContain('claude can run again; claiming work')
    expect((await world.runsOf(task.id)).map((r) => r.verdict)).toEqual([
      'environment',
      'succeeded',
    ])
    expect(await world.getTask(task.id)).toMatchObject({ failures: 0 })
  })

  it('claims nothing when claude auth status says it is logged out, and says how to fix it (R-AUTH)', async () => {
    const task = await world.createTask({ title: 'Needs a login' })

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: HELLO_DEV_SCENARIO,
      env: { CLAUDE_FAKE_AUTH: 'logged_out' },
    })

    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/not logged in.*claude \/login/)
    expect(await world.getTask(task.id)).toMatchObject({
      status: 'created',
      locked_by: null,
      attempts: 0,
    })
    expect(await world.runsOf(task.id)).toEqual([])
  })

  it('claims nothing in a repository without commits (R-AUTH)', async () => {
    const task = await world.createTask({ title: 'Anything' })
    const empty = join(world.root, 'empty')
    await runProcess('git', ['init', '-q', empty], { timeoutMs: 30_000 })

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: HELLO_DEV_SCENARIO,
      args: ['--repo', empty],
    })

    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/has no commits yet/)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'created', locked_by: null })
  })

  it('kills a stalled Claude after HEADLESS_PM_STALL_TIMEOUT and records agent_stalled (R-STALL)', async () => {
    const task = await world.createTask({ title: 'Stalls' })

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { mode: 'stall' },
      env: {
        HEADLESS_PM_STALL_TIMEOUT: '2',
        HEADLESS_PM_MAX_ATTEMPTS: '1',
        HEADLESS_PM_ON_STUCK: 'release',
      },
    })

    // --single-task exits 1 when its task went back undone.
    expect(run.exitCode, run.stdout + run.stderr).toBe(1)
    expect((await world.runsOf(task.id)).map((r) => r.outcome)).toEqual(['agent_stalled'])
    const grandchild = Number(
      readFileSync(join(world.root, 'fake-state', 'grandchild.pid'), 'utf8'),
    )
    expect(isProcessAlive(grandchild)).toBe(false)
  })

  it('kills a Claude that runs past HEADLESS_PM_CLAUDE_TIMEOUT and records agent_timeout (R-TIMEOUT)', async () => {
    const task = await world.createTask({ title: 'Hangs' })

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { mode: 'api_retry' },
      env: {
        HEADLESS_PM_CLAUDE_TIMEOUT: '2',
        HEADLESS_PM_MAX_ATTEMPTS: '1',
        HEADLESS_PM_ON_STUCK: 'release',
      },
    })

    // --single-task exits 1 when its task went back undone.
    expect(run.exitCode, run.stdout + run.stderr).toBe(1)
    expect((await world.runsOf(task.id)).map((r) => r.outcome)).toEqual(['agent_timeout'])
  })
})

describe('hpm run when stopped or overruled', () => {
  it('stops Claude on SIGTERM, keeps the lock file, and resumes the session on the next start (R-SIGNAL)', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const stop = new AbortController()
    const running = world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { attempts: [{ mode: 'hang' }, HELLO_DEV_SCENARIO] },
      signal: stop.signal,
    })
    const state = await waitFor(() => {
      try {
        const parsed = JSON.parse(readFileSync(world.lockFile('dev_001'), 'utf8'))
        return parsed.agent_pgid && parsed.session_started ? parsed : undefined
      } catch {
        return undefined
      }
    }, 'Claude to start')

    stop.abort()
    const stopped = await running

    expect(stopped.exitCode).toBe(143)
    expect(isGroupAlive(state.agent_pgid)).toBe(false)
    expect(JSON.parse(readFileSync(world.lockFile('dev_001'), 'utf8'))).toMatchObject({
      task_id: task.id,
      session_id: state.session_id,
    })
    expect(await world.getTask(task.id)).toMatchObject({
      status: 'under_work',
      locked_by: 'dev_001',
    })

    const resumed = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { attempts: [{ mode: 'hang' }, HELLO_DEV_SCENARIO] },
    })

    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'dev_done' })
    const runs = await world.runsOf(task.id)
    expect(runs.at(-1)).toMatchObject({ outcome: 'succeeded', session_id: state.session_id })
  })

  it('stops Claude and drops the task when the server takes it away mid-run (R-LEASE)', async () => {
    const task = await world.createTask({ title: 'Taken away' })
    const running = world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { attempts: [{ mode: 'hang' }, HELLO_DEV_SCENARIO] },
      env: { HEADLESS_PM_HEARTBEAT_INTERVAL: '1' },
    })
    await waitFor(
      async () =>
        (await world.getTask(task.id)).locked_by === 'dev_001' &&
        existsSync(world.lockFile('dev_001'))
          ? true
          : undefined,
      'the claim',
    )
    await waitFor(
      () =>
        JSON.parse(readFileSync(world.lockFile('dev_001'), 'utf8')).agent_pgid ? true : undefined,
      'Claude to start',
    )
    const follow = await world.createTask({ title: 'Create hello.txt' })

    await world.server.api(`/api/v1/tasks/${task.id}/unlock?agent_id=pm_1`, {
      method: 'POST',
      body: { notes: 'back to planning' },
    })
    await world.server.api(`/api/v1/tasks/${task.id}/status?agent_id=pm_1`, {
      method: 'PUT',
      body: { status: 'pending' },
    })
    const run = await running

    expect(run.stdout).toContain(`the server no longer gives task ${task.id} to this agent`)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'pending', locked_by: null })
    // Claude was stopped by the runner (interrupted); the lost lease is not the task's failure.
    expect((await world.runsOf(task.id)).map((r) => [r.outcome, r.verdict])).toEqual([
      ['interrupted', 'interrupted'],
    ])
    // --single-task: the one task was dropped, so the runner exits 1 and takes no other task.
    expect(run.exitCode, run.stdout + run.stderr).toBe(1)
    expect(await world.getTask(follow.id)).toMatchObject({ status: 'created', locked_by: null })
  })
})

describe('hpm run when the agent reported and then crashed', () => {
  it('takes the report and does not run Claude again', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const crashAfterReport = {
      ...HELLO_DEV_SCENARIO,
      mode: undefined,
      steps: [...HELLO_DEV_SCENARIO.steps, { raw: 'about to crash' }],
      exitCode: 2,
      isError: true,
    }

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { attempts: [crashAfterReport, { mode: 'crash' }] },
    })

    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'dev_done', locked_by: null })
    expect((await world.runsOf(task.id)).map((r) => r.attempt)).toEqual([1])
  })
})
