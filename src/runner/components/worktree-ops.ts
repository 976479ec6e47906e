import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { gitFailure, isSamePath, type Git, type GitFailure } from './git.js'

export interface WorktreeStatus {
  ok: true
  isDirty: boolean
  /** `git status --porcelain` lines. */
  changes: string[]
  operationInProgress: 'merge' | 'rebase' | 'cherry-pick' | null
}

export type CommitResult =
  { ok: true; committed: true; sha: string } | { ok: true; committed: false }

/** The state of one worktree: uncommitted changes and any merge/rebase left in progress. */
export async function worktreeStatus(git: Git, path: string): Promise<WorktreeStatus | GitFailure> {
  const dirs = await ownGitDirs(git, path)
  if (!dirs.ok) return dirs
  const listed = await git.run(path, ['status', '--porcelain', '--untracked-files=all'])
  if (!listed.ok) return gitFailure('not_a_worktree', `cannot read git status of ${path}`, listed)
  const changes = listed.stdout.split('\n').filter(Boolean)
  return {
    ok: true,
    isDirty: changes.length > 0,
    changes,
    operationInProgress: operationInProgress(dirs.gitDir),
  }
}

/**
 * The git folder of the checkout at `path`, refused unless `path` is that checkout's top level. A
 * worktree whose `.git` file an agent deleted is a plain folder inside the repository, and git run
 * there acts on the main checkout: a status would be the project's, a commit would land on its
 * branch with the person's own uncommitted changes.
 */
export async function ownGitDirs(
  git: Git,
  path: string,
): Promise<{ ok: true; gitDir: string } | GitFailure> {
  const dirs = await git.run(path, ['rev-parse', '--show-toplevel', '--absolute-git-dir'])
  const [top, gitDir] = dirs.stdout.trim().split('\n')
  if (!dirs.ok || top === undefined || gitDir === undefined)
    return gitFailure('not_a_worktree', `${path} is not a git worktree`, dirs)
  if (!isSamePath(top, path))
    return gitFailure(
      'not_a_worktree',
      `${path} is not a git checkout of its own (git finds ${top} from there: was its .git removed?)`,
    )
  return { ok: true, gitDir }
}

/** The merge, rebase or cherry-pick left in progress in the worktree whose git folder is `gitDir`. */
export function operationInProgress(gitDir: string): WorktreeStatus['operationInProgress'] {
  if (existsSync(join(gitDir, 'MERGE_HEAD'))) return 'merge'
  if (existsSync(join(gitDir, 'rebase-merge')) || existsSync(join(gitDir, 'rebase-apply')))
    return 'rebase'
  return existsSync(join(gitDir, 'CHERRY_PICK_HEAD')) ? 'cherry-pick' : null
}

/** Stages everything and commits; `committed: false` when there was nothing to commit. */
export async function commitAll(
  git: Git,
  path: string,
  message: string,
  author?: { name: string; email: string },
): Promise<CommitResult | GitFailure> {
  const own = await ownGitDirs(git, path)
  if (!own.ok) return own
  const staged = await git.run(path, ['add', '--all'])
  if (!staged.ok) return gitFailure('git_failed', `cannot stage changes in ${path}`, staged)
  const diff = await git.run(path, ['diff', '--cached', '--quiet'])
  if (diff.ok) return { ok: true, committed: false }
  const authorArgs = author ? [`--author=${author.name} <${author.email}>`] : []
  const identity = await git.identityArgs(path)
  const committed = await git.run(path, [
    ...identity,
    'commit',
    '--quiet',
    // The runner's safety commits must not be refused by the project's pre-commit hooks.
    '--no-verify',
    '-m',
    message,
    ...authorArgs,
  ])
  if (!committed.ok) return gitFailure('git_failed', `cannot commit in ${path}`, committed)
  const sha = await git.resolveCommit(path, 'HEAD')
  return sha ? { ok: true, committed: true, sha } : gitFailure('git_failed', 'commit not found')
}

/** Commits on the worktree's HEAD that `baseBranch` does not have. */
export async function commitsAhead(
  git: Git,
  path: string,
  baseBranch: string,
): Promise<{ ok: true; count: number } | GitFailure> {
  const base = await git.resolveCommit(path, baseBranch)
  if (base === undefined) return gitFailure('base_not_found', `base branch ${baseBranch} not found`)
  const counted = await git.run(path, ['rev-list', '--count', `${base}..HEAD`])
  if (!counted.ok) return gitFailure('git_failed', `cannot count commits in ${path}`, counted)
  return { ok: true, count: Number(counted.stdout.trim()) }
}

/**
 * Keeps what is uncommitted in a worktree as a commit on `ref`, without touching the branch the
 * worktree has checked out (HEAD is detached first): for a task this agent no longer holds, whose
 * branch belongs to whoever has it now. `saved: false` when there was nothing to keep.
 */
export async function saveLeftovers(
  git: Git,
  path: string,
  ref: string,
  message: string,
): Promise<{ ok: true; saved: true; sha: string } | { ok: true; saved: false } | GitFailure> {
  const status = await worktreeStatus(git, path)
  if (!status.ok) return status
  if (!status.isDirty) return { ok: true, saved: false }
  const detached = await git.run(path, ['checkout', '--quiet', '--detach'])
  if (!detached.ok) return gitFailure('git_failed', `cannot detach HEAD in ${path}`, detached)
  const committed = await commitAll(git, path, message)
  if (!committed.ok) return committed
  if (!committed.committed) return { ok: true, saved: false }
  const updated = await git.run(path, ['update-ref', ref, committed.sha])
  if (!updated.ok) return gitFailure('git_failed', `cannot write ${ref}`, updated)
  return { ok: true, saved: true, sha: committed.sha }
}
