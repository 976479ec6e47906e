import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { isProcessAlive } from '../../../src/lib/index.js'
import { HELLO_DEV_SCENARIO, startRunnerWorld, waitFor } from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

// What a SIGKILLed runner leaves behind must not make the next start lie (R-RUNS, R-BUDGET).

let world: RunnerWorld

beforeEach(async () => {
  world = await startRunnerWorld({ HPM_TASK_MAX_FAILURES: '2' })
})
afterEach(async () => {
  await world.close()
})

describe('hpm run after kill -9', () => {
  it("judges a cut-off run from its own log, never from an earlier claim's", async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    expect(
      (
        await world.runRunner({
          agentId: 'dev_001',
          role: 'backend_dev',
          scenario: HELLO_DEV_SCENARIO,
        })
      ).exitCode,
    ).toBe(0)
    await world.register('qa_001', 'qa')
    await world.server.api('/api/v1/tasks/claim', {
      method: 'POST',
      body: { agent_id: 'qa_001', timeout: 0 },
    })
    await world.server.api(`/api/v1/tasks/${task.id}/status?agent_id=qa_001`, {
      method: 'PUT',
      body: { status: 'created', notes: 'QA: needs a second line' },
    })
    const halfDone = { mode: 'crash', exitCode: 2 }

    // Round 2: Claude crashes (no result) and the runner dies right after it, before judging.
    const killed = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: halfDone,
      env: {
        HPM_RUNNER_FAULT: 'after_claude',
        HEADLESS_PM_MAX_ATTEMPTS: '1',
        HEADLESS_PM_ON_STUCK: 'quit',
      },
    })
    const restarted = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: halfDone,
      env: { HEADLESS_PM_MAX_ATTEMPTS: '1', HEADLESS_PM_ON_STUCK: 'quit' },
    })

    expect(killed.signal).toBe('SIGKILL')
    expect(restarted.exitCode).toBe(1)
    expect(await world.getTask(task.id)).toMatchObject({
      status: 'under_work',
      locked_by: 'dev_001',
    })
    const round2 = (await world.runsOf(task.id)).slice(1)
    expect(round2[0]).toMatchObject({ outcome: 'agent_exit', verdict: 'failed' })
  })

  it('records the attempt a killed runner left when the task was taken away meanwhile', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const killed = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { mode: 'hang' },
      env: { HPM_RUNNER_FAULT: 'during_claude' },
    })
    await world.server.api(`/api/v1/tasks/${task.id}/unlock?agent_id=pm_1`, {
      method: 'POST',
      body: { notes: 'taking it back' },
    })
    await world.server.api(`/api/v1/tasks/${task.id}/status?agent_id=pm_1`, {
      method: 'PUT',
      body: { status: 'pending' },
    })

    const restarted = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { mode: 'hang' },
      env: { HEADLESS_PM_CLAIM_WAIT: '1' },
      timeoutMs: 20_000,
    })

    expect(killed.signal).toBe('SIGKILL')
    expect(restarted.stdout).toContain(`dropping task ${task.id}`)
    expect((await world.runsOf(task.id)).map((r) => [r.outcome, r.verdict])).toEqual([
      ['killed', 'interrupted'],
    ])
  })

  it("charges the budget when the runner keeps dying during one task's attempts, so a supervisor cannot pay for it forever", async () => {
    const task = await world.createTask({ title: 'Kills its runner' })
    const dying = { mode: 'hang' }

    const ends = []
    for (let i = 0; i < 4; i++)
      ends.push(
        await world.runRunner({
          agentId: 'dev_001',
          role: 'backend_dev',
          scenario: dying,
          env: { HPM_RUNNER_FAULT: 'during_claude' },
        }),
      )

    expect(ends.slice(0, 3).map((e) => e.signal)).toEqual(['SIGKILL', 'SIGKILL', 'SIGKILL'])
    expect(await world.getTask(task.id)).toMatchObject({
      status: 'pending',
      locked_by: null,
      failures: 2,
    })
    // killed (interrupted), the session flag retried (interrupted), then killed twice more (failed).
    expect((await world.runsOf(task.id)).map((r) => r.verdict)).toEqual([
      'interrupted',
      'interrupted',
      'failed',
      'failed',
    ])
  })

  it('leaves no Claude running past its time limit when the runner is killed and never restarted', async () => {
    await world.createTask({ title: 'Hangs' })

    const killed = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { mode: 'hang' },
      env: { HPM_RUNNER_FAULT: 'during_claude', HEADLESS_PM_CLAUDE_TIMEOUT: '2' },
    })
    const grandchild = await waitFor(() => {
      try {
        const first = readFileSync(join(world.root, 'fake-state', 'grandchild.pid'), 'utf8').split(
          '\n',
        )[0]
        return first ? Number(first) : undefined
      } catch {
        return undefined
      }
    }, 'the orphaned Claude to start its child')

    const started = startTimeOf(grandchild)

    expect(killed.signal).toBe('SIGKILL')
    // The runner is gone; GNU timeout ends the whole group about 1 s past the 2 s limit.
    // Generous: a loaded CI machine delays the guard's timers, never removes them. The start time
    // tells our process from a new one that was given the same pid meanwhile (pid_max is small).
    const isOurs = () =>
      isProcessAlive(grandchild) && started !== undefined && startTimeOf(grandchild) === started
    try {
      await waitFor(
        () => (isOurs() ? undefined : true),
        'the orphaned Claude to be stopped',
        60_000,
      )
    } catch (error) {
      // Rare on a loaded machine: say what is still there, and whether the guard ran at all.
      const tree = spawnSync('ps', ['-eo', 'pid,ppid,pgid,sid,stat,etime,args'], {
        encoding: 'utf8',
      }).stdout
      const group =
        startTimeOf(grandchild) === undefined
          ? ''
          : readFileSync(`/proc/${grandchild}/stat`, 'utf8')
      throw new Error(
        `${(error as Error).message}\nrunner stdout:\n${killed.stdout}\ngrandchild stat: ${group}\nprocesses:\n${tree}`,
      )
    }
  })
})

/** The kernel's start time of a process (/proc/<pid>/stat field 22); undefined once it is gone. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}
