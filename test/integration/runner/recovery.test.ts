import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { git } from '../../fixtures/temp-repo.js'
import {
  HELLO_DEV_SCENARIO,
  HELLO_QA_SCENARIO,
  startRunnerWorld,
} from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

// docs/runner-spec.md R-RECOVER: a runner killed with SIGKILL at any phase, then started again,
// completes the same task exactly once, loses nothing and starts no other task meanwhile.

let world: RunnerWorld

beforeEach(async () => {
  world = await startRunnerWorld()
})
afterEach(async () => {
  await world.close()
})

async function statusChanges(taskId: number): Promise<string[]> {
  const rows = (await world.server.api('/api/v1/changelog?limit=500')).body as Array<{
    task_id: number
    new_status: string
  }>
  return rows
    .filter((r) => r.task_id === taskId)
    .map((r) => r.new_status)
    .reverse()
}

async function commitsTouching(branch: string, file: string): Promise<number> {
  const out = await git(world.repo, 'log', '--format=%H', branch, '--', file)
  return out === '' ? 0 : out.split('\n').length
}

describe('hpm run after kill -9 (R-RECOVER)', () => {
  it.each([
    'after_claim',
    'after_lock_write',
    'during_worktree',
    'during_pre_task',
    'during_claude',
    'after_claude',
    'after_run_record',
    'during_post_task',
  ])('finishes the dev task exactly once when killed %s', async (fault) => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const other = await world.createTask({ title: 'Another task' })

    const record = join(world.root, 'claude-calls.jsonl')
    const killed = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: HELLO_DEV_SCENARIO,
      env: { HPM_RUNNER_FAULT: fault, CLAUDE_FAKE_RECORD: record },
    })
    const restarted = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: HELLO_DEV_SCENARIO,
      env: { CLAUDE_FAKE_RECORD: record },
    })

    expect(killed.signal).toBe('SIGKILL')
    expect(restarted.exitCode, restarted.stdout + restarted.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'dev_done', locked_by: null })
    expect(await commitsTouching(`feature/task-${task.id}`, 'hello.txt')).toBe(1)
    expect(await git(world.repo, 'show', `feature/task-${task.id}:hello.txt`)).toBe('Hello World')
    const changes = await statusChanges(task.id)
    expect(changes.filter((s) => s === 'dev_done')).toHaveLength(1)
    expect(changes.filter((s) => s === 'under_work')).toHaveLength(1)
    expect(await world.getTask(other.id)).toMatchObject({
      status: 'created',
      locked_by: null,
      attempts: 0,
    })
    // Every Claude run that started is recorded, also the one the runner died during (R-RUNS).
    const invocations = existsSync(record)
      ? readFileSync(record, 'utf8').trim().split('\n').length
      : 0
    const runs = await world.runsOf(task.id)
    expect(runs).toHaveLength(invocations)
    expect(runs.at(-1)).toMatchObject({ verdict: 'succeeded' })
    // Killed after Claude finished: the finished run is judged, not paid for again.
    if (fault === 'after_claude') expect(invocations).toBe(1)
    expect(await git(world.repo, 'worktree', 'list')).not.toContain(`task-${task.id}`)
  })

  it('commits a passed minor task exactly once when the QA runner is killed during the merge', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const dev = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: HELLO_DEV_SCENARIO,
    })
    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)

    const killed = await world.runRunner({
      agentId: 'qa_001',
      role: 'qa',
      scenario: HELLO_QA_SCENARIO,
      env: { HPM_RUNNER_FAULT: 'during_merge' },
    })
    const restarted = await world.runRunner({
      agentId: 'qa_001',
      role: 'qa',
      scenario: HELLO_QA_SCENARIO,
    })

    expect(killed.signal).toBe('SIGKILL')
    expect(restarted.exitCode, restarted.stdout + restarted.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'committed', locked_by: null })
    const merges = await git(world.repo, 'log', '--merges', '--format=%s', 'main')
    expect(merges.split('\n').filter((s) => s.includes(`Merge task ${task.id}`))).toHaveLength(1)
    expect((await statusChanges(task.id)).filter((s) => s === 'committed')).toHaveLength(1)
  })
})
