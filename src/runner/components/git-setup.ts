import { existsSync } from 'node:fs'
import { readdir, rename, rmdir } from 'node:fs/promises'
import { gitFailure, isSamePath, type Git, type GitFailure, type WorktreeEntry } from './git.js'

/**
 * Checks the repository has at least one commit; with `allowInitialCommit` makes an empty one on the
 * current branch instead of failing.
 */
export async function ensureCommits(
  git: Git,
  repoDir: string,
  allowInitialCommit: boolean,
): Promise<GitFailure | undefined> {
  const any = await git.run(repoDir, ['rev-list', '-n', '1', '--all'])
  if (any.ok && any.stdout.trim()) return undefined
  if (!allowInitialCommit) {
    return gitFailure('no_commits', `repository ${repoDir} has no commits`)
  }
  // Plumbing, so nothing the user staged in the main checkout ends up in this commit.
  const tree = await git.run(repoDir, ['hash-object', '-t', 'tree', '/dev/null'])
  const identity = await git.identityArgs(repoDir)
  const commit = await git.run(repoDir, [
    ...identity,
    'commit-tree',
    tree.stdout.trim(),
    '-m',
    'Initial commit',
  ])
  const head = await git.run(repoDir, ['symbolic-ref', 'HEAD'])
  if (!tree.ok || !commit.ok || !head.ok) {
    return gitFailure('git_failed', 'cannot create the initial commit', commit.ok ? head : commit)
  }
  const updated = await git.run(repoDir, ['update-ref', head.stdout.trim(), commit.stdout.trim()])
  return updated.ok
    ? undefined
    : gitFailure('git_failed', 'cannot create the initial commit', updated)
}

/**
 * Moves whatever occupies `target` out of the way (a registered worktree with `git worktree move`,
 * a plain directory by renaming), keeping any work in it; returns where it went, or null when there
 * was nothing (or only an empty directory) there.
 */
export async function moveAside(
  git: Git,
  repoDir: string,
  target: string,
  list: WorktreeEntry[],
): Promise<string | null | GitFailure> {
  const registered = list.some((entry) => isSamePath(entry.path, target))
  if (!registered && !existsSync(target)) return null
  if (!registered && (await readdir(target)).length === 0) {
    await rmdir(target)
    return null
  }
  const aside = `${target}.stale-${new Date().toISOString().replace(/[:.]/g, '-')}`
  if (registered) {
    const moved = await git.run(repoDir, ['worktree', 'move', target, aside])
    if (!moved.ok) return gitFailure('git_failed', `cannot move worktree ${target} aside`, moved)
  } else {
    await rename(target, aside)
  }
  return aside
}
