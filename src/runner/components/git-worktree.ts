import { existsSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { mergeIntoBase, type MergeOptions, type MergeResult } from './git-merge.js'
import {
  ensureExcluded,
  Git,
  gitFailure,
  isInside,
  isSamePath,
  type GitFailure,
  type WorktreeEntry,
} from './git.js'
import { fetchRemote, pushCommit, remoteRef } from './git-remote.js'
import { ensureCommits, moveAside } from './git-setup.js'
import { slug } from './slug.js'
import {
  commitAll,
  commitsAhead,
  saveLeftovers,
  worktreeStatus,
  type CommitResult,
  type WorktreeStatus,
} from './worktree-ops.js'
import {
  checkOutSpare,
  discard,
  isSpareCutShort,
  keepAsSpare,
  takeSpare,
  unmarkSpare,
} from './worktree-spare.js'

export interface GitWorktreeOptions {
  /** The project's main checkout. */
  repoDir: string
  /** Directory holding one worktree per task (`task-<id>`, `task-<id>-qa`). */
  worktreeBase: string
  /** Limit per git command. Default 60 s. */
  timeoutMs?: number
  /** Extra environment for git (identity, config isolation). */
  env?: Record<string, string>
  /** In a repository without commits, create an empty initial commit instead of failing. */
  allowInitialCommit?: boolean
  /**
   * Git remote mode (`--remote`): the remote runners on other machines share. New worktrees start
   * from its branches (fetched by `fetch`), and merges move its base branch (with a lease).
   * Unset: everything stays in this repository.
   */
  remote?: string
  /**
   * The agent's spare worktree (worktree-spare.ts): `name` under the base, one per agent since
   * several runners may share a base. `isKept: false` removes finished worktrees, and the spare
   * with `removeSpare`. Unset: no spare.
   */
  spare?: { name: string; isKept: boolean }
}

export interface TaskWorktree {
  ok: true
  path: string
  branch: string
  isCreated: boolean
  /** Uncommitted work found on resume is kept, never reset. */
  isDirty: boolean
  /** A merge/rebase left in progress (e.g. by a crashed agent); the runner decides what to do. */
  operationInProgress: WorktreeStatus['operationInProgress']
  /** Where a leftover directory in the way was moved to. */
  movedAside: string | null
}

export interface ReviewWorktree {
  ok: true
  path: string
  commit: string
  isCreated: boolean
  isDirty: boolean
  movedAside: string | null
}

/** Git worktrees keyed to tasks. Every expected failure comes back as a `GitFailure` value. */
export class GitWorktree {
  readonly #repoDir: string
  readonly #base: string
  readonly #git: Git
  readonly #allowInitialCommit: boolean
  readonly #remote: string | undefined
  readonly #spare: string | undefined
  readonly #isSpareKept: boolean
  #isRepoChecked = false

  constructor(options: GitWorktreeOptions) {
    this.#repoDir = resolve(options.repoDir)
    this.#base = resolve(options.worktreeBase)
    this.#git = new Git({ env: options.env, timeoutMs: options.timeoutMs })
    this.#allowInitialCommit = options.allowInitialCommit ?? false
    this.#remote = options.remote
    this.#spare = options.spare && join(this.#base, options.spare.name)
    this.#isSpareKept = options.spare?.isKept ?? false
  }

  /** The remote of git remote mode, or undefined. */
  get remote(): string | undefined {
    return this.#remote
  }

  /** Remote mode: fetches every branch of the remote. Without a remote: nothing to do. */
  async fetch(): Promise<{ ok: true } | GitFailure> {
    return this.#remote === undefined
      ? { ok: true }
      : fetchRemote(this.#git, this.#repoDir, this.#remote)
  }

  /** Remote mode: pushes `sha` to the remote's `branch`, by fast-forward only. */
  async push(sha: string, branch: string): Promise<{ ok: true } | GitFailure> {
    if (this.#remote === undefined) return { ok: true }
    return pushCommit(this.#git, this.#repoDir, this.#remote, { sha, branch })
  }

  /** `<base>/task-<id>` on `branch`, reused when it exists (resume), created from the base otherwise. */
  async ensureForTask(input: {
    taskId: number | string
    branch: string
    baseBranch?: string
  }): Promise<TaskWorktree | GitFailure> {
    const target = join(this.#base, `task-${slug(input.taskId)}`)
    const prepared = await this.#prepare(input.branch)
    if (prepared !== undefined) return prepared
    const list = await this.#git.worktrees(this.#repoDir)
    if (!Array.isArray(list)) return list

    // Worktrees are keyed by task, never by branch: a branch checked out for another task (or by
    // hand) is that worktree's, and two tasks must never write to one worktree.
    const holder = list.find((entry) => entry.branch === `refs/heads/${input.branch}`)
    if (holder && isSamePath(holder.path, target)) {
      // A runner stopped just after checking out the spare left its mark.
      await unmarkSpare(target)
      return this.#ready(holder.path, input.branch, false, null)
    }
    if (holder) {
      return gitFailure('branch_in_use', `branch ${input.branch} is checked out in ${holder.path}`)
    }
    const atTarget = list.find((entry) => isSamePath(entry.path, target))
    const isCutShort = atTarget !== undefined && (await isSpareCutShort(atTarget))
    const movedAside = isCutShort ? null : await moveAside(this.#git, this.#repoDir, target, list)
    if (typeof movedAside === 'object' && movedAside !== null) return movedAside

    const added = await this.#addOnBranch(target, input.branch, input.baseBranch, list, isCutShort)
    if (added !== undefined) return added
    return this.#ready(target, input.branch, true, movedAside)
  }

  /** `<base>/task-<id>-qa`, detached at the tip of `branch`, so it never conflicts with the dev worktree. */
  async ensureForReview(input: {
    taskId: number | string
    branch: string
    /** The exact commit to review; default the branch tip. */
    commit?: string
  }): Promise<ReviewWorktree | GitFailure> {
    const target = join(this.#base, `task-${slug(input.taskId)}-qa`)
    const prepared = await this.#prepare(input.branch)
    if (prepared !== undefined) return prepared
    // In remote mode the remote's branch is the truth; a local branch of that name may be stale.
    const tips = [`refs/heads/${input.branch}`, remoteRef(this.#remote ?? 'origin', input.branch)]
    if (this.#remote !== undefined) tips.reverse()
    const commit = input.commit
      ? await this.#git.resolveCommit(this.#repoDir, input.commit)
      : ((await this.#git.resolveCommit(this.#repoDir, tips[0]!)) ??
        (await this.#git.resolveCommit(this.#repoDir, tips[1]!)))
    if (commit === undefined) {
      const what = input.commit ? `commit ${input.commit}` : `branch ${input.branch}`
      return gitFailure('branch_not_found', `${what} not found`)
    }
    const list = await this.#git.worktrees(this.#repoDir)
    if (!Array.isArray(list)) return list

    const existing = list.find((entry) => isSamePath(entry.path, target))
    if (existing) {
      await unmarkSpare(target)
      const status = await this.status(target)
      if (!status.ok) return status
      if (existing.head === commit && existing.branch === null) {
        return {
          ok: true,
          path: target,
          commit,
          isCreated: false,
          isDirty: status.isDirty,
          movedAside: null,
        }
      }
      if (!status.isDirty) {
        const moved = await this.#git.run(target, ['checkout', '--quiet', '--detach', commit])
        if (!moved.ok) return gitFailure('git_failed', `cannot update ${target}`, moved)
        return {
          ok: true,
          path: target,
          commit,
          isCreated: false,
          isDirty: false,
          movedAside: null,
        }
      }
    }
    // A clean review tree just follows the tip; a dirty one of an older commit is set aside, since
    // QA must see the branch as it is now.
    const movedAside = await moveAside(this.#git, this.#repoDir, target, list)
    if (typeof movedAside === 'object' && movedAside !== null) return movedAside
    await mkdir(this.#base, { recursive: true })
    if (!(await this.#takeSpare(target, list, ['--detach', commit]))) {
      const added = await this.#git.run(this.#repoDir, [
        'worktree',
        'add',
        '--detach',
        target,
        commit,
      ])
      if (!added.ok) return gitFailure('git_failed', `cannot create worktree ${target}`, added)
    }
    return { ok: true, path: target, commit, isCreated: true, isDirty: false, movedAside }
  }

  status(path: string): Promise<WorktreeStatus | GitFailure> {
    return worktreeStatus(this.#git, path)
  }

  /** Stages everything and commits; `committed: false` when there was nothing to commit. */
  commitAll(
    path: string,
    message: string,
    author?: { name: string; email: string },
  ): Promise<CommitResult | GitFailure> {
    return commitAll(this.#git, path, message, author)
  }

  /** Keeps uncommitted work as a commit on `ref` without moving the checked-out branch. */
  saveLeftovers(path: string, ref: string, message: string): ReturnType<typeof saveLeftovers> {
    return saveLeftovers(this.#git, path, ref, message)
  }

  /** The commit HEAD points at in a worktree. */
  head(path: string): Promise<string | undefined> {
    return this.#git.resolveCommit(path, 'HEAD')
  }

  /** Commits on the worktree's HEAD that `baseBranch` does not have. */
  commitsAhead(
    path: string,
    baseBranch: string,
  ): Promise<{ ok: true; count: number } | GitFailure> {
    return commitsAhead(this.#git, path, baseBranch)
  }

  /** Removes a worktree under the base. A dirty one needs `force`. A missing one is fine. */
  async remove(
    path: string,
    options: { force?: boolean } = {},
  ): Promise<{ ok: true } | GitFailure> {
    if (!isInside(path, this.#base)) {
      return gitFailure('path_outside_base', `${path} is not inside ${this.#base}`)
    }
    const list = await this.#git.worktrees(this.#repoDir)
    if (!Array.isArray(list)) return list
    if (list.some((entry) => isSamePath(entry.path, path))) {
      const args = ['worktree', 'remove', ...(options.force ? ['--force'] : []), path]
      const removed = await this.#git.run(this.#repoDir, args)
      if (removed.ok) return { ok: true }
      const status = await this.status(path)
      const code = status.ok && status.isDirty && !options.force ? 'dirty' : 'git_failed'
      return gitFailure(code, `cannot remove worktree ${path}`, removed)
    }
    if (!existsSync(path)) return { ok: true }
    if (!options.force) return gitFailure('not_a_worktree', `${path} is not a registered worktree`)
    await rm(path, { recursive: true, force: true })
    return { ok: true }
  }

  /**
   * Done with a task's worktree: kept as this agent's spare for the next task when it is clean
   * (worktree-spare.ts), removed otherwise, dirty or not.
   */
  async retire(path: string): Promise<{ ok: true } | GitFailure> {
    if (this.#spare !== undefined && this.#isSpareKept && isInside(path, this.#base)) {
      const list = await this.#git.worktrees(this.#repoDir)
      if (
        Array.isArray(list) &&
        (await keepAsSpare(this.#git, this.#repoDir, path, this.#spare, list))
      )
        return { ok: true }
    }
    return this.remove(path, { force: true })
  }

  /** Removes this agent's spare, if there is one (the spare turned off). */
  async removeSpare(): Promise<void> {
    if (this.#spare === undefined || !existsSync(this.#spare)) return
    await discard(this.#git, this.#repoDir, this.#spare)
  }

  async prune(): Promise<{ ok: true } | GitFailure> {
    const pruned = await this.#git.run(this.#repoDir, ['worktree', 'prune'])
    return pruned.ok ? { ok: true } : gitFailure('git_failed', 'cannot prune worktrees', pruned)
  }

  /** Merges `branch` into `baseBranch` without touching the main checkout's files; see git-merge.ts. */
  mergeIntoBase(options: MergeOptions): Promise<MergeResult> {
    return mergeIntoBase(
      this.#git,
      { repoDir: this.#repoDir, worktreeBase: this.#base, remote: this.#remote },
      options,
    )
  }

  async #prepare(branch: string): Promise<GitFailure | undefined> {
    if (!this.#isRepoChecked) {
      const top = await this.#git.run(this.#repoDir, ['rev-parse', '--show-toplevel'])
      if (!top.ok) {
        const code = top.exitCode === null ? 'git_not_found' : 'not_a_repository'
        return gitFailure(code, `${this.#repoDir} is not a usable git repository`, top)
      }
      if (isInside(this.#base, this.#repoDir)) {
        const pattern = `/${relative(this.#repoDir, this.#base)}/`
        const excluded = await ensureExcluded(this.#repoDir, [pattern], this.#git)
        if (!excluded.ok) return excluded
      }
    }
    if (!(await this.#git.isValidBranchName(this.#repoDir, branch))) {
      return gitFailure('invalid_name', `${branch} is not a valid branch name`)
    }
    // Registrations whose directory was deleted by hand would otherwise block the branch forever.
    await this.#git.run(this.#repoDir, ['worktree', 'prune'])
    const noCommits = this.#isRepoChecked
      ? undefined
      : await ensureCommits(this.#git, this.#repoDir, this.#allowInitialCommit)
    // A repository stays a repository with commits, so these checks are done once per instance.
    this.#isRepoChecked = noCommits === undefined
    return noCommits
  }

  async #addOnBranch(
    target: string,
    branch: string,
    baseBranch: string | undefined,
    list: readonly WorktreeEntry[],
    isSpareAtTarget = false,
  ): Promise<GitFailure | undefined> {
    await mkdir(this.#base, { recursive: true })
    const exists = await this.#git.resolveCommit(this.#repoDir, `refs/heads/${branch}`)
    if (exists !== undefined && this.#remote !== undefined) await this.#catchUp(branch, exists)
    let start: string | undefined
    if (exists === undefined) {
      const found = await this.#startOf(branch, baseBranch)
      if (typeof found !== 'string') return found
      start = found
    }
    // `git checkout` in the spare does what `git worktree add` would, without writing every file.
    const checkout = start === undefined ? [branch] : ['--no-track', '-b', branch, start]
    const isCheckedOut = isSpareAtTarget
      ? await checkOutSpare(this.#git, this.#repoDir, target, checkout)
      : await this.#takeSpare(target, list, checkout)
    if (isCheckedOut) return undefined
    const added = await this.#git.run(
      this.#repoDir,
      start === undefined
        ? ['worktree', 'add', target, branch]
        : ['worktree', 'add', '--no-track', '-b', branch, target, start],
    )
    return added.ok
      ? undefined
      : gitFailure('git_failed', `cannot create worktree ${target}`, added)
  }

  /** Where a new branch starts: the remote's branch of that name, else the (remote's) base branch. */
  async #startOf(branch: string, baseBranch: string | undefined): Promise<string | GitFailure> {
    // A branch pushed from another machine (e.g. the dev's, for QA) continues from the remote.
    const remote = remoteRef(this.#remote ?? 'origin', branch)
    const base = baseBranch ?? (await this.#currentBranch())
    // Remote mode: a new branch starts from the remote's base branch, which other machines move.
    const remoteBase =
      this.#remote !== undefined && base !== undefined && base !== 'HEAD'
        ? remoteRef(this.#remote, base)
        : undefined
    const baseStart =
      remoteBase !== undefined && (await this.#git.resolveCommit(this.#repoDir, remoteBase))
        ? remoteBase
        : base
    const start = (await this.#git.resolveCommit(this.#repoDir, remote)) ? remote : baseStart
    if (
      start === undefined ||
      (await this.#git.resolveCommit(this.#repoDir, start)) === undefined
    ) {
      return gitFailure('base_not_found', `base branch ${base ?? 'HEAD'} not found`)
    }
    return start
  }

  #takeSpare(
    target: string,
    list: readonly WorktreeEntry[],
    checkout: readonly string[],
  ): Promise<boolean> {
    if (this.#spare === undefined) return Promise.resolve(false)
    return takeSpare(this.#git, this.#repoDir, this.#spare, target, list, checkout)
  }

  /**
   * Remote mode: a local branch that another machine's work has moved past on the remote (a task
   * resumed here after work elsewhere) is fast-forwarded to it. A local branch with commits the
   * remote lacks is kept as it is: its push decides.
   */
  async #catchUp(branch: string, localSha: string): Promise<void> {
    const remoteSha = await this.#git.resolveCommit(this.#repoDir, remoteRef(this.#remote!, branch))
    if (remoteSha === undefined || remoteSha === localSha) return
    const behind = await this.#git.run(this.#repoDir, [
      'merge-base',
      '--is-ancestor',
      localSha,
      remoteSha,
    ])
    if (!behind.ok) return
    await this.#git.run(this.#repoDir, ['update-ref', `refs/heads/${branch}`, remoteSha, localSha])
  }

  async #currentBranch(): Promise<string | undefined> {
    const head = await this.#git.run(this.#repoDir, ['symbolic-ref', '--quiet', '--short', 'HEAD'])
    return head.ok ? head.stdout.trim() : 'HEAD'
  }

  async #ready(
    path: string,
    branch: string,
    isCreated: boolean,
    movedAside: string | null,
  ): Promise<TaskWorktree | GitFailure> {
    const status = await this.status(path)
    if (!status.ok) return status
    const { isDirty, operationInProgress } = status
    return { ok: true, path, branch, isCreated, isDirty, operationInProgress, movedAside }
  }
}
