import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { runProcess } from '../../../src/lib/index.js'
import type { ProcessResult } from '../../../src/lib/index.js'
import { git, GIT_TEST_ENV } from '../../fixtures/temp-repo.js'
import {
  HELLO_DEV_SCENARIO,
  HELLO_QA_SCENARIO,
  HPM_BIN,
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

/** The real `hpm` as a person runs it, from outside the repository (so `--repo` must be honoured). */
function hpm(...args: string[]): Promise<ProcessResult> {
  return runProcess(process.execPath, [HPM_BIN, ...args], {
    cwd: world.root,
    timeoutMs: 60_000,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: world.root,
      NO_COLOR: '1',
      ...GIT_TEST_ENV,
      HEADLESS_PM_API_URL: world.server.url,
      HEADLESS_PM_API_KEY: world.server.apiKey,
    },
  })
}

/**
 * A minor task a dev runner finished and a QA runner passed, whose merge was blocked by an
 * untracked hello.txt in the main checkout (the merge would overwrite it), which is still there.
 */
async function passedButNotMerged(): Promise<{ id: number; mainBefore: string }> {
  const task = await world.createTask({ title: 'Create hello.txt' })
  const dev = await world.runRunner({
    agentId: 'dev_001',
    role: 'backend_dev',
    scenario: HELLO_DEV_SCENARIO,
  })
  expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
  const mainBefore = await git(world.repo, 'rev-parse', 'main')
  await writeFile(join(world.repo, 'hello.txt'), 'my own notes\n')

  const qa = await world.runRunner({ agentId: 'qa_001', role: 'qa', scenario: HELLO_QA_SCENARIO })

  expect(qa.exitCode, qa.stdout + qa.stderr).toBe(1)
  expect(qa.stdout).toContain('passed QA but is not merged')
  const after = await world.getTask(task.id)
  expect(after).toMatchObject({ status: 'qa_done', locked_by: null })
  expect(after.comments.map((c: { body: string }) => c.body).join('\n')).toContain(
    `hpm tasks merge ${task.id}`,
  )
  expect(await git(world.repo, 'rev-parse', 'main')).toBe(mainBefore)
  expect(await readFile(join(world.repo, 'hello.txt'), 'utf8')).toBe('my own notes\n')
  return { id: task.id, mainBefore }
}

describe('a passed minor task whose merge the main checkout blocked (R-MERGE)', () => {
  it('is merged and committed by `hpm tasks merge` once the way is clear', async () => {
    const task = await passedButNotMerged()
    await rm(join(world.repo, 'hello.txt'))

    const merged = await hpm(
      'tasks',
      'merge',
      String(task.id),
      '--agent-id',
      'pm_1',
      '--repo',
      world.repo,
    )

    expect(merged.exitCode, merged.stdout + merged.stderr).toBe(0)
    expect(JSON.parse(merged.stdout)).toMatchObject({
      task_id: task.id,
      status: 'committed',
      base_branch: 'main',
      branch: `feature/task-${task.id}`,
    })
    expect(await world.getTask(task.id)).toMatchObject({ status: 'committed' })
    expect(await git(world.repo, 'show', 'main:hello.txt')).toBe('Hello World')
    expect(await readFile(join(world.repo, 'hello.txt'), 'utf8')).toBe('Hello World')
    expect(await git(world.repo, 'log', '-1', '--format=%s', 'main')).toBe(
      `Merge task ${task.id}: Create hello.txt`,
    )
  })

  it('is merged by the next runner that finishes a task', async () => {
    const first = await passedButNotMerged()
    await rm(join(world.repo, 'hello.txt'))
    const second = await world.createTask({ title: 'Create notes.md' })

    const dev = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: {
        steps: [{ write: { path: 'notes.md', content: 'notes\n' } }],
        result: 'wrote notes',
      },
    })

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    expect(dev.stdout).toContain(
      `task ${first.id} passed QA but is not merged yet; retrying the merge`,
    )
    expect(await world.getTask(first.id)).toMatchObject({ status: 'committed' })
    expect(await world.getTask(second.id)).toMatchObject({ status: 'dev_done' })
    expect(await git(world.repo, 'show', 'main:hello.txt')).toBe('Hello World')
    expect(await git(world.repo, 'ls-tree', '--name-only', 'main')).not.toContain('notes.md')
  })
})

describe('hpm tasks merge', () => {
  it('exits 1 and changes nothing when the task has not passed QA', async () => {
    const task = await world.createTask({ title: 'Not done yet' })
    const mainBefore = await git(world.repo, 'rev-parse', 'main')

    const merged = await hpm(
      'tasks',
      'merge',
      String(task.id),
      '--agent-id',
      'pm_1',
      '--repo',
      world.repo,
    )

    expect(merged.exitCode, merged.stdout + merged.stderr).toBe(1)
    expect(merged.stderr).toContain(`nothing merged: task ${task.id} is created, not qa_done`)
    expect(merged.stdout).toBe('')
    expect(await world.getTask(task.id)).toMatchObject({ status: 'created' })
    expect(await git(world.repo, 'rev-parse', 'main')).toBe(mainBefore)
  })

  it('exits 1 and merges nothing when an agent that is not a pm or architect merges a major task', async () => {
    const task = await world.createTask({ title: 'Create hello.txt', complexity: 'major' })
    const dev = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: HELLO_DEV_SCENARIO,
    })
    const qa = await world.runRunner({ agentId: 'qa_001', role: 'qa', scenario: HELLO_QA_SCENARIO })
    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    expect(qa.exitCode, qa.stdout + qa.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'qa_done' })
    const mainBefore = await git(world.repo, 'rev-parse', 'main')

    const merged = await hpm(
      'tasks',
      'merge',
      String(task.id),
      '--agent-id',
      'dev_001',
      '--repo',
      world.repo,
    )

    expect(merged.exitCode, merged.stdout + merged.stderr).toBe(1)
    expect(merged.stderr).toContain(
      `task ${task.id} is major: only a pm or architect agent may merge and commit it`,
    )
    expect(await world.getTask(task.id)).toMatchObject({ status: 'qa_done' })
    expect(await git(world.repo, 'rev-parse', 'main')).toBe(mainBefore)
  })

  it('exits 1 naming what is in the way and leaves the task at qa_done when the main checkout blocks the merge', async () => {
    const task = await passedButNotMerged()

    const blocked = await hpm(
      'tasks',
      'merge',
      String(task.id),
      '--agent-id',
      'pm_1',
      '--repo',
      world.repo,
    )

    expect(blocked.exitCode, blocked.stdout + blocked.stderr).toBe(1)
    expect(blocked.stderr).toContain(`task ${task.id} is not merged and stays at qa_done`)
    expect(blocked.stderr).toMatch(
      /untracked working tree files would be overwritten by merge:.*hello\.txt/s,
    )
    expect(blocked.stderr).toContain(`hpm tasks merge ${task.id}`)
    expect(blocked.stdout).toBe('')
    expect(await world.getTask(task.id)).toMatchObject({ status: 'qa_done' })
    expect(await git(world.repo, 'rev-parse', 'main')).toBe(task.mainBefore)
  })

  it('exits 1 with the files named and sends the task back when the merge conflicts', async () => {
    const task = await passedButNotMerged()
    await rm(join(world.repo, 'hello.txt'))
    await writeFile(join(world.repo, 'hello.txt'), 'Goodbye\n')
    await git(world.repo, 'add', 'hello.txt')
    await git(world.repo, 'commit', '-q', '-m', 'conflicting hello on main')

    const merged = await hpm(
      'tasks',
      'merge',
      String(task.id),
      '--agent-id',
      'pm_1',
      '--repo',
      world.repo,
    )

    expect(merged.exitCode, merged.stdout + merged.stderr).toBe(1)
    expect(merged.stderr).toContain('conflicts in hello.txt')
    expect(merged.stdout).toBe('')
    expect(await world.getTask(task.id)).toMatchObject({ status: 'created' })
    expect(await readFile(join(world.repo, 'hello.txt'), 'utf8')).toBe('Goodbye\n')
  })
})
