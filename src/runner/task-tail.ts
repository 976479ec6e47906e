import { existsSync } from 'node:fs'

import { ApiError } from '../client/index.js'
import type { TaskResponse } from '../contract/index.js'
import type { TaskLockState } from './components/index.js'
import { withMergeLock } from './merge-lock.js'
import { stopOrphanAgent } from './orphan-agent.js'
import { faultPoint, isReview, reportStatus, serverCall } from './runner-context.js'
import type { RunnerContext } from './runner-context.js'
import type { TaskEnd } from './task-work.js'

async function findTask(ctx: RunnerContext, taskId: number): Promise<TaskResponse | undefined> {
  try {
    return await serverCall(ctx, 'reading the task', () => ctx.client.getTask(taskId))
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined
    throw error
  }
}

/**
 * The tail after the work is reported: post_task, the merge of a passed minor task, worktree
 * removal, and the lock file removed last. Each step is recorded, so a crash repeats at most one.
 */
export async function finishTask(ctx: RunnerContext, initial: TaskLockState, known?: TaskResponse): Promise<TaskEnd> {
  const { ui, persistence } = ctx
  let state = initial
  await stopOrphanAgent(state, (m) => ui.warn(m))
  const task = (await findTask(ctx, state.task_id)) ?? known
  if (!task) {
    ui.warn(`task ${state.task_id} was deleted on the server; cleaning up`)
    await removeWorktree(ctx, state)
    await persistence.release()
    return 'dropped'
  }
  const review = isReview(ctx, task)
  const cwd = existsSync(state.worktree_path) ? state.worktree_path : ctx.config.repoDir

  if (state.phase === 'reported' || state.phase === 'agent_finished' || state.phase === 'running') {
    const result = { task_id: task.id, status: task.status, agent_id: ctx.config.agentId, branch: state.branch_name, worktree: state.worktree_path, attempt: state.attempt, session_id: state.session_id }
    const post = await ctx.hooks.runPostTask({ cwd, task: { ...task } }, result)
    faultPoint(ctx, 'during_post_task')
    // post_task is advisory: a failure is logged, the task's result stands.
    if (!post.ok) ui.warn(`post_task hook failed: ${post.message ?? 'non-zero exit'}`)
    state = await persistence.update({ phase: 'post_task_done' })
  }

  // Only a task the server still shows as passed QA is merged: after a crash the branch may have
  // moved on (sent back, reworked) and must not reach the base branch unreviewed.
  const shouldMerge = review && task.complexity === 'minor' && task.status === 'qa_done'
  if (shouldMerge) {
    state = await persistence.update({ phase: 'merging' })
    await mergePassedTask(ctx, task, state)
  }

  const final = await findTask(ctx, task.id)
  await removeWorktree(ctx, state, final)
  await persistence.update({ phase: 'done' })
  await persistence.release()
  ui.success(`task ${task.id} done here (${final?.status ?? 'deleted'})`)
  return 'done'
}

async function mergePassedTask(ctx: RunnerContext, task: TaskResponse, state: TaskLockState): Promise<void> {
  const { ui, config } = ctx
  const merged = await withMergeLock(ctx.mergeLockDir, ctx.signal, () =>
    ctx.worktree.mergeIntoBase({ branch: state.branch_name, baseBranch: ctx.baseBranch, message: `Merge task ${task.id}: ${task.title}` }),
  )
  faultPoint(ctx, 'during_merge')
  const current = await findTask(ctx, task.id)
  if (!current || current.status !== 'qa_done') {
    ui.info(`task ${task.id} is ${current?.status ?? 'deleted'}; no status to set after the merge`)
    return
  }
  if (merged.ok) {
    ui.success(`merged ${state.branch_name} into ${ctx.baseBranch} (${merged.sha.slice(0, 8)})`)
    await reportStatus(ctx, task.id, 'committed', `Merged ${state.branch_name} into ${ctx.baseBranch} as ${merged.sha}.`)
    return
  }
  if (merged.conflict === true) {
    const files = merged.files.join(', ')
    ui.error(`merging ${state.branch_name} into ${ctx.baseBranch} conflicts in: ${files}`)
    await reportStatus(
      ctx,
      task.id,
      'created',
      `Merge into ${ctx.baseBranch} failed: conflicts in ${files}. Bring ${state.branch_name} up to date with ${ctx.baseBranch}, resolve, and report dev_done again.`,
    )
    return
  }
  ui.error(`merge of task ${task.id} failed: ${merged.message}; it stays at qa_done for a human`)
  await serverCall(ctx, 'commenting', () =>
    ctx.client.addComment(task.id, `The runner could not merge ${state.branch_name} into ${ctx.baseBranch}: ${merged.message}`, config.agentId),
  )
}

/**
 * Whether another agent now works in this worktree: worktrees are keyed to the task, so a dev who
 * took the task over reuses `task-<id>` (and a reviewer `task-<id>-qa`). Then it is theirs.
 */
function isWorktreeTakenOver(ctx: RunnerContext, state: TaskLockState, task: TaskResponse | undefined): boolean {
  if (!task?.locked_by || task.locked_by === ctx.config.agentId) return false
  return (task.claimed_from === 'dev_done') === state.worktree_path.endsWith('-qa')
}

/**
 * Removes the task's worktree, first committing what is left in a dev worktree so nothing is lost.
 * When that commit fails (or the worktree is someone else's now) the worktree stays.
 */
async function removeWorktree(ctx: RunnerContext, state: TaskLockState, task?: TaskResponse, note = 'work left uncommitted'): Promise<void> {
  if (!existsSync(state.worktree_path)) return
  if (isWorktreeTakenOver(ctx, state, task)) {
    ctx.ui.info(`leaving ${state.worktree_path} alone: ${task?.locked_by} works in it now`)
    return
  }
  if (!state.worktree_path.endsWith('-qa')) {
    const saved = await ctx.worktree.commitAll(state.worktree_path, `task ${state.task_id}: ${note} (committed by the runner)`)
    if (!saved.ok) {
      ctx.ui.warn(`could not commit what is left in ${state.worktree_path} (${saved.message}); keeping the worktree`)
      return
    }
    if (saved.committed) ctx.ui.info(`kept unfinished work as commit ${saved.sha.slice(0, 8)} on ${state.branch_name}`)
  }
  const removed = await ctx.worktree.remove(state.worktree_path, { force: true })
  if (!removed.ok) ctx.ui.warn(`could not remove worktree ${state.worktree_path}: ${removed.message}`)
}

/**
 * Stops work on a task that is not finishing: what the agent wrote is committed to the task branch
 * (nothing is lost), the claim is released when we still hold it, the worktree goes, the lock file last.
 */
export async function giveUpTask(ctx: RunnerContext, state: TaskLockState, options: { unlock: boolean; note: string }): Promise<void> {
  const { ui, config } = ctx
  await stopOrphanAgent(state, (m) => ui.warn(m))
  const task = await findTask(ctx, state.task_id)
  const note = `work in progress (runner stopped: ${options.note.slice(0, 200)})`
  if (isWorktreeTakenOver(ctx, state, task)) {
    ui.info(`leaving ${state.worktree_path} alone: ${task?.locked_by} works in it now`)
  } else if (existsSync(state.worktree_path) && !state.worktree_path.endsWith('-qa')) {
    // Commit before releasing, so whoever takes the task next finds the work on the branch.
    const wip = await ctx.worktree.commitAll(state.worktree_path, `task ${state.task_id}: ${note} (committed by the runner)`)
    if (wip.ok && wip.committed) ui.info(`kept unfinished work as commit ${wip.sha.slice(0, 8)} on ${state.branch_name}`)
  }
  if (options.unlock) {
    try {
      await serverCall(ctx, 'releasing the task', () => ctx.client.unlockTask(state.task_id, config.agentId, options.note))
      ui.warn(`released task ${state.task_id} back to the pool`)
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      ui.warn(`task ${state.task_id} was not released: ${error.message}`)
    }
  }
  await removeWorktree(ctx, state, options.unlock ? await findTask(ctx, state.task_id) : task, note)
  await ctx.persistence.release()
}
