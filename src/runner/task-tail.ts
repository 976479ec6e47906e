import { existsSync } from 'node:fs'

import { ApiError } from '../client/index.js'
import type { TaskResponse } from '../contract/index.js'
import type { TaskLockState } from './components/index.js'
import { withMergeLock } from './merge-lock.js'
import { stopOrphanAgent } from './orphan-agent.js'
import { faultPoint, isReview, serverCall } from './runner-context.js'
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

  const shouldMerge = review && task.complexity === 'minor' && (task.status === 'qa_done' || state.phase === 'merging')
  if (shouldMerge) {
    state = await persistence.update({ phase: 'merging' })
    await mergePassedTask(ctx, task, state)
  }

  await removeWorktree(ctx, state)
  await persistence.update({ phase: 'done' })
  await persistence.release()
  ui.success(`task ${task.id} done here (${(await findTask(ctx, task.id))?.status ?? 'deleted'})`)
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
    await serverCall(ctx, 'reporting committed', () =>
      ctx.client.updateStatus(task.id, { status: 'committed', notes: `Merged ${state.branch_name} into ${ctx.baseBranch} as ${merged.sha}.` }, config.agentId),
    )
    return
  }
  if (merged.conflict === true) {
    const files = merged.files.join(', ')
    ui.error(`merging ${state.branch_name} into ${ctx.baseBranch} conflicts in: ${files}`)
    await serverCall(ctx, 'sending the task back', () =>
      ctx.client.updateStatus(
        task.id,
        {
          status: 'created',
          notes: `Merge into ${ctx.baseBranch} failed: conflicts in ${files}. Bring ${state.branch_name} up to date with ${ctx.baseBranch}, resolve, and report dev_done again.`,
        },
        config.agentId,
      ),
    )
    return
  }
  ui.error(`merge of task ${task.id} failed: ${merged.message}; it stays at qa_done for a human`)
  await serverCall(ctx, 'commenting', () =>
    ctx.client.addComment(task.id, `The runner could not merge ${state.branch_name} into ${ctx.baseBranch}: ${merged.message}`, config.agentId),
  )
}

async function removeWorktree(ctx: RunnerContext, state: TaskLockState): Promise<void> {
  if (!existsSync(state.worktree_path)) return
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
  if (existsSync(state.worktree_path) && !state.worktree_path.endsWith('-qa')) {
    const wip = await ctx.worktree.commitAll(state.worktree_path, `task ${state.task_id}: work in progress (runner stopped: ${options.note.slice(0, 200)})`)
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
  await removeWorktree(ctx, state)
  await ctx.persistence.release()
}
