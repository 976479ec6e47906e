import { randomUUID } from 'node:crypto'

import { ApiError } from '../client/index.js'
import type { TaskResponse } from '../contract/index.js'
import type { GitFailure, TaskLockState } from './components/index.js'
import { recordAttempt } from './run-records.js'
import type { FailureBudget } from './run-records.js'
import { faultPoint, fallbackBranch, requestedBranch, serverCall } from './runner-context.js'
import type { RunnerContext, TaskMode } from './runner-context.js'

export type Prepared =
  | { kind: 'ready'; state: TaskLockState }
  /** `isEnvironment`: the repository or git itself is at fault, not the task (nothing recorded against it). */
  | {
      kind: 'failed'
      reason: string
      state: TaskLockState
      budget: FailureBudget | undefined
      isEnvironment: boolean
    }

// Failures of the repository or git, which would fail every task the same way: charging them to
// tasks would send the whole backlog to `pending` for one machine's fault.
// `git_failed` (disk full, a lock another git holds) is the machine's too.
// So is a remote that cannot be fetched (network, credentials).
const ENVIRONMENT_FAILURES: readonly GitFailure['code'][] = [
  'git_not_found',
  'not_a_repository',
  'no_commits',
  'path_outside_base',
  'base_not_found',
  'git_failed',
  'fetch_failed',
]

/**
 * Makes the task's worktree. Work: `task-<id>` on the task's branch — or, when that branch is
 * checked out for another task, on `feature/task-<id>` off the base branch, so two live tasks never
 * share a branch. Review: `task-<id>-qa`, detached at the exact commit under review, which is
 * written to the server (`work_commit`) when the developer's report did not carry it.
 * A failure is recorded as an attempt (`workspace_invalid`) and counts against the task's budget.
 */
export async function prepareWorktree(
  ctx: RunnerContext,
  task: TaskResponse,
  state: TaskLockState,
  mode: TaskMode,
): Promise<Prepared> {
  const startedAt = new Date()
  // Remote mode: what other machines pushed (the base, the task branch, the commit to review).
  const fetched = await ctx.worktree.fetch()
  const made = !fetched.ok
    ? fetched
    : mode === 'review'
      ? await prepareReview(ctx, task)
      : await prepareWork(ctx, task)
  faultPoint(ctx, 'during_worktree')
  if (made.ok) {
    const next = await ctx.persistence.update({
      worktree_path: made.path,
      branch_name: made.branch,
      start_sha: made.head ?? null,
      reviewed_commit: mode === 'review' ? (made.head ?? null) : null,
      phase: 'worktree_ready',
    })
    return { kind: 'ready', state: next }
  }
  ctx.ui.error(`cannot prepare the worktree for task ${task.id}: ${made.message}`)
  const failed = await ctx.persistence.update({ attempt: state.attempt + 1 })
  const reason = `the worktree could not be prepared: ${made.message}`
  const isEnvironment = ENVIRONMENT_FAILURES.includes(made.code)
  const verdict = isEnvironment ? 'environment' : 'failed'
  const { budget } = await recordAttempt(ctx, failed, {
    runKey: randomUUID(),
    outcome: 'workspace_invalid',
    verdict,
    reason,
    startedAt,
    finishedAt: new Date(),
  })
  return { kind: 'failed', reason, state: failed, budget, isEnvironment }
}

type Made = { ok: true; path: string; branch: string; head: string | undefined } | GitFailure

async function prepareWork(ctx: RunnerContext, task: TaskResponse): Promise<Made> {
  let branch = await requestedBranch(ctx, task)
  const holder =
    branch === fallbackBranch(task.id) ? undefined : await otherTaskOnBranch(ctx, task.id, branch)
  if (holder) {
    ctx.ui.warn(
      `branch ${branch} carries task ${holder.id}'s work, not yet committed: task ${task.id} gets its own branch ${fallbackBranch(task.id)} off ${ctx.baseBranch}`,
    )
    branch = fallbackBranch(task.id)
  }
  let result = await ctx.worktree.ensureForTask({
    taskId: task.id,
    branch,
    baseBranch: ctx.baseBranch,
  })
  if (!result.ok && result.code === 'branch_in_use' && branch !== fallbackBranch(task.id)) {
    ctx.ui.warn(
      `${result.message}: another task works on it, so task ${task.id} gets its own branch ${fallbackBranch(task.id)} off ${ctx.baseBranch}`,
    )
    branch = fallbackBranch(task.id)
    result = await ctx.worktree.ensureForTask({
      taskId: task.id,
      branch,
      baseBranch: ctx.baseBranch,
    })
  }
  if (!result.ok) return result
  if (result.movedAside)
    ctx.ui.warn(`a leftover directory was in the way; moved to ${result.movedAside}`)
  if (result.isDirty) ctx.ui.warn(`resuming in a worktree with uncommitted changes: ${result.path}`)
  ctx.ui.info(`${result.isCreated ? 'created' : 'reusing'} worktree ${result.path} (${branch})`)
  if (task.work_branch !== branch) await setWorkFields(ctx, task.id, { work_branch: branch })
  return { ok: true, path: result.path, branch, head: await ctx.worktree.head(result.path) }
}

async function prepareReview(ctx: RunnerContext, task: TaskResponse): Promise<Made> {
  const branch = task.work_branch ?? (await requestedBranch(ctx, task))
  const result = await ctx.worktree.ensureForReview({
    taskId: task.id,
    branch,
    commit: task.work_commit ?? undefined,
  })
  if (!result.ok) return result
  if (result.movedAside)
    ctx.ui.warn(`a leftover directory was in the way; moved to ${result.movedAside}`)
  ctx.ui.info(
    `${result.isCreated ? 'created' : 'reusing'} review worktree ${result.path} at ${result.commit.slice(0, 12)} (${branch})`,
  )
  // The developer's report did not name its commit (the agent reported through `hpm` itself): what
  // is reviewed is the branch tip now, and only that commit may ever be merged.
  if (task.work_commit !== result.commit)
    await setWorkFields(ctx, task.id, { work_commit: result.commit, work_branch: branch })
  return { ok: true, path: result.path, branch, head: result.commit }
}

/**
 * Another task whose work lives on `branch` and is not committed yet (live, sent back, or waiting
 * for a planner): its commits are unreviewed, so this task must not build on them — a merge of
 * this task would carry them to the base branch. Only tasks that ask for a branch pay for the look.
 */
async function otherTaskOnBranch(
  ctx: RunnerContext,
  taskId: number,
  branch: string,
): Promise<TaskResponse | undefined> {
  const tasks = await serverCall(ctx, 'reading the tasks on the branch', () =>
    ctx.client.listTasks({ work_branch: branch }),
  )
  return tasks.find((t) => t.id !== taskId && t.work_branch === branch && t.status !== 'committed')
}

/** Tells the server where the task's work lives; bookkeeping that must not stop the task. */
async function setWorkFields(
  ctx: RunnerContext,
  taskId: number,
  fields: { work_branch?: string; work_commit?: string },
): Promise<void> {
  try {
    await serverCall(ctx, 'recording the work branch', () =>
      ctx.client.updateTask(taskId, fields, ctx.config.agentId),
    )
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    ctx.ui.warn(
      `could not record ${Object.keys(fields).join(' and ')} on task ${taskId}: ${error.message}`,
    )
  }
}
