import { existsSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { git, GIT_TEST_ENV, makeTempRepo, writeFiles } from '../../../test/fixtures/temp-repo.js'
import { GitWorktree } from './git-worktree.js'
import { spareWorktreeName } from './worktree-spare.js'

async function setup(isKept = true) {
  const repo = await makeTempRepo({
    'README.md': '# test\n',
    'src/a.ts': 'a\n',
    '.gitignore': 'node_modules/\n',
  })
  const base = join(dirname(repo), 'worktrees')
  const worktrees = new GitWorktree({
    repoDir: repo,
    worktreeBase: base,
    env: GIT_TEST_ENV,
    spare: { name: spareWorktreeName('dev 001'), isKept },
  })
  return { repo, base, spare: join(base, spareWorktreeName('dev 001')), worktrees }
}

function expectOk<T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result)}`)
  return result as Extract<T, { ok: true }>
}

/** A finished task: its worktree has a commit on its branch, plus untracked and ignored files. */
async function finishedTask(worktrees: GitWorktree, taskId: number) {
  const done = expectOk(await worktrees.ensureForTask({ taskId, branch: `feature/task-${taskId}` }))
  await writeFiles(done.path, { [`task-${taskId}.txt`]: 'work\n' })
  await git(done.path, 'add', '-A')
  await git(done.path, 'commit', '--quiet', '-m', `task ${taskId}`)
  await writeFiles(done.path, {
    'node_modules/x/index.js': 'ignored\n',
    'scratch.tmp': 'untracked\n',
  })
  return done
}

/** `git worktree list --porcelain`, one {path, branch} per worktree. */
async function registered(repo: string): Promise<{ path: string; branch: string | null }[]> {
  return (await git(repo, 'worktree', 'list', '--porcelain')).split('\n\n').map((block) => ({
    path: /^worktree (.*)$/m.exec(block)?.[1] ?? '',
    branch: /^branch (.*)$/m.exec(block)?.[1] ?? null,
  }))
}

describe('the spare worktree', () => {
  it('keeps a finished clean worktree detached, without untracked or ignored files, holding no branch', async () => {
    const { repo, spare, worktrees } = await setup()
    const done = await finishedTask(worktrees, 1)
    await git(done.path, 'clean', '-fq', '--', 'scratch.tmp')

    expectOk(await worktrees.retire(done.path))

    expect(existsSync(done.path)).toBe(false)
    expect(await registered(repo)).toContainEqual({ path: spare, branch: null })
    expect(existsSync(join(spare, 'node_modules'))).toBe(false)
    expect(await git(spare, 'status', '--porcelain', '--untracked-files=all', '--ignored')).toBe('')
    // The task's branch is free for anyone, and keeps its commit.
    expect(await git(repo, 'log', '--format=%s', '-1', 'feature/task-1')).toBe('task 1')
  })

  it("becomes the next task's worktree: on the new branch from the base, with none of the last task's files", async () => {
    const { repo, base, spare, worktrees } = await setup()
    const done = await finishedTask(worktrees, 1)
    await git(done.path, 'clean', '-fq', '--', 'scratch.tmp')
    expectOk(await worktrees.retire(done.path))

    const next = expectOk(await worktrees.ensureForTask({ taskId: 2, branch: 'feature/task-2' }))

    expect(next).toMatchObject({ path: join(base, 'task-2'), isCreated: true, isDirty: false })
    expect(existsSync(spare)).toBe(false)
    expect(await git(next.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('feature/task-2')
    expect(await git(repo, 'rev-parse', 'feature/task-2')).toBe(
      await git(repo, 'rev-parse', 'main'),
    )
    expect(existsSync(join(next.path, 'task-1.txt'))).toBe(false)
    expect(await readFile(join(next.path, 'src/a.ts'), 'utf8')).toBe('a\n')
    expect(await registered(repo)).toContainEqual({
      path: join(base, 'task-2'),
      branch: 'refs/heads/feature/task-2',
    })
  })

  it('checks out an existing branch in the spare (a task resumed here)', async () => {
    const { repo, spare, worktrees } = await setup()
    const first = await finishedTask(worktrees, 1)
    await git(first.path, 'clean', '-fq', '--', 'scratch.tmp')
    expectOk(await worktrees.retire(first.path))
    await git(repo, 'branch', 'feature/task-9', 'feature/task-1')

    const resumed = expectOk(await worktrees.ensureForTask({ taskId: 9, branch: 'feature/task-9' }))

    expect(existsSync(spare)).toBe(false)
    expect(await git(resumed.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('feature/task-9')
    expect(await readFile(join(resumed.path, 'task-1.txt'), 'utf8')).toBe('work\n')
  })

  it('becomes a review worktree, detached at the commit to review', async () => {
    const { repo, base, spare, worktrees } = await setup()
    const done = await finishedTask(worktrees, 1)
    const reviewed = await git(done.path, 'rev-parse', 'HEAD')
    await git(done.path, 'clean', '-fq', '--', 'scratch.tmp')
    expectOk(await worktrees.retire(done.path))

    const review = expectOk(
      await worktrees.ensureForReview({ taskId: 1, branch: 'feature/task-1' }),
    )

    expect(review).toMatchObject({
      path: join(base, 'task-1-qa'),
      commit: reviewed,
      isCreated: true,
    })
    expect(existsSync(spare)).toBe(false)
    expect(await git(review.path, 'rev-parse', 'HEAD')).toBe(reviewed)
    expect(await registered(repo)).toContainEqual({ path: review.path, branch: null })
  })

  it('is made from no dirty worktree: one with uncommitted changes is removed as before', async () => {
    const { repo, spare, worktrees } = await setup()
    const done = await finishedTask(worktrees, 1)

    expectOk(await worktrees.retire(done.path))

    expect(existsSync(done.path)).toBe(false)
    expect(existsSync(spare)).toBe(false)
    expect((await registered(repo)).map((w) => w.path)).toEqual([repo])
  })

  it('is one per agent: with a spare already waiting, a finished worktree is removed', async () => {
    const { repo, spare, worktrees } = await setup()
    const first = await finishedTask(worktrees, 1)
    await git(first.path, 'clean', '-fq', '--', 'scratch.tmp')
    const second = await finishedTask(worktrees, 2)
    await git(second.path, 'clean', '-fq', '--', 'scratch.tmp')

    expectOk(await worktrees.retire(first.path))
    expectOk(await worktrees.retire(second.path))

    expect(existsSync(second.path)).toBe(false)
    expect((await registered(repo)).map((w) => w.path)).toEqual([repo, spare])
  })

  it('is reset and cleaned before use, whatever was left in it', async () => {
    const { worktrees, spare } = await setup()
    const done = await finishedTask(worktrees, 1)
    await git(done.path, 'clean', '-fq', '--', 'scratch.tmp')
    expectOk(await worktrees.retire(done.path))
    await writeFile(join(spare, 'README.md'), 'scribbled\n')
    await writeFiles(spare, { 'stray.txt': 'x', 'node_modules/y.js': 'x' })

    const next = expectOk(await worktrees.ensureForTask({ taskId: 2, branch: 'feature/task-2' }))

    expect(
      await git(next.path, 'status', '--porcelain', '--untracked-files=all', '--ignored'),
    ).toBe('')
    expect(await readFile(join(next.path, 'README.md'), 'utf8')).toBe('# test\n')
  })

  it('is made from no worktree whose index or settings would carry into the next task', async () => {
    const { repo, spare, worktrees } = await setup()
    for (const [taskId, spoil] of [
      [1, ['update-index', '--assume-unchanged', 'src/a.ts']],
      [2, ['update-index', '--skip-worktree', 'README.md']],
      [3, ['sparse-checkout', 'set', 'src']],
    ] as const) {
      const done = await finishedTask(worktrees, taskId)
      await git(done.path, 'clean', '-fq', '--', 'scratch.tmp')
      await git(done.path, ...spoil)

      expectOk(await worktrees.retire(done.path))

      expect(existsSync(done.path), spoil.join(' ')).toBe(false)
      expect(existsSync(spare), spoil.join(' ')).toBe(false)
    }
    expect((await registered(repo)).map((w) => w.path)).toEqual([repo])
  })

  it('leaves a locked worktree as it is, and never touches the main checkout of a worktree whose .git is gone', async () => {
    const { repo, spare, worktrees } = await setup()
    const locked = await finishedTask(worktrees, 1)
    await git(locked.path, 'clean', '-fq', '--', 'scratch.tmp')
    await git(repo, 'worktree', 'lock', locked.path)
    const orphan = await finishedTask(worktrees, 2)
    await git(orphan.path, 'clean', '-fq', '--', 'scratch.tmp')
    await rm(join(orphan.path, '.git'))

    await worktrees.retire(locked.path)
    await worktrees.retire(orphan.path)

    expect(existsSync(spare)).toBe(false)
    expect(await git(locked.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('feature/task-1')
    expect(existsSync(join(locked.path, 'node_modules/x/index.js'))).toBe(true)
    expect(await git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main')
  })

  it('is not made from a worktree a process still works in (it would follow the folder)', async ({
    onTestFinished,
  }) => {
    const { spare, worktrees } = await setup()
    const done = await finishedTask(worktrees, 1)
    await git(done.path, 'clean', '-fq', '--', 'scratch.tmp')
    const lingering = spawn('sleep', ['60'], { cwd: join(done.path, 'src'), stdio: 'ignore' })
    onTestFinished(() => void lingering.kill('SIGKILL'))

    expectOk(await worktrees.retire(done.path))

    expect(existsSync(spare)).toBe(false)
    expect(existsSync(done.path)).toBe(false)
  })

  it('is found at the task path when a runner stopped between moving and checking it out', async () => {
    const { repo, base, spare, worktrees } = await setup()
    const done = await finishedTask(worktrees, 1)
    await git(done.path, 'clean', '-fq', '--', 'scratch.tmp')
    expectOk(await worktrees.retire(done.path))
    await git(repo, 'worktree', 'move', spare, join(base, 'task-2'))

    const next = expectOk(await worktrees.ensureForTask({ taskId: 2, branch: 'feature/task-2' }))

    expect(next).toMatchObject({ path: join(base, 'task-2'), isCreated: true, movedAside: null })
    expect(await git(next.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('feature/task-2')
    expect(existsSync(join(next.path, 'task-1.txt'))).toBe(false)
    expect((await registered(repo)).map((w) => w.path)).toEqual([repo, next.path])
  })

  it('replaces a spare folder left unregistered by a move cut short', async () => {
    const { repo, spare, worktrees } = await setup()
    await writeFiles(spare, { 'half-moved.txt': 'x' })
    const done = await finishedTask(worktrees, 1)
    await git(done.path, 'clean', '-fq', '--', 'scratch.tmp')

    expectOk(await worktrees.retire(done.path))

    expect(await registered(repo)).toContainEqual({ path: spare, branch: null })
    expect(existsSync(join(spare, 'half-moved.txt'))).toBe(false)
  })

  it('is not kept when the runner is told not to (HEADLESS_PM_SPARE_WORKTREE=false), and removeSpare removes one left from before', async () => {
    const { repo, worktrees } = await setup(false)
    const done = await finishedTask(worktrees, 1)
    await git(done.path, 'clean', '-fq', '--', 'scratch.tmp')

    expectOk(await worktrees.retire(done.path))
    const before = await setup()
    const kept = await finishedTask(before.worktrees, 1)
    await git(kept.path, 'clean', '-fq', '--', 'scratch.tmp')
    expectOk(await before.worktrees.retire(kept.path))
    const turnedOff = new GitWorktree({
      repoDir: before.repo,
      worktreeBase: before.base,
      env: GIT_TEST_ENV,
      spare: { name: spareWorktreeName('dev 001'), isKept: false },
    })

    await turnedOff.removeSpare()

    expect((await registered(repo)).map((w) => w.path)).toEqual([repo])
    expect((await registered(before.repo)).map((w) => w.path)).toEqual([before.repo])
    expect(existsSync(before.spare)).toBe(false)
  })
})
