import { pause } from '../client/index.js'
import type { OperatorChoice, TaskLockState } from './components/index.js'
import { RECOVERY } from './recovery.js'
import type { FailureCategory } from './recovery.js'
import type { RunnerContext, TaskEnd } from './runner-context.js'
import { giveUpTask } from './task-tail.js'

/** Asks the operator (or, without a terminal, the policy) what to do about a stuck task. */
export async function askOperator(
  ctx: RunnerContext,
  message: string,
  category: FailureCategory,
): Promise<OperatorChoice> {
  if (ctx.signal.aborted) return 'quit'
  const options: OperatorChoice[] = ['retry', 'release', 'quit']
  // An operator may take a while to answer; the claim must not lapse meanwhile.
  const keepAlive = setInterval(
    () => void ctx.client.heartbeat(ctx.config.agentId).catch(() => undefined),
    ctx.config.heartbeatIntervalSeconds * 1000,
  )
  let choice: OperatorChoice
  try {
    choice = await ctx.ui.promptOperator(
      `${message}\n${RECOVERY[category].description}`,
      options,
      ctx.signal,
    )
  } finally {
    clearInterval(keepAlive)
  }
  // A retry answered by policy must not spin: give whatever was wrong a moment.
  if (choice === 'retry') await pause(2000, ctx.signal)
  return choice
}

/** The task is no longer ours (lease lost, budget spent, taken away): leave it, say why, clean up. */
export async function dropAfterLoss(
  ctx: RunnerContext,
  state: TaskLockState,
  reason: string,
): Promise<TaskEnd> {
  ctx.ui.warn(`dropping task ${state.task_id}: ${reason}`)
  await giveUpTask(ctx, state, { unlock: false, note: reason })
  return 'dropped'
}
