import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  git,
  gitExitCode,
  GIT_TEST_ENV,
  makeTempDir,
  makeTempRepo,
  writeFiles,
} from '../../../test/fixtures/temp-repo.js'
import { ensureExcluded, Git } from './git.js'
import { GitWorktree } from './git-worktree.js'

async function setup(files?: Record<string, string> | null, allowInitialCommit = false) {
  const repo = await makeTempRepo(files)
  const base = join(dirname(repo), 'worktrees')
  const worktrees = new GitWorktree({
    repoDir: repo,
    worktreeBase: base,
    env: GIT_TEST_ENV,
    allowInitialCommit,
  })
  return { repo, base, worktrees }
}

function expectOk<T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result)}`)
  return result as Extract<T, { ok: true }>
}

describe('GitWorktree.ensureForTask', () => {
  it('creates task-<id> on a new branch from the current branch', async () => {
    const { repo, base, worktrees } = await setup()

    const result = expectOk(
      await worktrees.ensureForTask({ taskId: 12, branch: 'feature/task-12' }),
    )

    expect(result).toMatchObject({ path: join(base, 'task-12'), isCreated: true, isDirty: false })
    expect(await readFile(join(result.path, 'README.md'), 'utf8')).toBe('# test\n')
    expect(await git(result.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('feature/task-12')
    expect(await git(repo, 'rev-parse', 'feature/task-12')).toBe(
      await git(repo, 'rev-parse', 'main'),
    )
  })

  it('starts the branch from the given base branch', async () => {
    const { repo, worktrees } = await setup()
    await git(repo, 'branch', 'develop')
    await git(repo, 'commit', '--allow-empty', '--quiet', '-m', 'main only')

    const result = expectOk(
      await worktrees.ensureForTask({ taskId: 3, branch: 't3', baseBranch: 'develop' }),
    )

    expect(await git(result.path, 'rev-parse', 'HEAD')).toBe(
      await git(repo, 'rev-parse', 'develop'),
    )
  })

  it('reuses the worktree on resume and keeps and reports uncommitted work', async () => {
    const { worktrees } = await setup()
    const first = expectOk(await worktrees.ensureForTask({ taskId: 5, branch: 'feature/task-5' }))
    await writeFile(join(first.path, 'work.txt'), 'half done')

    const second = expectOk(await worktrees.ensureForTask({ taskId: 5, branch: 'feature/task-5' }))

    expect(second).toMatchObject({ path: first.path, isCreated: false, isDirty: true })
    expect(await readFile(join(second.path, 'work.txt'), 'utf8')).toBe('half done')
  })

  it('moves an unregistered leftover directory aside and creates the worktree', async () => {
    const { repo, base, worktrees } = await setup()
    await writeFiles(join(base, 'task-7'), { 'leftover.txt': 'old' })

    const result = expectOk(await worktrees.ensureForTask({ taskId: 7, branch: 'feature/task-7' }))

    expect(result.isCreated).toBe(true)
    expect(result.movedAside).not.toBeNull()
    expect(await readFile(join(result.movedAside as string, 'leftover.txt'), 'utf8')).toBe('old')
    expect(await git(repo, 'worktree', 'list')).toContain(join(base, 'task-7'))
  })

  it('recreates the worktree when its directory was deleted by hand', async () => {
    const { worktrees } = await setup()
    const first = expectOk(await worktrees.ensureForTask({ taskId: 8, branch: 'feature/task-8' }))
    await import('node:fs/promises').then((fs) => fs.rm(first.path, { recursive: true }))

    const second = expectOk(await worktrees.ensureForTask({ taskId: 8, branch: 'feature/task-8' }))

    expect(second).toMatchObject({ path: first.path, isCreated: true })
  })

  it('returns branch_in_use when the branch is checked out outside the worktree base', async () => {
    const { repo, worktrees } = await setup()
    await git(repo, 'checkout', '--quiet', '-b', 'feature/task-9')

    const result = await worktrees.ensureForTask({ taskId: 9, branch: 'feature/task-9' })

    expect(result).toMatchObject({ ok: false, code: 'branch_in_use' })
  })

  it("returns branch_in_use for a branch another task's worktree has checked out: worktrees are keyed by task", async () => {
    const { repo, base, worktrees } = await setup()
    await git(repo, 'worktree', 'add', '--quiet', '-b', 'shared', join(base, 'task-9'))

    const result = await worktrees.ensureForTask({ taskId: 10, branch: 'shared' })

    expect(result).toMatchObject({ ok: false, code: 'branch_in_use' })
    expect((result as { message: string }).message).toContain(join(base, 'task-9'))
  })

  it('returns no_commits in an empty repository', async () => {
    const { worktrees } = await setup(null)

    const result = await worktrees.ensureForTask({ taskId: 1, branch: 'feature/task-1' })

    expect(result).toMatchObject({ ok: false, code: 'no_commits' })
    expect((result as { message: string }).message).toMatch(/has no commits/)
  })

  it('makes an empty initial commit when allowed, leaving staged files alone', async () => {
    const { repo, worktrees } = await setup(null, true)
    await writeFiles(repo, { 'staged.txt': 'mine' })
    await git(repo, 'add', 'staged.txt')

    const result = expectOk(await worktrees.ensureForTask({ taskId: 1, branch: 'feature/task-1' }))

    expect(await git(repo, 'log', '--format=%s', 'main')).toBe('Initial commit')
    expect(await git(repo, 'ls-tree', '-r', '--name-only', 'main')).toBe('')
    expect(await git(repo, 'diff', '--cached', '--name-only')).toBe('staged.txt')
    expect(existsSync(join(result.path, 'staged.txt'))).toBe(false)
  })

  it('rejects an invalid branch name', async () => {
    const { worktrees } = await setup()

    expect(await worktrees.ensureForTask({ taskId: 1, branch: 'bad..name' })).toMatchObject({
      ok: false,
      code: 'invalid_name',
    })
  })

  it('keeps the main checkout clean when the worktree base is inside the repository', async () => {
    const repo = await makeTempRepo()
    const worktrees = new GitWorktree({
      repoDir: repo,
      worktreeBase: join(repo, '.worktrees'),
      env: GIT_TEST_ENV,
    })

    expectOk(await worktrees.ensureForTask({ taskId: 2, branch: 'feature/task-2' }))

    expect(await git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe('')
  })
})

describe('GitWorktree.ensureForReview', () => {
  it('checks out the branch tip detached beside the dev worktree and follows new commits', async () => {
    const { base, worktrees } = await setup()
    const dev = expectOk(await worktrees.ensureForTask({ taskId: 4, branch: 'feature/task-4' }))
    await writeFiles(dev.path, { 'a.txt': 'a' })
    expectOk(await worktrees.commitAll(dev.path, 'add a'))

    const review = expectOk(
      await worktrees.ensureForReview({ taskId: 4, branch: 'feature/task-4' }),
    )
    await writeFiles(dev.path, { 'b.txt': 'b' })
    const second = expectOk(await worktrees.commitAll(dev.path, 'add b'))
    const again = expectOk(await worktrees.ensureForReview({ taskId: 4, branch: 'feature/task-4' }))

    expect(review.path).toBe(join(base, 'task-4-qa'))
    expect(await git(review.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('HEAD')
    expect(again).toMatchObject({ path: review.path, isCreated: false })
    expect(again.commit).toBe(second.committed ? second.sha : '')
    expect(await readFile(join(again.path, 'b.txt'), 'utf8')).toBe('b')
  })

  it('returns branch_not_found for a branch that does not exist', async () => {
    const { worktrees } = await setup()

    expect(await worktrees.ensureForReview({ taskId: 1, branch: 'nope' })).toMatchObject({
      ok: false,
      code: 'branch_not_found',
    })
  })
})

describe('GitWorktree commits and status', () => {
  it('commits everything, reports nothing to commit, and counts commits ahead', async () => {
    const { worktrees } = await setup()
    const wt = expectOk(await worktrees.ensureForTask({ taskId: 6, branch: 'feature/task-6' }))

    const empty = await worktrees.commitAll(wt.path, 'nothing')
    await writeFiles(wt.path, { 'src/new.ts': 'x', 'README.md': 'changed' })
    const dirty = expectOk(await worktrees.status(wt.path))
    const committed = expectOk(
      await worktrees.commitAll(wt.path, 'task 6', { name: 'Dev One', email: 'dev1@example.test' }),
    )
    const ahead = expectOk(await worktrees.commitsAhead(wt.path, 'main'))

    expect(empty).toEqual({ ok: true, committed: false })
    expect(dirty).toMatchObject({ isDirty: true, operationInProgress: null })
    expect(dirty.changes).toHaveLength(2)
    expect(committed.committed).toBe(true)
    expect(await git(wt.path, 'log', '-1', '--format=%an|%s')).toBe('Dev One|task 6')
    expect(ahead.count).toBe(1)
    expect(expectOk(await worktrees.status(wt.path)).isDirty).toBe(false)
  })

  it('never commits in, or reports, the main checkout for a worktree whose .git an agent removed', async () => {
    const repo = await makeTempRepo({ 'README.md': '# test\n' })
    // The default base sits inside the repository, so git run in an orphaned folder finds the main checkout.
    const worktrees = new GitWorktree({
      repoDir: repo,
      worktreeBase: join(repo, '.worktrees'),
      env: GIT_TEST_ENV,
    })
    const wt = expectOk(await worktrees.ensureForTask({ taskId: 4, branch: 'feature/task-4' }))
    await rm(join(wt.path, '.git'))
    await writeFiles(wt.path, { 'agent.txt': 'work' })
    await writeFiles(repo, { 'README.md': 'the person is editing this\n' })
    const mainHead = await git(repo, 'rev-parse', 'HEAD')

    const committed = await worktrees.commitAll(wt.path, 'leftovers')
    const status = await worktrees.status(wt.path)

    expect(committed).toMatchObject({ ok: false, code: 'not_a_worktree' })
    expect(status).toMatchObject({ ok: false, code: 'not_a_worktree' })
    expect(await git(repo, 'rev-parse', 'HEAD')).toBe(mainHead)
    expect(await git(repo, 'status', '--porcelain')).toBe('M README.md')
  })

  it('removes a dirty worktree only with force and refuses paths outside the base', async () => {
    const { repo, worktrees } = await setup()
    const wt = expectOk(await worktrees.ensureForTask({ taskId: 11, branch: 'feature/task-11' }))
    await writeFiles(wt.path, { 'dirty.txt': 'x' })

    const refused = await worktrees.remove(wt.path)
    const outside = await worktrees.remove(repo, { force: true })
    const removed = await worktrees.remove(wt.path, { force: true })
    const again = await worktrees.remove(wt.path)

    expect(refused).toMatchObject({ ok: false, code: 'dirty' })
    expect(outside).toMatchObject({ ok: false, code: 'path_outside_base' })
    expect(removed).toEqual({ ok: true })
    expect(again).toEqual({ ok: true })
    expect(existsSync(wt.path)).toBe(false)
    expect(await git(repo, 'branch', '--list', 'feature/task-11')).toContain('feature/task-11')
  })
})

describe('GitWorktree.mergeIntoBase', () => {
  async function taskWithCommit(files: Record<string, string>) {
    const context = await setup({ 'shared.txt': 'base\n', 'README.md': '# r\n' })
    const wt = expectOk(
      await context.worktrees.ensureForTask({ taskId: 20, branch: 'feature/task-20' }),
    )
    await writeFiles(wt.path, files)
    expectOk(await context.worktrees.commitAll(wt.path, 'task work'))
    return { ...context, wt }
  }

  it('merges into the checked-out base, keeping unrelated local edits in the main checkout', async () => {
    const { repo, base, worktrees } = await taskWithCommit({ 'feature.txt': 'new\n' })
    await writeFile(join(repo, 'README.md'), '# local edit\n')

    const result = await worktrees.mergeIntoBase({
      branch: 'feature/task-20',
      baseBranch: 'main',
      message: 'Merge task 20',
    })

    expect(result).toMatchObject({ ok: true, isAlreadyMerged: false })
    const sha = (result as { sha: string }).sha
    expect(await git(repo, 'rev-parse', 'main')).toBe(sha)
    expect(await git(repo, 'log', '-1', '--format=%s')).toBe('Merge task 20')
    expect(await readFile(join(repo, 'feature.txt'), 'utf8')).toBe('new\n')
    expect(await readFile(join(repo, 'README.md'), 'utf8')).toBe('# local edit\n')
    expect(await git(repo, 'status', '--porcelain')).toBe('M README.md')
    expect(existsSync(join(base, 'merge-feature-task-20'))).toBe(false)
  })

  it('moves the base ref directly when the base is not checked out anywhere', async () => {
    const { repo, worktrees } = await taskWithCommit({ 'feature.txt': 'new\n' })
    await git(repo, 'branch', 'release')
    await git(repo, 'checkout', '--quiet', '--detach')

    const result = await worktrees.mergeIntoBase({
      branch: 'feature/task-20',
      baseBranch: 'release',
      message: 'm',
    })

    expect(result).toMatchObject({ ok: true })
    expect(await git(repo, 'show', 'release:feature.txt')).toBe('new')
  })

  it('reports a conflict, leaving the base untouched and no merge in progress', async () => {
    const { repo, base, worktrees } = await taskWithCommit({ 'shared.txt': 'from task\n' })
    await writeFile(join(repo, 'shared.txt'), 'from main\n')
    await git(repo, 'commit', '--quiet', '-am', 'main change')
    const before = await git(repo, 'rev-parse', 'main')

    const result = await worktrees.mergeIntoBase({
      branch: 'feature/task-20',
      baseBranch: 'main',
      message: 'm',
    })

    expect(result).toMatchObject({ ok: false, conflict: true, files: ['shared.txt'] })
    expect(await git(repo, 'rev-parse', 'main')).toBe(before)
    expect(await git(repo, 'status', '--porcelain')).toBe('')
    expect(await gitExitCode(repo, 'rev-parse', '--verify', '--quiet', 'MERGE_HEAD')).not.toBe(0)
    expect(await git(repo, 'worktree', 'list', '--porcelain')).not.toContain('merge-')
    expect(existsSync(join(base, 'merge-feature-task-20'))).toBe(false)
  })

  it('returns base_checkout_busy when local edits in the main checkout overlap the merge', async () => {
    const { repo, worktrees } = await taskWithCommit({ 'shared.txt': 'from task\n' })
    await writeFile(join(repo, 'shared.txt'), 'uncommitted local\n')
    const before = await git(repo, 'rev-parse', 'main')

    const result = await worktrees.mergeIntoBase({
      branch: 'feature/task-20',
      baseBranch: 'main',
      message: 'm',
    })

    expect(result).toMatchObject({ ok: false, code: 'base_checkout_busy' })
    expect(await git(repo, 'rev-parse', 'main')).toBe(before)
    expect(await readFile(join(repo, 'shared.txt'), 'utf8')).toBe('uncommitted local\n')
  })

  it('reports an already merged branch without a new commit', async () => {
    const { repo, worktrees } = await taskWithCommit({ 'feature.txt': 'new\n' })
    const first = await worktrees.mergeIntoBase({
      branch: 'feature/task-20',
      baseBranch: 'main',
      message: 'm',
    })

    const second = await worktrees.mergeIntoBase({
      branch: 'feature/task-20',
      baseBranch: 'main',
      message: 'm',
    })

    expect(second).toEqual({ ok: true, sha: (first as { sha: string }).sha, isAlreadyMerged: true })
    expect(await git(repo, 'rev-parse', 'main')).toBe((first as { sha: string }).sha)
  })
})

describe('ensureExcluded', () => {
  it('adds each pattern to info/exclude once', async () => {
    const repo = await makeTempRepo()
    const runner = new Git({ env: GIT_TEST_ENV })

    const first = await ensureExcluded(repo, ['.worktrees/', '.headless-pm/'], runner)
    const second = await ensureExcluded(repo, ['.worktrees/'], runner)

    expect(first).toEqual({ ok: true, added: ['.worktrees/', '.headless-pm/'] })
    expect(second).toEqual({ ok: true, added: [] })
    const exclude = await readFile(join(repo, '.git', 'info', 'exclude'), 'utf8')
    expect(exclude.split('\n').filter((line) => line === '.worktrees/')).toHaveLength(1)
  })

  it('returns not_a_repository outside a repository', async () => {
    const dir = await makeTempDir()
    await mkdir(join(dir, 'plain'))

    const result = await ensureExcluded(
      join(dir, 'plain'),
      ['x/'],
      new Git({ env: { ...GIT_TEST_ENV, GIT_CEILING_DIRECTORIES: dir } }),
    )

    expect(result).toMatchObject({ ok: false, code: 'not_a_repository' })
  })
})
