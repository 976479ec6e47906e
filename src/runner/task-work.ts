import type { TaskResponse } from '../contract/index.js'
import type { TaskLockState } from './components/index.js'
import { nextStep } from './phase-machine.js'
import type { StepAction, StepEvent } from './phase-machine.js'
import { RECOVERY } from './recovery.js'
import type { FailureCategory } from './recovery.js'
import { recordCutOffAttempt } from './run-records.js'
import { faultPoint, modeOf, serverCall } from './runner-context.js'
import type { RunnerContext, TaskEnd } from './runner-context.js'
import { stopOrphanAgent } from './orphan-agent.js'
import { judgeFinishedRun, runAttempt } from './task-attempt.js'
import type { AttemptEnd, AttemptMemory } from './task-attempt.js'
import { askOperator, dropAfterLoss } from './task-exits.js'
import { cleanUp, giveUpTask, isMergeDue, mergeReviewed, runPostTask } from './task-tail.js'
import { prepareWorktree } from './task-worktree.js'

/**
 * What the dashboard shows an agent doing during each step. An attempt tells its own (the
 * ActivityReporter: `claude`, the tool and its input); `stop` and `drop` end the task here at once.
 */
const STEP_PHASE: Partial<Record<StepAction, string>> = {
  prepare_worktree: 'preparing the worktree',
  run_pre_task: 'pre_task hook',
  record_cut_off_attempt: 'recording a cut-off attempt',
  judge_finished_run: 'checking the work',
  ask_operator: 'waiting for the operator',
  give_back: 'giving the task back',
  run_post_task: 'post_task hook',
  merge: 'merging',
  clean_up: 'cleaning up',
}

/** The last failure of this task here: what the operator, the release note and the drop say. */
interface Failure {
  category: FailureCategory
  reason: string
}

/**
 * Drives one claimed task through its phases, from wherever the lock file says it stopped, until
 * it is done here, given up or the runner stops. `nextStep` (phase-machine.ts) decides each step;
 * this only does it and turns its outcome into the next event.
 */
export async function driveTask(
  ctx: RunnerContext,
  task: TaskResponse,
  initial: TaskLockState,
  first: StepEvent = { kind: 'resume' },
): Promise<TaskEnd> {
  try {
    return await driveSteps(ctx, task, initial, first)
  } finally {
    // The task is done here (or the runner stops): the agent is no longer doing anything.
    await ctx.activity.send(null)
  }
}

async function driveSteps(
  ctx: RunnerContext,
  task: TaskResponse,
  initial: TaskLockState,
  first: StepEvent,
): Promise<TaskEnd> {
  const { ui, persistence, config } = ctx
  const mode = modeOf(ctx, initial, task)
  let state = initial
  let event = first
  let failuresInARow = 0
  let failure: Failure | undefined
  const memory: AttemptMemory = { isSessionRetried: false }
  await stopOrphanAgent(state, (m) => ui.warn(m))

  for (;;) {
    // Stopping: whatever the last step came to, nothing new starts (a report is still taken).
    if (ctx.signal.aborted && event.kind !== 'reported_by_agent') event = { kind: 'interrupted' }
    const atTail = state.phase === 'post_task_done' || state.phase === 'merging'
    const current = atTail
      ? await serverCall(ctx, 'reading the task', () => ctx.client.findTask(task.id))
      : task
    const action = nextStep(
      {
        phase: state.phase,
        hasUnrecordedAttempt: Boolean(state.attempt_started_at),
        isMergeDue: isMergeDue(mode, current),
        failuresInARow,
        maxAttempts: config.maxAttempts,
      },
      event,
    )
    event = { kind: 'resume' }
    const phase = STEP_PHASE[action]
    if (phase !== undefined) void ctx.activity.step(task.id, state.attempt || null, phase)
    switch (action) {
      case 'stop':
        return 'interrupted'
      case 'drop':
        return dropAfterLoss(
          ctx,
          state,
          failure?.reason ?? `the server no longer gives task ${task.id} to this agent`,
        )
      case 'give_back': {
        const what =
          failure?.category === 'workspace_invalid'
            ? 'this machine cannot work on tasks'
            : 'claude cannot run here'
        ui.error(`${what}: ${failure?.reason}`)
        ui.error(`fix: ${RECOVERY[failure?.category ?? 'agent_not_found'].description}`)
        await giveUpTask(ctx, state, {
          unlock: true,
          note: `${what} (agent ${config.agentId}: ${failure?.reason}); nothing about the task is at fault, so it goes back to the pool at once`,
        })
        return 'blocked'
      }
      case 'prepare_worktree': {
        const prepared = await prepareWorktree(ctx, task, state, mode)
        state = prepared.state
        if (prepared.kind === 'failed' && prepared.isEnvironment) {
          failure = { category: 'workspace_invalid', reason: prepared.reason }
          event = { kind: 'failed', isEnvironment: true, isBudgetSpent: false }
        } else if (prepared.kind === 'failed')
          event = failed(
            { category: 'workspace_invalid', reason: prepared.reason },
            prepared.budget?.isSpent,
          )
        break
      }
      case 'run_pre_task': {
        const pre = await ctx.hooks.runPreTask({ cwd: state.worktree_path, task: { ...task } })
        faultPoint(ctx, 'during_pre_task')
        if (pre.ok) state = await persistence.update({ phase: 'pre_task_done' })
        else {
          ui.error(`pre_task hook failed: ${pre.message ?? 'non-zero exit'}`)
          event = failed({
            category: pre.timedOut ? 'hook_timeout' : 'hook_failed',
            reason: `the pre_task hook refused the task: ${pre.message ?? 'non-zero exit'}`,
          })
        }
        break
      }
      case 'record_cut_off_attempt': {
        const { budget } = await recordCutOffAttempt(ctx, state, false)
        state = await persistence.update({ attempt_started_at: null })
        if (budget?.isSpent)
          event = failed(
            {
              category: 'agent_exit',
              reason: `task spent its failure budget (${budget.failures}/${budget.maxFailures}) and went back to pending: the runner keeps dying during its attempts`,
            },
            true,
          )
        break
      }
      case 'run_attempt':
      case 'retry_attempt':
      case 'judge_finished_run': {
        if (action === 'retry_attempt')
          ui.info(
            `retrying task ${task.id} at once (${failuresInARow}/${config.maxAttempts} failures in a row)`,
          )
        const ran =
          action === 'judge_finished_run'
            ? await judgeFinishedRun(ctx, task, state, mode)
            : await runAttempt(ctx, task, state, mode, memory)
        state = ran.state
        event = eventOfAttempt(ran.end)
        if (ran.end.kind === 'failed' || ran.end.kind === 'environment' || ran.end.kind === 'lost')
          failure = failureOf(ran.end)
        if (ran.end.kind === 'failed') {
          failuresInARow++
          memory.previousFailure = ran.end.reason
          ui.error(`attempt ${state.attempt} at task ${task.id} failed: ${ran.end.reason}`)
        }
        break
      }
      case 'ask_operator': {
        // Stopping: the claim stays for the next start, which is an interrupt, not a quit.
        if (ctx.signal.aborted) return 'interrupted'
        const what = failure ?? { category: 'agent_exit' as const, reason: 'unknown failure' }
        const choice = await askOperator(
          ctx,
          `Task ${task.id} failed${failuresInARow > 1 ? ` ${failuresInARow} times in a row` : ''}: ${what.reason}`,
          what.category,
        )
        if (ctx.signal.aborted) return 'interrupted'
        if (choice === 'quit') {
          ui.warn(
            `quitting; task ${task.id} stays claimed by this agent and resumes on the next start`,
          )
          return 'quit'
        }
        if (choice === 'release') {
          const times =
            failuresInARow > 0
              ? `after ${failuresInARow} failed attempt(s) in a row`
              : 'after a failure'
          await giveUpTask(ctx, state, {
            unlock: true,
            note: `the runner gave up ${times}. Last failure: ${what.reason}`,
          })
          return 'released'
        }
        failuresInARow = 0
        break
      }
      case 'run_post_task': {
        const now = await serverCall(ctx, 'reading the task', () => ctx.client.findTask(task.id))
        if (!now) return taskDeleted(ctx, state)
        state = await runPostTask(ctx, state, now)
        break
      }
      case 'merge':
        state = await mergeReviewed(ctx, state, current!)
        break
      case 'clean_up':
        return cleanUp(ctx, state)
    }
  }

  function failed(what: Failure, isBudgetSpent = false): StepEvent {
    failure = what
    return { kind: 'failed', isEnvironment: false, isBudgetSpent }
  }
}

function eventOfAttempt(end: AttemptEnd): StepEvent {
  switch (end.kind) {
    case 'reported_by_agent':
      return { kind: 'reported_by_agent' }
    case 'reported':
    case 'retry':
      return { kind: 'resume' }
    case 'interrupted':
      return { kind: 'interrupted' }
    case 'lost':
      return { kind: 'lease_lost' }
    case 'environment':
      return { kind: 'failed', isEnvironment: true, isBudgetSpent: false }
    case 'failed':
      return {
        kind: 'failed',
        isEnvironment: false,
        isBudgetSpent: end.budget?.isSpent === true,
        isFinal: end.isFinal,
      }
  }
}

function failureOf(end: Extract<AttemptEnd, { kind: 'failed' | 'environment' | 'lost' }>): Failure {
  if (end.kind === 'lost') return { category: 'lease_lost', reason: end.reason }
  if (end.kind === 'failed' && end.budget?.isSpent) {
    return {
      category: end.category,
      reason: `task spent its failure budget (${end.budget.failures}/${end.budget.maxFailures} failed attempts) and went back to pending. Last failure: ${end.reason}`,
    }
  }
  return { category: end.category, reason: end.reason }
}

async function taskDeleted(ctx: RunnerContext, state: TaskLockState): Promise<TaskEnd> {
  ctx.ui.warn(`task ${state.task_id} was deleted on the server; cleaning up`)
  await giveUpTask(ctx, state, { unlock: false, note: 'the task was deleted on the server' })
  return 'dropped'
}
