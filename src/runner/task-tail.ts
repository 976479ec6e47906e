import { existsSync } from 'node:fs'

import { ApiError } from '../client/index.js'
import type { TaskResponse } from '../contract/index.js'
import type { TaskLockState } from './components/index.js'
import { isAwaitingMerge, mergeTask } from './merge-task.js'
import type { MergeTaskDeps } from './merge-task.js'
import { stopOrphanAgent } from './orphan-agent.js'
import { recordCutOffAttempt } from './run-records.js'
import { commentOnTask, faultPoint, leftoversRef, modeOf, serverCall } from './runner-context.js'
import type { RunnerContext, TaskEnd, TaskMode } from './runner-context.js'
import { pushWork } from './task-attempt.js'

function findTask(ctx: RunnerContext, taskId: number): Promise<TaskResponse | undefined> {
  return serverCall(ctx, 'reading the task', () => ctx.client.findTask(taskId))
}

function mergeDeps(ctx: RunnerContext): MergeTaskDeps {
  return {
    client: ctx.client,
    worktree: ctx.worktree,
    agentId: ctx.config.agentId,
    baseBranch: ctx.baseBranch,
    mergeLockDir: ctx.mergeLockDir,
    signal: ctx.signal,
    say: ctx.ui,
  }
}

/** Whether a review's merge is due: a passed minor task the server still shows at `qa_done`. */
export function isMergeDue(mode: TaskMode, task: TaskResponse | undefined): boolean {
  return mode === 'review' && task?.complexity === 'minor' && task.status === 'qa_done'
}

/**
 * post_task, with the result as JSON on stdin; advisory: a failure is logged, the result stands.
 * First records an attempt the runner died during after the agent had reported.
 */
export async function runPostTask(
  ctx: RunnerContext,
  initial: TaskLockState,
  task: TaskResponse,
): Promise<TaskLockState> {
  const { ui, persistence } = ctx
  let state = initial
  if (state.attempt_started_at) {
    await recordCutOffAttempt(ctx, state, true)
    state = await persistence.update({ attempt_started_at: null })
  }
  if (state.phase !== 'reported') state = await persistence.update({ phase: 'reported' })
  // Remote mode, after a restart: an agent's own dev_done whose push the runner died before.
  // Pushing again is a no-op when it landed.
  if (
    task.status === 'dev_done' &&
    modeOf(ctx, state, task) === 'work' &&
    ctx.worktree.remote !== undefined
  ) {
    const pushed = await pushWork(ctx, state, task.work_commit ?? undefined)
    if (!pushed.ok)
      await commentOnTask(
        ctx,
        task.id,
        `Warning: the work reported as dev_done could not be pushed to ${ctx.worktree.remote}: ${pushed.message}`,
      )
  }
  const cwd = existsSync(state.worktree_path) ? state.worktree_path : ctx.config.repoDir
  const result = {
    task_id: task.id,
    status: task.status,
    agent_id: ctx.config.agentId,
    branch: state.branch_name,
    worktree: state.worktree_path,
    attempt: state.attempt,
    session_id: state.session_id,
    work_commit: task.work_commit,
    base_branch: ctx.baseBranch,
    remote: ctx.worktree.remote ?? null,
  }
  const post = await ctx.hooks.runPostTask({ cwd, task: { ...task } }, result)
  faultPoint(ctx, 'during_post_task')
  if (!post.ok) ui.warn(`post_task hook failed: ${post.message ?? 'non-zero exit'}`)
  return persistence.update({ phase: 'post_task_done' })
}

/**
 * Merges exactly the commit QA reviewed (never the branch tip: it may have moved on) and moves to
 * `done` whatever came of it — a failure is kept in the lock file (`merge_failure`), so a blocked
 * merge is not retried in a loop and a restart still reports it.
 */
export async function mergeReviewed(
  ctx: RunnerContext,
  initial: TaskLockState,
  task: TaskResponse,
): Promise<TaskLockState> {
  const state =
    initial.phase === 'merging' ? initial : await ctx.persistence.update({ phase: 'merging' })
  // After a rework and a new review, the server's commit is the one to merge, not this claim's.
  if (state.reviewed_commit && task.work_commit && state.reviewed_commit !== task.work_commit) {
    ctx.ui.warn(
      `task ${task.id} was reviewed again at ${task.work_commit.slice(0, 12)} since this runner reviewed ${state.reviewed_commit.slice(0, 12)}; not merging`,
    )
    return ctx.persistence.update({ phase: 'done' })
  }
  const merged = await mergeTask(mergeDeps(ctx), task, {
    commit: state.reviewed_commit ?? task.work_commit,
    branch: state.branch_name,
  })
  faultPoint(ctx, 'during_merge')
  if (merged.kind === 'blocked') {
    await commentOnTask(
      ctx,
      task.id,
      `Passed QA but not merged into ${ctx.baseBranch}: ${merged.message}. The next runner that finishes a task retries the merge; \`hpm tasks merge ${task.id}\` retries it by hand.`,
    )
  }
  const failure =
    merged.kind === 'blocked' ? 'blocked' : merged.kind === 'sent_back' ? 'sent_back' : undefined
  return ctx.persistence.update({ phase: 'done', ...(failure ? { merge_failure: failure } : {}) })
}

/**
 * The end of a task here: the worktree goes (leftovers kept), then the lock file, last. Then any
 * passed task still waiting for its merge is tried again.
 */
export async function cleanUp(ctx: RunnerContext, state: TaskLockState): Promise<TaskEnd> {
  const mergeFailure = state.merge_failure
  const final = await findTask(ctx, state.task_id)
  await removeWorktree(ctx, state, final)
  if (state.phase !== 'done') await ctx.persistence.update({ phase: 'done' })
  await ctx.persistence.release()
  if (mergeFailure === 'blocked')
    ctx.ui.error(`task ${state.task_id} passed QA but is not merged (it stays at qa_done)`)
  else if (mergeFailure === 'sent_back')
    ctx.ui.error(
      `task ${state.task_id} passed QA but its merge conflicts: sent back to its developers`,
    )
  else ctx.ui.success(`task ${state.task_id} done here (${final?.status ?? 'deleted'})`)
  // The merge just tried is not tried again at once: whatever blocked it is still there.
  await retryAwaitingMerges(ctx, mergeFailure === 'blocked' ? [state.task_id] : [])
  return mergeFailure ? 'merge_failed' : 'done'
}

/**
 * Merges passed minor tasks whose merge failed earlier for a reason outside the task (the main
 * checkout in the way, a runner that died mid-merge). Run after each finished task.
 */
export async function retryAwaitingMerges(
  ctx: RunnerContext,
  skipIds: readonly number[] = [],
): Promise<void> {
  // Best effort, after this task's lock file is gone: nothing here may end the turn with an error
  // (a --single-task runner would then go on to claim another task).
  try {
    const waiting = (await ctx.client.listTasks({ status: 'qa_done' })).filter(
      (t) => isAwaitingMerge(t) && !skipIds.includes(t.id),
    )
    for (const task of waiting) {
      if (ctx.signal.aborted) return
      ctx.ui.info(`task ${task.id} passed QA but is not merged yet; retrying the merge`)
      const merged = await mergeTask(mergeDeps(ctx), task)
      if (merged.kind === 'blocked') return
    }
  } catch (error) {
    ctx.ui.warn(
      `could not retry waiting merges: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
}

/**
 * Whether another agent now works in this worktree: worktrees are keyed to the task, so a dev who
 * took the task over reuses `task-<id>` (and a reviewer `task-<id>-qa`). Then it is theirs.
 */
function isWorktreeTakenOver(
  ctx: RunnerContext,
  state: TaskLockState,
  task: TaskResponse | undefined,
): boolean {
  if (!task?.locked_by || task.locked_by === ctx.config.agentId) return false
  return (task.claimed_from === 'dev_done') === state.worktree_path.endsWith('-qa')
}

/**
 * Removes the task's worktree without losing anything: while this agent holds the task, what is
 * left is committed to the task branch; once it does not, the branch is not ours to touch and
 * leftovers are kept on a side ref instead. When saving fails the worktree stays.
 */
async function removeWorktree(
  ctx: RunnerContext,
  state: TaskLockState,
  task: TaskResponse | undefined,
  note = 'work left uncommitted',
): Promise<void> {
  if (!existsSync(state.worktree_path)) return
  if (isWorktreeTakenOver(ctx, state, task)) {
    ctx.ui.info(`leaving ${state.worktree_path} alone: ${task?.locked_by} works in it now`)
    return
  }
  if (!state.worktree_path.endsWith('-qa')) {
    const isOurs = task?.locked_by === ctx.config.agentId
    const saved = isOurs
      ? await ctx.worktree.commitAll(
          state.worktree_path,
          `task ${state.task_id}: ${note} (committed by the runner)`,
        )
      : await ctx.worktree.saveLeftovers(
          state.worktree_path,
          leftoversRef(state),
          `task ${state.task_id}: ${note} (kept by the runner, not on the task branch)`,
        )
    if (!saved.ok) {
      ctx.ui.warn(
        `could not keep what is left in ${state.worktree_path} (${saved.message}); keeping the worktree`,
      )
      return
    }
    if ('committed' in saved && saved.committed)
      ctx.ui.info(`kept unfinished work as commit ${saved.sha.slice(0, 8)} on ${state.branch_name}`)
    if ('saved' in saved && saved.saved) {
      const ref = leftoversRef(state)
      ctx.ui.warn(
        `task ${state.task_id} is no longer ours: its leftover changes are kept as ${ref} (${saved.sha.slice(0, 8)}), not on ${state.branch_name}`,
      )
      if (task)
        await commentOnTask(
          ctx,
          state.task_id,
          `Uncommitted changes left by ${ctx.config.agentId} after the task was no longer its own are kept as commit ${saved.sha} (git ref ${ref}), not on ${state.branch_name}.`,
        )
    }
  }
  const removed = await ctx.worktree.retire(state.worktree_path)
  if (!removed.ok)
    ctx.ui.warn(`could not remove worktree ${state.worktree_path}: ${removed.message}`)
}

/**
 * Stops work on a task that is not finishing. Released (`unlock`): what the agent wrote is
 * committed to the task branch first (the task is still ours), the reason goes on the task as a
 * comment, then the claim is released. Dropped: the task is no longer ours, so its branch is left
 * alone. The worktree goes, the lock file last.
 */
export async function giveUpTask(
  ctx: RunnerContext,
  state: TaskLockState,
  options: { unlock: boolean; note: string },
): Promise<void> {
  const { ui, config } = ctx
  await stopOrphanAgent(state, (m) => ui.warn(m))
  // An attempt the runner died during is recorded, also when the task is given up now.
  // Never charged here: the task may be another agent's by now.
  if (state.attempt_started_at) await recordCutOffAttempt(ctx, state, false, { canCharge: false })
  const task = await findTask(ctx, state.task_id)
  const note = `work in progress (runner stopped: ${options.note.slice(0, 200)})`
  if (options.unlock && task?.locked_by === config.agentId) {
    await removeWorktree(ctx, state, task, note)
    await commentOnTask(ctx, state.task_id, `Released by ${config.agentId}: ${options.note}`)
    try {
      await serverCall(ctx, 'releasing the task', () =>
        ctx.client.unlockTask(state.task_id, config.agentId, options.note.slice(0, 2000)),
      )
      ui.warn(`released task ${state.task_id} back to the pool`)
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      ui.warn(`task ${state.task_id} was not released: ${error.message}`)
    }
  } else {
    await removeWorktree(ctx, state, task, note)
  }
  await ctx.persistence.release()
}
