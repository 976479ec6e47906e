import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { git, GIT_TEST_ENV, makeTempRepo } from '../../../test/fixtures/temp-repo.js'
import { Git } from './git.js'
import { fetchRemote, pushCommit, remoteRef } from './git-remote.js'
import { GitWorktree } from './git-worktree.js'

/** A repository with a bare remote `origin` holding its `main`, and a second clone of it. */
async function setup() {
  const repo = await makeTempRepo()
  const root = dirname(repo)
  const remote = join(root, 'remote.git')
  const other = join(root, 'other')
  await git(root, 'clone', '-q', '--bare', repo, remote)
  await git(repo, 'remote', 'add', 'origin', remote)
  await git(root, 'clone', '-q', remote, other)
  return { repo, remote, other, root, gitRunner: new Git({ env: GIT_TEST_ENV }) }
}

async function commitIn(dir: string, message: string): Promise<string> {
  await git(dir, 'commit', '-q', '--allow-empty', '-m', message)
  return git(dir, 'rev-parse', 'HEAD')
}

describe('pushCommit', () => {
  it('refuses and leaves the remote branch alone when it moved since the lease was taken', async () => {
    const { repo, remote, other, gitRunner } = await setup()
    const lease = await git(remote, 'rev-parse', 'main')
    const theirs = await commitIn(other, 'pushed by someone else')
    await git(other, 'push', '-q', 'origin', 'HEAD:main')
    const ours = await commitIn(repo, 'ours')

    const pushed = await pushCommit(gitRunner, repo, 'origin', { sha: ours, branch: 'main', lease })

    expect(pushed).toMatchObject({ ok: false, code: 'push_failed' })
    expect(await git(remote, 'rev-parse', 'main')).toBe(theirs)
  })

  it('moves the remote branch and its remote-tracking ref when the lease holds', async () => {
    const { repo, remote, gitRunner } = await setup()
    const lease = await git(remote, 'rev-parse', 'main')
    const ours = await commitIn(repo, 'ours')

    const pushed = await pushCommit(gitRunner, repo, 'origin', { sha: ours, branch: 'main', lease })

    expect(pushed).toEqual({ ok: true })
    expect(await git(remote, 'rev-parse', 'main')).toBe(ours)
    expect(await git(repo, 'rev-parse', remoteRef('origin', 'main'))).toBe(ours)
  })
})

describe('fetchRemote', () => {
  it('returns fetch_failed naming the remote when it cannot be reached', async () => {
    const { repo, root, gitRunner } = await setup()
    await git(repo, 'remote', 'set-url', 'origin', join(root, 'gone.git'))

    expect(await fetchRemote(gitRunner, repo, 'origin')).toMatchObject({
      ok: false,
      code: 'fetch_failed',
      message: expect.stringContaining('cannot fetch from origin'),
    })
  })
})

describe('GitWorktree.ensureForTask with a remote', () => {
  it('starts a new task branch from the remote base, not the stale local one', async () => {
    const { repo, other, root } = await setup()
    const remoteTip = await commitIn(other, 'moved on the remote')
    await git(other, 'push', '-q', 'origin', 'HEAD:main')
    const worktrees = new GitWorktree({
      repoDir: repo,
      worktreeBase: join(root, 'worktrees'),
      env: GIT_TEST_ENV,
      remote: 'origin',
    })

    expect(await worktrees.fetch()).toEqual({ ok: true })
    const made = await worktrees.ensureForTask({
      taskId: 7,
      branch: 'feature/task-7',
      baseBranch: 'main',
    })

    expect(made.ok).toBe(true)
    expect(await git(join(root, 'worktrees', 'task-7'), 'rev-parse', 'HEAD')).toBe(remoteTip)
  })

  it('continues a task branch another machine pushed further than the local one', async () => {
    const { repo, other, root } = await setup()
    await git(repo, 'branch', 'feature/task-8')
    await git(other, 'checkout', '-q', '-b', 'feature/task-8')
    const theirs = await commitIn(other, 'work from another machine')
    await git(other, 'push', '-q', 'origin', 'feature/task-8')
    const worktrees = new GitWorktree({
      repoDir: repo,
      worktreeBase: join(root, 'worktrees'),
      env: GIT_TEST_ENV,
      remote: 'origin',
    })

    await worktrees.fetch()
    const made = await worktrees.ensureForTask({
      taskId: 8,
      branch: 'feature/task-8',
      baseBranch: 'main',
    })

    expect(made.ok).toBe(true)
    expect(await git(join(root, 'worktrees', 'task-8'), 'rev-parse', 'HEAD')).toBe(theirs)
  })
})
