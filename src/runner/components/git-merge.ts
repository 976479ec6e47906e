import { existsSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { gitFailure, isSamePath, type Git, type GitFailure } from './git.js'
import { fetchRemote, pushCommit, remoteRef } from './git-remote.js'
import { slug } from './slug.js'

export interface MergeOptions {
  branch: string
  /**
   * The exact commit to merge (the one QA reviewed); default the branch tip. Commits the branch
   * gained after it are not merged.
   */
  commit?: string
  baseBranch: string
  /** Message of the merge commit. */
  message: string
}

export type MergeResult =
  | { ok: true; sha: string; isAlreadyMerged: boolean }
  | { ok: false; conflict: true; files: string[]; message: string }
  | GitFailure

const MAX_ROUNDS = 3

/**
 * Merges `branch` into `baseBranch` (always a merge commit) in a scratch worktree
 * `<base>/merge-<branch>`, detached at the base tip, so the main checkout, which may be dirty, is
 * never used for the merge. The base ref then moves by fast-forward only: through
 * `git merge --ff-only` in the worktree that has the base checked out (its files follow, local
 * edits are kept or the move is refused), or by a compare-and-swap `update-ref` otherwise.
 * If the base moved meanwhile (another runner merged) the merge is redone, up to 3 times.
 * On every path the scratch worktree is removed, so no merge is ever left in progress.
 *
 * With `remote` (git remote mode) the remote's base branch is the one that counts: it is fetched,
 * the merge is made on its tip, and it moves only by a push with a lease on that tip
 * (`--force-with-lease=<base>:<tip>`), so a base someone else moved is never overwritten: the
 * merge is redone on the new tip (a conflict then sends the task back). The local base branch
 * then follows by fast-forward when it can; when it cannot, it is left as it is.
 */
export async function mergeIntoBase(
  git: Git,
  where: { repoDir: string; worktreeBase: string; remote?: string | undefined },
  options: MergeOptions,
): Promise<MergeResult> {
  for (const name of [options.branch, options.baseBranch]) {
    if (!(await git.isValidBranchName(where.repoDir, name))) {
      return gitFailure('invalid_name', `${name} is not a valid branch name`)
    }
  }
  const scratch = join(where.worktreeBase, `merge-${slug(options.branch)}`)
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const outcome = await mergeOnce(git, where.repoDir, scratch, options, where.remote)
      if (outcome !== 'base_moved') return outcome
    }
    return gitFailure('base_moved', `${options.baseBranch} kept moving during the merge; try again`)
  } finally {
    await removeScratch(git, where.repoDir, scratch)
  }
}

async function mergeOnce(
  git: Git,
  repoDir: string,
  scratch: string,
  options: MergeOptions,
  remote: string | undefined,
): Promise<MergeResult | 'base_moved'> {
  if (remote !== undefined) {
    const fetched = await fetchRemote(git, repoDir, remote)
    if (!fetched.ok) return fetched
  }
  const baseRef =
    remote === undefined
      ? `refs/heads/${options.baseBranch}`
      : remoteRef(remote, options.baseBranch)
  const baseSha = await git.resolveCommit(repoDir, baseRef)
  if (baseSha === undefined) {
    const where = remote === undefined ? '' : ` on ${remote}`
    return gitFailure('base_not_found', `base branch ${options.baseBranch} not found${where}`)
  }
  const branchSha =
    (await git.resolveCommit(repoDir, options.commit ?? `refs/heads/${options.branch}`)) ??
    (remote !== undefined && options.commit === undefined
      ? await git.resolveCommit(repoDir, remoteRef(remote, options.branch))
      : undefined)
  if (branchSha === undefined) {
    const what = options.commit ? `commit ${options.commit}` : `branch ${options.branch}`
    return gitFailure('branch_not_found', `${what} not found`)
  }
  const ancestor = await git.run(repoDir, ['merge-base', '--is-ancestor', branchSha, baseSha])
  if (ancestor.ok) {
    if (remote !== undefined) await followRemoteBase(git, repoDir, options.baseBranch, baseSha)
    return { ok: true, sha: baseSha, isAlreadyMerged: true }
  }

  const prepared = await prepareScratch(git, repoDir, scratch, baseSha)
  if (prepared !== undefined) return prepared
  const identity = await git.identityArgs(scratch)
  const merged = await git.run(scratch, [
    ...identity,
    'merge',
    '--no-ff',
    '--no-edit',
    '-m',
    options.message,
    branchSha,
  ])
  if (!merged.ok) {
    const unmerged = await git.run(scratch, ['diff', '--name-only', '--diff-filter=U', '-z'])
    const files = unmerged.stdout.split('\0').filter(Boolean)
    await git.run(scratch, ['merge', '--abort'])
    if (files.length > 0) {
      const message = `merging ${options.branch} into ${options.baseBranch} conflicts in ${files.join(', ')}`
      return { ok: false, conflict: true, files, message }
    }
    return gitFailure(
      'git_failed',
      `cannot merge ${options.branch} into ${options.baseBranch}`,
      merged,
    )
  }
  const mergeSha = await git.resolveCommit(scratch, 'HEAD')
  if (mergeSha === undefined) return gitFailure('git_failed', 'merge commit not found')
  if (remote !== undefined) {
    return advanceRemoteBase(git, repoDir, remote, options.baseBranch, baseSha, mergeSha)
  }
  return advanceBase(git, repoDir, options.baseBranch, baseSha, mergeSha)
}

/** Remote mode: the remote base moves from `baseSha` to `mergeSha` only if it is still `baseSha`. */
async function advanceRemoteBase(
  git: Git,
  repoDir: string,
  remote: string,
  baseBranch: string,
  baseSha: string,
  mergeSha: string,
): Promise<MergeResult | 'base_moved'> {
  const pushed = await pushCommit(git, repoDir, remote, {
    sha: mergeSha,
    branch: baseBranch,
    lease: baseSha,
  })
  if (!pushed.ok) {
    // Refused: when the remote base moved it is a race to redo; otherwise (a hook, rights) not.
    const fetched = await fetchRemote(git, repoDir, remote)
    const now = fetched.ok
      ? await git.resolveCommit(repoDir, remoteRef(remote, baseBranch))
      : baseSha
    return now !== baseSha ? 'base_moved' : pushed
  }
  await followRemoteBase(git, repoDir, baseBranch, mergeSha)
  return { ok: true, sha: mergeSha, isAlreadyMerged: false }
}

/**
 * Remote mode: the local base branch follows the remote's by fast-forward (as `advanceBase`
 * moves it: the checkout that has it, else a compare-and-swap). Best effort: a local base with
 * its own commits or a busy checkout is left alone; the remote is what counts.
 */
async function followRemoteBase(
  git: Git,
  repoDir: string,
  baseBranch: string,
  sha: string,
): Promise<void> {
  const local = await git.resolveCommit(repoDir, `refs/heads/${baseBranch}`)
  if (local === undefined || local === sha) return
  const isBehind = await git.run(repoDir, ['merge-base', '--is-ancestor', local, sha])
  if (isBehind.ok) await advanceBase(git, repoDir, baseBranch, local, sha)
}

async function advanceBase(
  git: Git,
  repoDir: string,
  baseBranch: string,
  baseSha: string,
  mergeSha: string,
): Promise<MergeResult | 'base_moved'> {
  const baseRef = `refs/heads/${baseBranch}`
  const list = await git.worktrees(repoDir)
  if (!Array.isArray(list)) return list
  const holder = list.find((entry) => entry.branch === baseRef)
  if (holder === undefined) {
    const updated = await git.run(repoDir, ['update-ref', baseRef, mergeSha, baseSha])
    if (updated.ok) return { ok: true, sha: mergeSha, isAlreadyMerged: false }
    return (await git.resolveCommit(repoDir, baseRef)) !== baseSha
      ? 'base_moved'
      : gitFailure('git_failed', `cannot update ${baseBranch}`, updated)
  }
  const forwarded = await git.run(holder.path, ['merge', '--ff-only', '--quiet', mergeSha])
  if (forwarded.ok) return { ok: true, sha: mergeSha, isAlreadyMerged: false }
  if ((await git.resolveCommit(repoDir, baseRef)) !== baseSha) return 'base_moved'
  return gitFailure(
    'base_checkout_busy',
    `${baseBranch} is checked out in ${holder.path} and cannot be fast-forwarded there (local changes or an operation in progress); ${baseBranch} is unchanged`,
    forwarded,
  )
}

async function prepareScratch(
  git: Git,
  repoDir: string,
  scratch: string,
  baseSha: string,
): Promise<GitFailure | undefined> {
  const list = await git.worktrees(repoDir)
  if (!Array.isArray(list)) return list
  if (list.some((entry) => isSamePath(entry.path, scratch))) {
    // Left over from a crash: bring it back to a clean state at the base tip.
    await git.run(scratch, ['merge', '--abort'])
    const reset = await git.run(scratch, ['reset', '--hard', '--quiet', baseSha])
    const cleaned = await git.run(scratch, ['clean', '-fdxq'])
    if (reset.ok && cleaned.ok) return undefined
    await removeScratch(git, repoDir, scratch)
  } else if (existsSync(scratch)) {
    await rm(scratch, { recursive: true, force: true })
  }
  await mkdir(join(scratch, '..'), { recursive: true })
  const added = await git.run(repoDir, ['worktree', 'add', '--detach', '--quiet', scratch, baseSha])
  return added.ok
    ? undefined
    : gitFailure('git_failed', `cannot create merge worktree ${scratch}`, added)
}

async function removeScratch(git: Git, repoDir: string, scratch: string): Promise<void> {
  await git.run(repoDir, ['worktree', 'remove', '--force', scratch])
  if (existsSync(scratch)) await rm(scratch, { recursive: true, force: true })
  await git.run(repoDir, ['worktree', 'prune'])
}
