import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { startRunnerWorld } from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

// A task's own money budget (`budget_usd`) is what the runner gives Claude as --max-budget-usd,
// before HEADLESS_PM_TASK_BUDGET_USD; once its recorded runs cost that much, no Claude is started.

let world: RunnerWorld

beforeEach(async () => {
  world = await startRunnerWorld()
})
afterEach(async () => {
  await world.close()
})

/** Claude looks around, changes nothing and says it is done: a failed attempt that costs $0.03. */
const IDLE_RUN = {
  steps: [{ text: 'Looking around; nothing to change.' }],
  result: 'Done.',
  costUsd: 0.03,
}

describe('hpm run with a task budget_usd', () => {
  it("starts no claude once the task's runs cost its budget_usd, and records why", async () => {
    const task = await world.createTask({ title: 'Cheap task', budget_usd: 0.05 })
    const record = join(world.root, 'claude-calls.jsonl')

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: IDLE_RUN,
      // The runner-wide budget is larger: the task's own one must win.
      env: {
        HEADLESS_PM_MAX_ATTEMPTS: '5',
        HEADLESS_PM_ON_STUCK: 'release',
        HEADLESS_PM_TASK_BUDGET_USD: '100',
        CLAUDE_FAKE_RECORD: record,
      },
    })

    // --single-task exits 1 when its task went back undone.
    expect(run.exitCode, run.stdout + run.stderr).toBe(1)
    const invocations = existsSync(record)
      ? readFileSync(record, 'utf8').trim().split('\n').length
      : 0
    expect(invocations).toBe(2)
    const runs = await world.runsOf(task.id)
    expect(runs.slice(0, 2).map((r) => [r.attempt, r.verdict, r.cost_usd])).toEqual([
      [1, 'failed', 0.03],
      [2, 'failed', 0.03],
    ])
    // The second run was given what was left of the task's $0.05, not of the runner's $100.
    expect(runs[1]!.verdict_reason).toContain('Reached maximum budget ($0.02)')
    expect(runs[2]).toMatchObject({ attempt: 3, verdict: 'failed', cost_usd: null })
    expect(runs[2]!.verdict_reason).toBe(
      "the task has spent its money budget (the task's budget_usd=0.05); claude was not started",
    )
    // Trying again cannot help: no further attempts are recorded, the operator (policy) decides at once.
    expect(runs).toHaveLength(3)
    expect(await world.getTask(task.id)).toMatchObject({
      status: 'created',
      locked_by: null,
      budget_usd: 0.05,
    })
  })

  it('uses HEADLESS_PM_TASK_BUDGET_USD and names it when the task has no budget_usd', async () => {
    const task = await world.createTask({ title: 'Default budget' })
    const record = join(world.root, 'claude-calls.jsonl')

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: IDLE_RUN,
      env: {
        HEADLESS_PM_MAX_ATTEMPTS: '3',
        HEADLESS_PM_ON_STUCK: 'release',
        HEADLESS_PM_TASK_BUDGET_USD: '0.05',
        CLAUDE_FAKE_RECORD: record,
      },
    })

    expect(run.exitCode, run.stdout + run.stderr).toBe(1)
    expect(readFileSync(record, 'utf8').trim().split('\n')).toHaveLength(2)
    const runs = await world.runsOf(task.id)
    expect(runs[2]!.verdict_reason).toBe(
      'the task has spent its money budget (HEADLESS_PM_TASK_BUDGET_USD=0.05); claude was not started',
    )
  })
})
