import { existsSync } from 'node:fs'
import { readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'

import { isInside, isSamePath, type Git, type WorktreeEntry } from './git.js'
import { agentFileKey } from './slug.js'
import { operationInProgress, ownGitDirs } from './worktree-ops.js'

/*
 * An agent's spare worktree: a finished task's worktree kept, detached and cleaned, to become the
 * next task's. Writing a big repository's files is most of what a new worktree costs (5,000 files:
 * 0.35-2.5 s on the project's 2-core machine), while switching a kept one to another branch
 * rewrites only the files that differ (~40 ms). Worktrees stay keyed by task: the spare is moved
 * to `task-<id>` before it is used, and holds no branch while it waits.
 *
 * Only a plain worktree is kept: one whose index, settings or processes could carry anything from
 * one task into the next is removed as before. A spare carries a mark in its git admin folder
 * until it has been checked out for a task, so a runner stopped half-way through taking it finds
 * it again at the task's path instead of mistaking it for someone's work.
 */

const SPARE_MARK = 'headless-pm-spare'

/** The folder name of `agentId`'s spare under the worktree base. */
export function spareWorktreeName(agentId: string): string {
  return `spare-${agentFileKey(agentId)}`
}
/** Left in a worktree's git folder, these carry state into whatever is checked out next. */
const CARRIED_STATE = ['BISECT_LOG', 'REVERT_HEAD', 'config.worktree', 'info/sparse-checkout']

/**
 * Keeps `path`, a finished registered worktree, as `spare`: detached at its commit, without
 * untracked or ignored files. False when it is not kept, having changed nothing unless the last
 * steps failed; the caller then removes it as before.
 */
export async function keepAsSpare(
  git: Git,
  repoDir: string,
  path: string,
  spare: string,
  list: readonly WorktreeEntry[],
): Promise<boolean> {
  const entry = list.find((e) => isSamePath(e.path, path))
  if (!entry || entry.isPrunable || entry.isLocked) return false
  if (list.some((e) => isSamePath(e.path, spare))) return false
  const gitDir = await plainWorktreeGitDir(git, path)
  if (gitDir === undefined || (await hasProcessesInside(path))) return false
  // A spare folder nobody has registered is left from a move cut short: ours, and of no use.
  if (existsSync(spare)) await rm(spare, { recursive: true, force: true })
  // update-ref detaches without running the project's checkout hooks or touching a file.
  for (const args of [
    ['update-ref', '--no-deref', '-m', 'headless-pm: spare worktree', 'HEAD', 'HEAD'],
    ['clean', '-ffdxq'],
  ]) {
    if (!(await git.run(path, args)).ok) return false
  }
  await writeFile(join(gitDir, SPARE_MARK), 'waiting for the next task\n')
  return (await git.run(repoDir, ['worktree', 'move', path, spare])).ok
}

/**
 * Moves the spare to `target` (which must be free) and checks it out with
 * `git checkout <checkout…>`. False when there is no usable spare or a step fails; a spare that
 * failed is removed, so nothing is left at `target` and the caller's `git worktree add` can go ahead.
 */
export async function takeSpare(
  git: Git,
  repoDir: string,
  spare: string,
  target: string,
  list: readonly WorktreeEntry[],
  checkout: readonly string[],
): Promise<boolean> {
  const waiting = list.find((e) => isSamePath(e.path, spare))
  if (!waiting || existsSync(target)) return false
  if (waiting.branch !== null || waiting.isPrunable || waiting.isLocked) {
    await discard(git, repoDir, spare)
    return false
  }
  if (!(await git.run(repoDir, ['worktree', 'move', spare, target])).ok) {
    await discard(git, repoDir, spare)
    return false
  }
  return checkOutSpare(git, repoDir, target, checkout)
}

/**
 * Whether `entry` (the worktree registered at a task's path) is a spare whose taking was cut short:
 * detached, and still marked.
 */
export async function isSpareCutShort(entry: WorktreeEntry): Promise<boolean> {
  if (entry.branch !== null || entry.isPrunable || !existsSync(entry.path)) return false
  const mark = await spareMark(entry.path)
  return mark !== undefined && existsSync(mark)
}

/** Resets, cleans and checks out the spare now at `target`, then unmarks it; removes it on failure. */
export async function checkOutSpare(
  git: Git,
  repoDir: string,
  target: string,
  checkout: readonly string[],
): Promise<boolean> {
  // Reset and clean again: the spare is the runner's, whatever someone may have left in it.
  for (const args of [
    ['reset', '--quiet', '--hard'],
    ['clean', '-ffdxq'],
    ['checkout', '--quiet', ...checkout, '--'],
  ]) {
    if (!(await git.run(target, args)).ok) {
      await discard(git, repoDir, target)
      return false
    }
  }
  await unmarkSpare(target)
  return true
}

/** Removes the spare mark of the worktree at `path`, if it has one. */
export async function unmarkSpare(path: string): Promise<void> {
  const mark = await spareMark(path)
  if (mark !== undefined) await rm(mark, { force: true })
}

/**
 * Where the spare mark of the linked worktree at `path` goes: its admin folder, named by the
 * `gitdir:` line of its `.git` file. Read from the file rather than asked of git: this runs for
 * every task, and each git command is a process start.
 */
async function spareMark(path: string): Promise<string | undefined> {
  const text = await readFile(join(path, '.git'), 'utf8').catch(() => undefined)
  const gitDir = text === undefined ? undefined : /^gitdir: (.+)$/m.exec(text)?.[1]?.trim()
  return gitDir === undefined ? undefined : join(resolve(path, gitDir), SPARE_MARK)
}

/** Removes a spare, registered or not. */
export async function discard(git: Git, repoDir: string, path: string): Promise<void> {
  await git.run(repoDir, ['worktree', 'remove', '--force', path])
  await rm(path, { recursive: true, force: true })
  await git.run(repoDir, ['worktree', 'prune'])
}

/**
 * The git admin folder of `path` when it is a worktree of its own (not a folder whose `.git` is
 * gone, where git would find the main checkout instead), clean, with no operation in progress, an
 * index of plain entries (no assume-unchanged or skip-worktree flags, no submodules) and no state
 * that outlives a checkout. Undefined otherwise.
 */
async function plainWorktreeGitDir(git: Git, path: string): Promise<string | undefined> {
  const dirs = await ownGitDirs(git, path)
  if (!dirs.ok) return undefined
  const { gitDir } = dirs
  if (operationInProgress(gitDir) !== null) return undefined
  if (CARRIED_STATE.some((name) => existsSync(join(gitDir, name)))) return undefined
  const status = await git.run(path, ['status', '--porcelain', '--untracked-files=all'])
  if (!status.ok || status.stdout.trim() !== '') return undefined
  const index = await git.run(path, ['-c', 'core.fsmonitor=false', 'ls-files', '-v', '-s'])
  if (!index.ok) return undefined
  const isPlain = index.stdout
    .split('\n')
    .every((line) => line === '' || (line.startsWith('H ') && !line.startsWith('H 160000 ')))
  return isPlain ? gitDir : undefined
}

/**
 * Whether a process works inside `path` (Linux: its working directory). Something an agent left
 * running, outside Claude's process group, would follow a kept folder into the next task. Where
 * this cannot be known (no /proc), the answer is yes.
 */
async function hasProcessesInside(path: string): Promise<boolean> {
  if (!existsSync('/proc/self/cwd')) return true
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined)
    if (cwd !== undefined && (isSamePath(cwd, path) || isInside(cwd, path))) return true
  }
  return false
}
