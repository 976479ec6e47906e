import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { git } from '../../fixtures/temp-repo.js'
import {
  HELLO_DEV_SCENARIO,
  HELLO_QA_SCENARIO,
  startRunnerWorld,
} from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

let world: RunnerWorld

beforeEach(async () => {
  world = await startRunnerWorld()
})
afterEach(async () => {
  await world.close()
})

describe('hpm run checks the outcome', () => {
  it('commits what the agent left uncommitted and reports dev_done for it (R-VERIFY)', async () => {
    const task = await world.createTask({ title: 'Write notes.md' })

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: {
        steps: [{ write: { path: 'notes.md', content: 'notes\n' } }],
        result: 'wrote notes',
      },
    })

    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'dev_done' })
    expect(await git(world.repo, 'show', `feature/task-${task.id}:notes.md`)).toBe('notes')
    expect(await git(world.repo, 'log', '-1', '--format=%s', `feature/task-${task.id}`)).toContain(
      `task ${task.id}`,
    )
  })

  it('counts a run that changed nothing as a failure, not as done (R-VERIFY)', async () => {
    const task = await world.createTask({ title: 'Does nothing' })

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { steps: [{ text: 'I did nothing' }] },
      env: { HEADLESS_PM_MAX_ATTEMPTS: '1', HEADLESS_PM_ON_STUCK: 'release' },
    })

    // --single-task exits 1 when its task went back undone.
    expect(run.exitCode, run.stdout + run.stderr).toBe(1)
    expect(run.stdout).toContain('no commits and no changes')
    expect(await world.getTask(task.id)).toMatchObject({ status: 'created', locked_by: null })
  })

  it('does not report dev_done for a rework round that added nothing, though the branch has old commits (R-VERIFY)', async () => {
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
      body: { status: 'created', notes: 'QA: wrong greeting' },
    })

    const rework = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: { steps: [{ text: 'looks fine to me' }] },
      env: { HEADLESS_PM_MAX_ATTEMPTS: '1', HEADLESS_PM_ON_STUCK: 'release' },
    })

    expect(rework.exitCode, rework.stdout + rework.stderr).toBe(1)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'created', locked_by: null })
  })

  it('sends a passed minor task back to created with a report when the merge conflicts (R-MERGE)', async () => {
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
    await writeFile(join(world.repo, 'hello.txt'), 'Goodbye\n')
    await git(world.repo, 'add', 'hello.txt')
    await git(world.repo, 'commit', '-q', '-m', 'conflicting hello on main')

    const qa = await world.runRunner({ agentId: 'qa_001', role: 'qa', scenario: HELLO_QA_SCENARIO })

    // Its review is done, but the task is not: --single-task says so (exit 1), and why.
    expect(qa.exitCode, qa.stdout + qa.stderr).toBe(1)
    expect(qa.stdout).toContain('merge conflicts: sent back to its developers')
    const after = await world.getTask(task.id)
    expect(after).toMatchObject({ status: 'created', locked_by: null })
    expect(after.notes).toContain('conflicts in hello.txt')
    expect(await readFile(join(world.repo, 'hello.txt'), 'utf8')).toBe('Goodbye\n')
    expect(await git(world.repo, 'status', '--porcelain')).toBe('')
  })

  it('leaves a passed major task at qa_done without merging it', async () => {
    const task = await world.createTask({ title: 'Create hello.txt', complexity: 'major' })
    expect(
      (
        await world.runRunner({
          agentId: 'dev_001',
          role: 'backend_dev',
          scenario: HELLO_DEV_SCENARIO,
        })
      ).exitCode,
    ).toBe(0)

    const qa = await world.runRunner({ agentId: 'qa_001', role: 'qa', scenario: HELLO_QA_SCENARIO })

    expect(qa.exitCode, qa.stdout + qa.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'qa_done' })
    expect(await git(world.repo, 'log', '--format=%s', 'main')).not.toContain('Merge task')
  })
})

describe('hpm run hooks and prompt', () => {
  it('does not start a task whose pre_task hook fails, and lets the policy release it (R-HOOK)', async () => {
    const task = await world.createTask({ title: 'Blocked by a hook' })
    const hooks = join(world.root, 'hooks')
    await mkdir(hooks)
    await writeFile(
      join(hooks, 'pre_task'),
      '#!/bin/sh\ncat > "$HEADLESS_PM_WORKTREE/../pre_task_input.json"\necho "database is down" >&2\nexit 1\n',
    )
    await chmod(join(hooks, 'pre_task'), 0o755)

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: HELLO_DEV_SCENARIO,
      args: ['--hooks-dir', hooks],
    })

    // --single-task exits 1 when its task went back undone.
    expect(run.exitCode, run.stdout + run.stderr).toBe(1)
    expect(run.stdout).toContain('database is down')
    expect(await world.getTask(task.id)).toMatchObject({ status: 'created', locked_by: null })
    expect((await world.server.api(`/api/v1/tasks/${task.id}/runs`)).body).toEqual([])
    expect(
      JSON.parse(await readFile(join(world.repo, '.worktrees', 'pre_task_input.json'), 'utf8')),
    ).toMatchObject({ id: task.id, title: 'Blocked by a hook' })
  })

  it('puts the task and unread mentions in the prompt and marks the mentions read (R-PROMPT)', async () => {
    const task = await world.createTask({
      title: 'Create hello.txt',
      description: 'Say hello to the world.',
    })
    await world.register('dev_001', 'backend_dev')
    await world.server.api(`/api/v1/tasks/${task.id}/comment?agent_id=pm_1`, {
      method: 'POST',
      body: { comment: '@dev_001 please keep it short' },
    })
    const record = join(world.root, 'claude-record.jsonl')

    const run = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: HELLO_DEV_SCENARIO,
      env: { CLAUDE_FAKE_RECORD: record },
    })

    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    const prompt = JSON.parse((await readFile(record, 'utf8')).split('\n')[0]!).prompt as string
    expect(prompt).toContain(`Task ID: ${task.id}`)
    expect(prompt).toContain('Agent ID: dev_001')
    expect(prompt).toContain('Say hello to the world.')
    expect(prompt).toContain('from @pm_1 in task')
    expect(prompt).toContain(`hpm tasks status ${task.id} --status dev_done --agent-id dev_001`)
    const unread = (await world.server.api('/api/v1/mentions?agent_id=dev_001&unread_only=true'))
      .body
    expect(unread).toEqual([])
  })
})
