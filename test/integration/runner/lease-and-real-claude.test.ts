import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { ClaudeExecutor } from '../../../src/runner/components/index.js'
import { REAL_CLAUDE, realClaudeLane } from '../../helpers/real-claude.js'
import { HELLO_DEV_SCENARIO, startRunnerWorld } from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

let world: RunnerWorld | undefined

afterEach(async () => {
  await world?.close()
  world = undefined
})

describe('hpm run after its lease lapsed while it was down (R-LEASE-GONE)', () => {
  it('drops the task another agent now holds and does not redo its work', async () => {
    world = await startRunnerWorld({ HPM_LEASE_SECONDS: '2', HPM_LEASE_CHECK_INTERVAL_MS: '200' })
    const task = await world.createTask({ title: 'Create hello.txt' })
    const killed = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { mode: 'hang' },
      env: { HPM_RUNNER_FAULT: 'during_claude' },
    })
    expect(killed.signal).toBe('SIGKILL')
    await world.register('dev_002', 'backend_dev')
    let taken: { body: { id?: number } | null } = { body: null }
    for (let tries = 0; tries < 100 && !taken.body?.id; tries++) {
      taken = await world.server.api('/api/v1/tasks/claim', {
        method: 'POST',
        body: { agent_id: 'dev_002', timeout: 1 },
      })
    }
    const next = await world.createTask({ title: 'Create hello.txt again' })
    // dev_002 stays alive (its lease is as short as dev_001's was).
    const alive = setInterval(
      () => void world!.server.api('/api/v1/agents/dev_002/heartbeat', { method: 'POST' }),
      300,
    )

    const restarted = await world
      .runRunner({ agentId: 'dev_001', role: 'backend_dev', scenario: HELLO_DEV_SCENARIO })
      .finally(() => clearInterval(alive))

    expect(taken.body?.id).toBe(task.id)
    expect(restarted.exitCode, restarted.stdout + restarted.stderr).toBe(0)
    expect(restarted.stdout).toContain(`dropping task ${task.id}`)
    expect(await world.getTask(task.id)).toMatchObject({
      status: 'under_work',
      locked_by: 'dev_002',
    })
    expect(await world.getTask(next.id)).toMatchObject({ status: 'dev_done' })
  })
})

const realClaude = REAL_CLAUDE

describe.runIf(realClaudeLane('runner'))(
  'hpm run with the real claude CLI and no credentials (R-AUTH-REAL)',
  () => {
    it('claims nothing when `claude auth status` says it is logged out, and says how to fix it', async () => {
      expect(realClaude, 'a real claude binary is required in this run').toBeDefined()
      world = await startRunnerWorld()
      const task = await world.createTask({ title: 'Needs a real login' })

      const run = await world.runRunner({
        agentId: 'dev_001',
        role: 'backend_dev',
        env: {
          HEADLESS_PM_CLAUDE_BIN: realClaude!,
          HEADLESS_PM_ON_STUCK: 'quit',
          HEADLESS_PM_CLAUDE_TIMEOUT: '120',
        },
      })

      expect(run.exitCode, run.stdout + run.stderr).toBe(1)
      expect(run.stdout).toMatch(/not logged in.*claude \/login/i)
      expect(await world.getTask(task.id)).toMatchObject({
        status: 'created',
        locked_by: null,
        attempts: 0,
      })
    })

    it('accepts the executor\'s command line (--session-id, --max-budget-usd, then --resume) and reports "Not logged in" clearly', async () => {
      expect(realClaude, 'a real claude binary is required in this run').toBeDefined()
      const dir = await mkdtemp(join(tmpdir(), 'hpm-real-claude-'))
      try {
        const executor = new ClaudeExecutor({
          claudeBin: realClaude!,
          timeoutMs: 120_000,
          stallTimeoutMs: 60_000,
          logDir: join(dir, 'logs'),
          env: { HOME: dir },
        })
        const sessionId = randomUUID()

        const first = await executor.run({
          prompt: 'Say hello.',
          model: 'sonnet',
          cwd: dir,
          newSessionId: sessionId,
          maxBudgetUsd: 0.5,
          taskId: 1,
          attempt: 1,
        })
        const unknown = await executor.run({
          prompt: 'Say hello.',
          model: 'sonnet',
          cwd: dir,
          resumeSessionId: randomUUID(),
          taskId: 1,
          attempt: 2,
        })

        expect(first).toMatchObject({ outcome: 'not_logged_in', sessionId })
        expect(first.errorMessage).toMatch(/Not logged in/)
        expect(unknown.outcome).toBe('failed')
        expect(unknown.errorMessage).toMatch(/No conversation found with session ID/)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    })
  },
)
