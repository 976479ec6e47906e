import { chmod, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { runProcess } from '../../../src/lib/index.js'
import { git, GIT_TEST_ENV } from '../../fixtures/temp-repo.js'
import {
  HELLO_DEV_SCENARIO,
  HELLO_QA_SCENARIO,
  HPM_BIN,
  startRunnerWorld,
  reportStatusStep,
} from '../../helpers/runner-harness.js'
import type { RunRunnerOptions, RunnerWorld } from '../../helpers/runner-harness.js'

// Git remote mode (issue #11): a bare repository stands for the shared remote, `world.repo` for
// machine A (the dev runner's) and a second clone for machine B (the QA runner's), which never
// sees A's branches except through the remote.

let world: RunnerWorld
let remote: string
let machineB: string

beforeEach(async () => {
  world = await startRunnerWorld()
  remote = join(world.root, 'remote.git')
  machineB = join(world.root, 'machine-b')
  await git(world.root, 'clone', '-q', '--bare', world.repo, remote)
  await git(world.repo, 'remote', 'add', 'origin', remote)
  await git(world.repo, 'fetch', '-q', 'origin')
  await git(world.root, 'clone', '-q', remote, machineB)
})
afterEach(async () => {
  await world.close()
})

/** The dev's script in remote mode: commit the work and end; the runner pushes and reports. */
const COMMIT_ONLY_SCENARIO = {
  steps: [
    { write: { path: 'hello.txt', content: 'Hello World' } },
    { run: ['git', 'add', 'hello.txt'] },
    { run: ['git', 'commit', '-q', '-m', 'Add hello.txt'] },
  ],
  result: 'Created hello.txt and committed it.',
}

function devOnA(options: Partial<RunRunnerOptions> = {}) {
  return world.runRunner({
    agentId: 'dev_001',
    role: 'backend_dev',
    scenario: COMMIT_ONLY_SCENARIO,
    ...options,
    args: ['--remote', 'origin', ...(options.args ?? [])],
  })
}

/** QA on machine B; the script writes the commit it was given to review to `reviewedFile`. */
function qaOnB(reviewedFile: string, extraSteps: unknown[] = []) {
  return world.runRunner({
    agentId: 'qa_001',
    role: 'qa',
    args: ['--repo', machineB, '--remote', 'origin'],
    env: { TEST_REVIEWED_FILE: reviewedFile },
    scenario: {
      ...HELLO_QA_SCENARIO,
      steps: [
        { run: ['sh', '-c', 'git rev-parse HEAD > "$TEST_REVIEWED_FILE"'] },
        ...extraSteps,
        ...HELLO_QA_SCENARIO.steps,
      ],
    },
  })
}

const onRemote = (...args: string[]) => git(remote, ...args)

describe('hpm run --remote (git remote mode, R-REMOTE)', () => {
  it('claims nothing and exits 1 naming the fix when the remote is not configured', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })

    const dev = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: COMMIT_ONLY_SCENARIO,
      args: ['--remote', 'upstream'],
    })

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(1)
    expect(dev.stdout + dev.stderr).toContain('has no git remote named upstream')
    expect(await world.getTask(task.id)).toMatchObject({ status: 'created', locked_by: null })
  })

  it('pushes the task branch before dev_done, and a QA runner on another clone reviews exactly that commit and fast-forwards the remote base', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const baseBefore = await onRemote('rev-parse', 'main')

    const dev = await devOnA()

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    const reported = await world.getTask(task.id)
    expect(reported).toMatchObject({ status: 'dev_done', work_branch: `feature/task-${task.id}` })
    expect(await onRemote('rev-parse', `refs/heads/feature/task-${task.id}`)).toBe(
      reported.work_commit,
    )
    expect(await git(machineB, 'branch', '-a', '--list', '*task*')).toBe('')

    const reviewedFile = join(world.root, 'reviewed')
    const qa = await qaOnB(reviewedFile)

    expect(qa.exitCode, qa.stdout + qa.stderr).toBe(0)
    expect((await readFile(reviewedFile, 'utf8')).trim()).toBe(reported.work_commit)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'committed' })
    expect(await onRemote('rev-parse', 'main^1', 'main^2')).toBe(
      `${baseBefore}\n${reported.work_commit}`,
    )
    expect(await onRemote('show', 'main:hello.txt')).toBe('Hello World')
    expect(await git(machineB, 'rev-parse', 'main')).toBe(await onRemote('rev-parse', 'main'))
  })

  it('fails the attempt and never reports dev_done when the remote refuses the push', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const hook = join(remote, 'hooks', 'pre-receive')
    await writeFile(hook, '#!/bin/sh\necho "pushes are closed today" >&2\nexit 1\n')
    await chmod(hook, 0o755)

    const dev = await devOnA({ env: { HEADLESS_PM_MAX_ATTEMPTS: '1' } })

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(1)
    const after = await world.getTask(task.id)
    expect(after.status).not.toBe('dev_done')
    expect(after.locked_by).toBeNull()
    const runs = await world.runsOf(task.id)
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ outcome: 'succeeded', verdict: 'failed' })
    expect(String(runs[0]!.verdict_reason)).toMatch(
      /not reported: cannot push .*pushes are closed today/,
    )
    expect(await onRemote('branch', '--list', '*task*')).toBe('')
  })

  it('takes back a dev_done the agent reported itself when its work cannot be pushed', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const hook = join(remote, 'hooks', 'pre-receive')
    await writeFile(hook, '#!/bin/sh\nexit 1\n')
    await chmod(hook, 0o755)

    const dev = await devOnA({ scenario: HELLO_DEV_SCENARIO })

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(1)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'created', locked_by: null })
    const runs = await world.runsOf(task.id)
    expect(runs.at(-1)).toMatchObject({ verdict: 'failed' })
    expect(String(runs.at(-1)!.verdict_reason)).toContain(
      'the agent reported dev_done but its work could not be pushed',
    )
  })

  it('merges on the new tip when the remote base moved during the review, keeping what was pushed there', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const dev = await devOnA()
    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    const { work_commit: reviewed } = await world.getTask(task.id)
    const someoneElse = join(world.root, 'someone-else')
    await git(world.root, 'clone', '-q', remote, someoneElse)
    // Someone pushes to main while QA reviews (after QA's worktree was made from the old tip).
    const pushElsewhere = {
      run: [
        'sh',
        '-c',
        `cd "${someoneElse}" && echo other > other.txt && git add other.txt && git commit -qm other && git push -q origin HEAD:main`,
      ],
    }

    const qa = await qaOnB(join(world.root, 'reviewed'), [pushElsewhere])

    expect(qa.exitCode, qa.stdout + qa.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'committed' })
    const otherCommit = await git(someoneElse, 'rev-parse', 'HEAD')
    expect(await onRemote('rev-parse', 'main^1', 'main^2')).toBe(`${otherCommit}\n${reviewed}`)
    expect(await onRemote('show', 'main:other.txt')).toBe('other')
  })

  it('sends the task back to created and leaves the remote base alone when the moved base conflicts', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const dev = await devOnA()
    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    const someoneElse = join(world.root, 'someone-else')
    await git(world.root, 'clone', '-q', remote, someoneElse)
    const conflicting = {
      run: [
        'sh',
        '-c',
        `cd "${someoneElse}" && echo Goodbye > hello.txt && git add hello.txt && git commit -qm goodbye && git push -q origin HEAD:main`,
      ],
    }

    const qa = await qaOnB(join(world.root, 'reviewed'), [conflicting])

    expect(qa.exitCode, qa.stdout + qa.stderr).toBe(1)
    expect(qa.stdout).toContain('conflicts in')
    expect(await world.getTask(task.id)).toMatchObject({ status: 'created' })
    expect(await onRemote('rev-parse', 'main')).toBe(await git(someoneElse, 'rev-parse', 'HEAD'))
  })

  it('takes three minor tasks from machine A through QA on machine B, each merged into the remote base once', async () => {
    const titles = ['one', 'two', 'three']
    const tasks = []
    for (const title of titles) tasks.push(await world.createTask({ title }))
    const devScript = {
      steps: [
        { write: { path: 'task-{task_id}.txt', content: 'work of {task_id}' } },
        { run: ['git', 'add', '-A'] },
        { run: ['git', 'commit', '-qm', 'task {task_id}'] },
      ],
      result: 'done',
    }
    const qaScript = {
      steps: [{ run: ['test', '-f', 'task-{task_id}.txt'] }, reportStatusStep('qa_done', 'ok')],
      result: 'ok',
    }

    for (let i = 0; i < tasks.length; i++)
      expect((await devOnA({ scenario: devScript })).exitCode).toBe(0)
    for (let i = 0; i < tasks.length; i++) {
      const qa = await world.runRunner({
        agentId: 'qa_001',
        role: 'qa',
        args: ['--repo', machineB, '--remote', 'origin'],
        scenario: qaScript,
      })
      expect(qa.exitCode, qa.stdout + qa.stderr).toBe(0)
    }

    const merges = (await onRemote('log', '--first-parent', '--format=%s', 'main'))
      .split('\n')
      .filter((line) => line.startsWith('Merge task'))
    expect(merges.sort()).toEqual(tasks.map((t, i) => `Merge task ${t.id}: ${titles[i]}`).sort())
    for (const task of tasks) {
      const after = await world.getTask(task.id)
      expect(after.status).toBe('committed')
      expect(await onRemote('show', `main:task-${task.id}.txt`)).toBe(`work of ${task.id}`)
      // Exactly once: one commit of the task's work on the base, the one QA reviewed.
      expect(await onRemote('log', '--format=%H', 'main', '--grep', `^task ${task.id}$`)).toBe(
        after.work_commit,
      )
    }
  })

  it('merges a passed task into the remote base with `hpm tasks merge --remote`', async () => {
    const task = await world.createTask({ title: 'Create hello.txt', complexity: 'major' })
    expect((await devOnA()).exitCode).toBe(0)
    expect((await qaOnB(join(world.root, 'reviewed'))).exitCode).toBe(0)
    const { work_commit: reviewed } = await world.getTask(task.id)

    const merged = await runProcess(
      process.execPath,
      [
        HPM_BIN,
        'tasks',
        'merge',
        String(task.id),
        '--agent-id',
        'pm_1',
        '--repo',
        machineB,
        '--remote',
        'origin',
      ],
      {
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
      },
    )

    expect(merged.exitCode, merged.stdout + merged.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'committed' })
    expect(await onRemote('rev-parse', 'main^2')).toBe(reviewed)
  })

  it('keeps a passed major task at qa_done with its branch on the remote', async () => {
    const task = await world.createTask({ title: 'Create hello.txt', complexity: 'major' })
    const baseBefore = await onRemote('rev-parse', 'main')

    const dev = await devOnA()
    const qa = await qaOnB(join(world.root, 'reviewed'))

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    expect(qa.exitCode, qa.stdout + qa.stderr).toBe(0)
    const after = await world.getTask(task.id)
    expect(after).toMatchObject({ status: 'qa_done' })
    expect(await onRemote('rev-parse', `refs/heads/feature/task-${task.id}`)).toBe(
      after.work_commit,
    )
    expect(await onRemote('rev-parse', 'main')).toBe(baseBefore)
  })
})

describe('hpm run without --remote', () => {
  it('neither fetches nor pushes, even when the repository has a remote', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const refsBefore = await onRemote('for-each-ref', '--format=%(refname) %(objectname)')
    await git(machineB, 'commit', '-q', '--allow-empty', '-m', 'not fetched')
    await git(machineB, 'push', '-q', 'origin', 'HEAD:refs/heads/elsewhere')

    const dev = await world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      scenario: HELLO_DEV_SCENARIO,
    })
    const qa = await world.runRunner({ agentId: 'qa_001', role: 'qa', scenario: HELLO_QA_SCENARIO })

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    expect(qa.exitCode, qa.stdout + qa.stderr).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'committed' })
    expect(await git(world.repo, 'show', 'main:hello.txt')).toBe('Hello World')
    const refsAfter = (await onRemote('for-each-ref', '--format=%(refname) %(objectname)'))
      .split('\n')
      .filter((line) => !line.startsWith('refs/heads/elsewhere '))
    expect(refsAfter.join('\n')).toBe(refsBefore)
    expect(await git(world.repo, 'branch', '-r', '--list', 'origin/elsewhere')).toBe('')
  })
})
