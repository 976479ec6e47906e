import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { spareWorktreeName } from '../../../src/runner/components/index.js'
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

describe('hpm run (the seed full-workflow test)', () => {
  it('takes a junior minor task from created through dev and QA to committed on main', async () => {
    const task = await world.createTask({
      title: "Create hello.txt with 'Hello World'",
      description: "Create hello.txt containing 'Hello World'",
    })

    const dev = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      level: 'junior',
      scenario: HELLO_DEV_SCENARIO,
    })

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    const afterDev = await world.getTask(task.id)
    expect(afterDev).toMatchObject({ status: 'dev_done', locked_by: null })
    const branch = `feature/task-${task.id}`
    expect(await git(world.repo, 'show', `${branch}:hello.txt`)).toBe('Hello World')
    expect(await git(world.repo, 'worktree', 'list')).not.toContain(`task-${task.id}`)
    // Its worktree waits, detached, as dev_001's spare for the next task (and the QA's takes none).
    const spare = join(world.repo, '.worktrees', spareWorktreeName('dev_001'))
    expect(await git(spare, 'status', '--porcelain', '--branch')).toBe('## HEAD (no branch)')
    const devRuns = (await world.server.api(`/api/v1/tasks/${task.id}/runs`)).body
    expect(devRuns).toHaveLength(1)
    expect(devRuns[0]).toMatchObject({
      agent_id: 'dev_001',
      outcome: 'succeeded',
      model: 'claude-sonnet-5',
      attempt: 1,
    })
    expect(devRuns[0].session_id).toEqual(expect.any(String))

    const qa = await world.runRunner({
      agentId: 'qa_001',
      role: 'qa',
      level: 'junior',
      scenario: HELLO_QA_SCENARIO,
    })

    expect(qa.exitCode, qa.stdout + qa.stderr).toBe(0)
    const done = await world.getTask(task.id)
    expect(done).toMatchObject({ status: 'committed', locked_by: null })
    const qaSpare = join(world.repo, '.worktrees', spareWorktreeName('qa_001'))
    expect(await git(qaSpare, 'rev-parse', 'HEAD')).toBe(await git(world.repo, 'rev-parse', branch))
    expect(await readFile(join(world.repo, 'hello.txt'), 'utf8')).toBe('Hello World')
    expect(await git(world.repo, 'log', '--format=%s', '-1', 'main')).toContain(
      `Merge task ${task.id}`,
    )
    const changelog = (await world.server.api('/api/v1/changelog?limit=100')).body.filter(
      (r: { task_id: number }) => r.task_id === task.id,
    )
    expect(changelog.map((r: { new_status: string }) => r.new_status).reverse()).toEqual([
      'created',
      'under_work',
      'dev_done',
      'under_work',
      'qa_done',
      'committed',
    ])
  })
})
