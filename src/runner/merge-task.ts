import type { HeadlessPMClient } from '../client/index.js'
import type { TaskResponse } from '../contract/index.js'
import type { Git, GitWorktree } from './components/index.js'
import { withMergeLock } from './merge-lock.js'

export interface MergeTaskDeps {
  client: HeadlessPMClient
  worktree: GitWorktree
  agentId: string
  baseBranch: string
  mergeLockDir: string
  signal: AbortSignal
  say: { info(message: string): void; success(message: string): void; error(message: string): void }
}

/** How merging a passed task ended. */
export type MergeTaskResult =
  | { kind: 'committed'; sha: string }
  /** Conflicts: the task went back to its developers (`created`) with the files named. */
  | { kind: 'sent_back'; files: string[] }
  /** Not merged for a reason outside the task (e.g. the main checkout is in the way): retry later. */
  | { kind: 'blocked'; message: string }
  /** The task is not (or no longer) waiting for a merge. */
  | { kind: 'skipped'; message: string }

/** The branch passed tasks merge into: `configured`, else the repository's HEAD branch (undefined when detached). */
export async function findBaseBranch(
  git: Git,
  repoDir: string,
  configured: string | undefined,
): Promise<string | undefined> {
  if (configured !== undefined) return configured
  const head = await git.run(repoDir, ['symbolic-ref', '--quiet', '--short', 'HEAD'])
  return head.ok ? head.stdout.trim() : undefined
}

/** A passed minor task whose merge is still to do (its QA runner's merge failed or never ran). */
export function isAwaitingMerge(task: TaskResponse): boolean {
  return (
    task.status === 'qa_done' &&
    task.complexity === 'minor' &&
    task.locked_by === null &&
    task.work_commit !== null
  )
}

/**
 * Merges exactly the commit QA reviewed (`commit`, else the task's `work_commit`) into the base
 * branch, under the merge lock, and sets the task `committed`. Commits the branch gained after the
 * review never reach the base. Only a task the server shows at `qa_done` is merged.
 */
export async function mergeTask(
  deps: MergeTaskDeps,
  task: TaskResponse,
  options: { commit?: string | null; branch?: string } = {},
): Promise<MergeTaskResult> {
  const { client, say } = deps
  const commit = options.commit ?? task.work_commit
  const branch = options.branch ?? task.work_branch ?? task.branch
  if (task.status !== 'qa_done')
    return { kind: 'skipped', message: `task ${task.id} is ${task.status}, not qa_done` }
  if (!commit)
    return { kind: 'skipped', message: `task ${task.id} names no reviewed commit (work_commit)` }
  const merged = await withMergeLock(deps.mergeLockDir, deps.signal, async () => {
    // Checked again under the lock: another runner may have merged it (or a human sent it back).
    const current = await client.findTask(task.id)
    if (!current || current.status !== 'qa_done') return undefined
    return deps.worktree.mergeIntoBase({
      branch,
      commit,
      baseBranch: deps.baseBranch,
      message: `Merge task ${task.id}: ${task.title}`,
    })
  })
  if (merged === undefined)
    return { kind: 'skipped', message: `task ${task.id} is no longer qa_done` }
  if (merged.ok) {
    say.success(
      `merged task ${task.id} (${commit.slice(0, 12)} of ${branch}) into ${deps.baseBranch} (${merged.sha.slice(0, 8)})`,
    )
    await setStatus(
      deps,
      task.id,
      'committed',
      `Merged ${commit} (${branch}, as reviewed by QA) into ${deps.baseBranch} as ${merged.sha}.`,
    )
    return { kind: 'committed', sha: merged.sha }
  }
  if (merged.conflict === true) {
    const files = merged.files.join(', ')
    say.error(
      `merging task ${task.id} into ${deps.baseBranch} conflicts in: ${files}; sending it back to its developers`,
    )
    await setStatus(
      deps,
      task.id,
      'created',
      `Merge into ${deps.baseBranch} failed: conflicts in ${files}. The branch ${branch} is kept: bring it up to date with ${deps.baseBranch} (merge or rebase), resolve the conflicts, and report dev_done again.`,
    )
    return { kind: 'sent_back', files: merged.files }
  }
  say.error(`task ${task.id} passed QA but is NOT merged: ${merged.message}`)
  return { kind: 'blocked', message: merged.message }
}

async function setStatus(
  deps: MergeTaskDeps,
  taskId: number,
  status: 'committed' | 'created',
  notes: string,
): Promise<void> {
  try {
    await deps.client.updateStatus(taskId, { status, notes }, deps.agentId)
  } catch (error) {
    const now = await deps.client.findTask(taskId)
    if (now?.status === status) return
    throw error
  }
}
