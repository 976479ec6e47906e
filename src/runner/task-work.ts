import { ApiError } from '../client/index.js'
import type { MentionResponse, RunOutcome, TaskResponse } from '../contract/index.js'
import type { ClaudeRunResult, OperatorChoice, TaskLockState, TaskPhase } from './components/index.js'
import { TASK_PHASES } from './components/index.js'
import { runProcess } from '../lib/index.js'
import { judgeRun } from './outcome.js'
import { isReportedStatus } from './reconcile.js'
import { buildPrompt } from './prompt.js'
import { categoryForOutcome, RECOVERY } from './recovery.js'
import type { FailureCategory } from './recovery.js'
import { faultPoint, isReview, reportStatus, serverCall, taskBranch } from './runner-context.js'
import type { RunnerContext } from './runner-context.js'
import { stopOrphanAgent } from './orphan-agent.js'
import { sleep } from './server-calls.js'
import { finishTask, giveUpTask } from './task-tail.js'

/** How work on one task ended, as far as the loop cares. */
export type TaskEnd = 'done' | 'released' | 'dropped' | 'quit' | 'interrupted'

function atOrAfter(state: TaskLockState, phase: TaskPhase): boolean {
  return TASK_PHASES.indexOf(state.phase) >= TASK_PHASES.indexOf(phase)
}

/**
 * Drives one claimed task through its phases, from wherever the lock file says it stopped:
 * worktree → pre_task → Claude (retried at once on failure) → verdict → report → tail.
 */
export async function workOnTask(ctx: RunnerContext, task: TaskResponse, initial: TaskLockState): Promise<TaskEnd> {
  const { ui, persistence } = ctx
  let state = initial
  const review = isReview(ctx, task)
  await stopOrphanAgent(state, (m) => ui.warn(m))
  if (ctx.signal.aborted) return 'interrupted'

  if (!atOrAfter(state, 'worktree_ready')) {
    const prepared = await prepareWorktree(ctx, task)
    if (typeof prepared === 'string') return prepared
    const head = await runProcess('git', ['rev-parse', 'HEAD'], { cwd: prepared.path, timeoutMs: 30_000 }).catch(() => undefined)
    const startSha = head?.exitCode === 0 ? head.stdout.trim() : null
    state = await persistence.update({ worktree_path: prepared.path, branch_name: prepared.branch, start_sha: startSha, phase: 'worktree_ready' })
  }

  if (!atOrAfter(state, 'pre_task_done')) {
    for (;;) {
      const pre = await ctx.hooks.runPreTask({ cwd: state.worktree_path, task: { ...task } })
      faultPoint(ctx, 'during_pre_task')
      if (pre.ok) break
      ui.error(`pre_task hook failed: ${pre.message ?? 'non-zero exit'}`)
      const choice = await askOperator(ctx, `The pre_task hook refused task ${task.id}.`, pre.timedOut ? 'hook_timeout' : 'hook_failed')
      if (choice !== 'retry') return giveUpOrQuit(ctx, state, choice, `pre_task hook failed: ${pre.message ?? ''}`)
    }
    state = await persistence.update({ phase: 'pre_task_done' })
  }

  if (!atOrAfter(state, 'reported')) {
    const ran = await runUntilReported(ctx, task, state, review)
    if (typeof ran === 'string') return ran
    state = ran
  }
  return finishTask(ctx, state, task)
}

async function prepareWorktree(ctx: RunnerContext, task: TaskResponse): Promise<{ path: string; branch: string } | TaskEnd> {
  const branch = taskBranch(task, ctx.baseBranch)
  for (;;) {
    const result = isReview(ctx, task)
      ? await ctx.worktree.ensureForReview({ taskId: task.id, branch })
      : await ctx.worktree.ensureForTask({ taskId: task.id, branch, baseBranch: ctx.baseBranch })
    faultPoint(ctx, 'during_worktree')
    if (result.ok) {
      if (result.movedAside) ctx.ui.warn(`a leftover directory was in the way; moved to ${result.movedAside}`)
      if (result.isDirty) ctx.ui.warn(`resuming in a worktree with uncommitted changes: ${result.path}`)
      ctx.ui.info(`${result.isCreated ? 'created' : 'reusing'} worktree ${result.path} (${branch})`)
      return { path: result.path, branch }
    }
    ctx.ui.error(`cannot prepare the worktree for task ${task.id}: ${result.message}`)
    const choice = await askOperator(ctx, `The worktree for task ${task.id} cannot be prepared.`, 'workspace_invalid')
    if (choice !== 'retry') {
      const state = await ctx.persistence.read()
      if (state.kind === 'ok') return giveUpOrQuit(ctx, state.state, choice, `worktree failed: ${result.message}`)
      return 'quit'
    }
  }
}

/** Runs Claude until the work is reported (by the agent or by us), or the task is given up. */
async function runUntilReported(
  ctx: RunnerContext,
  task: TaskResponse,
  initial: TaskLockState,
  review: boolean,
): Promise<TaskLockState | TaskEnd> {
  const { ui, persistence, config } = ctx
  let state = initial
  let failuresInARow = 0
  let previousFailure: string | undefined
  // Killed after Claude finished but before the report: judge that run rather than pay for another.
  if (state.phase === 'agent_finished') {
    const verdict = await judge(ctx, task.id, state, review)
    if (verdict === 'reported') return persistence.update({ phase: 'reported' })
    if (verdict.kind === 'lost') return dropAfterLoss(ctx, state, verdict.reason)
    previousFailure = verdict.reason
  }
  for (;;) {
    if (ctx.signal.aborted) return 'interrupted'
    state = await persistence.update({ attempt: state.attempt + 1, phase: 'running' })
    const mentions = await serverCall(ctx, 'reading mentions', () =>
      ctx.client.listMentions({ agent_id: config.agentId, unread_only: true, limit: 50 }),
    )
    const fresh = await serverCall(ctx, 'reading the task', () => ctx.client.getTask(task.id))
    // Before each attempt: is the task still ours? (A retry may come long after the last check, and
    // an agent that crashed after reporting through `hpm` has finished the task.)
    if (fresh.locked_by !== config.agentId) {
      if (fresh.locked_by === null && isReportedStatus(fresh, review)) return persistence.update({ phase: 'reported' })
      return dropAfterLoss(ctx, state, `the server no longer gives task ${task.id} to this agent`)
    }
    const run = await runClaude(ctx, fresh, state, mentions, previousFailure, review)
    state = await persistence.update({ session_id: run.result.sessionId ?? state.session_id, phase: 'agent_finished', agent_pgid: null })
    faultPoint(ctx, 'after_claude')
    await recordRun(ctx, task.id, state, run.result, run.startedAt, run.leaseLost ? 'failed' : undefined)
    if (run.result.sessionId !== null) await markRead(ctx, mentions)

    if (run.leaseLost) return dropAfterLoss(ctx, state, `the server no longer gives task ${task.id} to this agent`)
    if (run.result.outcome === 'interrupted' || ctx.signal.aborted) return 'interrupted'

    let failure: { category: FailureCategory; text: string } | undefined
    const category = categoryForOutcome(run.result.outcome)
    if (category) {
      failure = { category, text: `${run.result.outcome}${run.result.errorMessage ? `: ${run.result.errorMessage}` : ''}` }
      // A resume that never started may point at a session Claude no longer has: start afresh next time.
      if (run.resumed && !run.sawInit) state = await persistence.update({ session_id: null })
    } else {
      const verdict = await judge(ctx, task.id, state, review)
      if (verdict === 'reported') return persistence.update({ phase: 'reported' })
      if (verdict.kind === 'lost') return dropAfterLoss(ctx, state, verdict.reason)
      failure = { category: 'agent_exit', text: verdict.reason }
    }

    failuresInARow++
    previousFailure = failure.text
    ui.error(`attempt ${state.attempt} at task ${task.id} failed: ${failure.text}`)
    const rule = RECOVERY[failure.category]
    if (rule.retry === 'immediate' && failuresInARow < config.maxAttempts) {
      ui.info(`retrying task ${task.id} at once (${failuresInARow}/${config.maxAttempts} failures in a row)`)
      continue
    }
    const choice = await askOperator(ctx, `Task ${task.id} failed ${failuresInARow} time(s) in a row: ${failure.text}`, failure.category)
    if (choice === 'retry') {
      failuresInARow = 0
      continue
    }
    return giveUpOrQuit(ctx, state, choice, `runner gave up after ${failuresInARow} failed attempt(s): ${failure.text}`)
  }
}

interface ClaudeRun {
  result: ClaudeRunResult
  startedAt: Date
  leaseLost: boolean
  resumed: boolean
  sawInit: boolean
}

/** One Claude run with lease renewals and health checks alongside. */
async function runClaude(
  ctx: RunnerContext,
  task: TaskResponse,
  state: TaskLockState,
  mentions: readonly MentionResponse[],
  previousFailure: string | undefined,
  review: boolean,
): Promise<ClaudeRun> {
  const { ui, config } = ctx
  const model = ctx.models.modelFor(task.difficulty)
  const prompt = buildPrompt({
    rolePrompt: ctx.rolePrompt,
    task,
    agentId: config.agentId,
    role: config.role,
    worktreePath: state.worktree_path,
    branch: state.branch_name,
    baseBranch: ctx.baseBranch,
    mentions,
    attempt: state.attempt,
    previousFailure,
  })
  const stop = new AbortController()
  const onShutdown = () => stop.abort()
  ctx.signal.addEventListener('abort', onShutdown, { once: true })
  let leaseLost = false

  const heartbeat = setInterval(() => {
    void renewLease(ctx, task.id, review).then((isLost) => {
      if (!isLost || stop.signal.aborted) return
      leaseLost = true
      ui.error(`the server no longer gives task ${task.id} to this agent; stopping Claude`)
      stop.abort()
    })
  }, config.heartbeatIntervalSeconds * 1000)
  const health = setInterval(() => {
    void ctx.hooks.runHealthCheck({ cwd: state.worktree_path }).then((h) => {
      if (!h.ok) ui.warn(`health_check failed while Claude works: ${h.message ?? 'non-zero exit'}`)
    })
  }, config.healthCheckIntervalSeconds * 1000)

  const resume = state.session_id && state.attempt > 1 ? state.session_id : null
  ui.info(`attempt ${state.attempt}: claude --model ${model}${resume ? ` --resume ${resume}` : ''} in ${state.worktree_path}`)
  ui.startSpinner(`task ${task.id}: ${task.title}`)
  const startedAt = new Date()
  let sawInit = false
  try {
    const result = await ctx.executor.run({
      prompt,
      model,
      cwd: state.worktree_path,
      resumeSessionId: resume,
      taskId: task.id,
      attempt: state.attempt,
      signal: stop.signal,
      onSpawn: (pid) => void ctx.persistence.update({ agent_pgid: pid }).catch(() => undefined),
      onEvent: (event) => {
        if (event.type === 'init' && !sawInit) {
          sawInit = true
          if (event.sessionId) void ctx.persistence.update({ session_id: event.sessionId }).catch(() => undefined)
          faultPoint(ctx, 'during_claude')
        }
        if (event.type === 'tool') ui.setActivity(`${event.name}${event.summary ? `: ${event.summary}` : ''}`)
      },
    })
    return { result, startedAt, leaseLost, resumed: resume !== null, sawInit }
  } finally {
    ui.stopSpinner()
    clearInterval(heartbeat)
    clearInterval(health)
    ctx.signal.removeEventListener('abort', onShutdown)
  }
}

/**
 * Renews the lease; true when the task is no longer ours. A task the agent itself just reported
 * (dev_done releases the claim) is not lost: Claude is finishing, and the verdict will see it.
 */
async function renewLease(ctx: RunnerContext, taskId: number, review: boolean): Promise<boolean> {
  try {
    const beat = await ctx.client.heartbeat(ctx.config.agentId)
    if (beat.tasks.some((t) => t.id === taskId)) return false
    const task = await ctx.client.getTask(taskId)
    return !(task.locked_by === null && isReportedStatus(task, review))
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return true
    ctx.ui.warn(`lease renewal failed: ${error instanceof Error ? error.message : String(error)}`)
    return false
  }
}

/** Dev: commit what the agent left, then look at the server. QA: only the server's status counts. */
async function judge(
  ctx: RunnerContext,
  taskId: number,
  state: TaskLockState,
  review: boolean,
): Promise<'reported' | { kind: 'lost' | 'no_work'; reason: string }> {
  let ahead = 0
  if (!review) {
    const committed = await ctx.worktree.commitAll(state.worktree_path, `task ${taskId}: work left uncommitted by the agent (committed by the runner)`)
    if (committed.ok && committed.committed) ctx.ui.info(`committed changes the agent left uncommitted (${committed.sha.slice(0, 8)})`)
    // A rework round starts on a branch that already has commits: only new ones count as this claim's work.
    const count = await ctx.worktree.commitsAhead(state.worktree_path, state.start_sha ?? ctx.baseBranch)
    ahead = count.ok ? count.count : 0
  }
  const task = await serverCall(ctx, 'reading the task', () => ctx.client.getTask(taskId))
  const verdict = judgeRun({ task, agentId: ctx.config.agentId, isQa: review, commitsAhead: ahead })
  switch (verdict.kind) {
    case 'reported':
      ctx.ui.success(`task ${taskId} reported ${verdict.status} by the agent`)
      return 'reported'
    case 'report_dev_done': {
      const reported = await reportStatus(ctx, taskId, 'dev_done', `Reported by the runner: ${ahead} commit(s) on ${state.branch_name}.`)
      if (reported === 'lost') return { kind: 'lost', reason: `task ${taskId} moved on before dev_done could be reported` }
      ctx.ui.success(`task ${taskId} reported dev_done (${ahead} commit(s) on ${state.branch_name})`)
      return 'reported'
    }
    default:
      return verdict
  }
}

async function recordRun(
  ctx: RunnerContext,
  taskId: number,
  state: TaskLockState,
  result: ClaudeRunResult,
  startedAt: Date,
  override?: RunOutcome,
): Promise<void> {
  const outcome: RunOutcome = override ?? (result.outcome === 'not_sandboxed' ? 'agent_not_found' : result.outcome)
  try {
    await serverCall(ctx, 'recording the run', () =>
      ctx.client.recordRun(taskId, {
        agent_id: ctx.config.agentId,
        attempt: state.attempt,
        outcome,
        model: result.model,
        session_id: result.sessionId,
        exit_code: result.exitCode,
        is_error: result.isError,
        error: result.errorMessage?.slice(0, 10_000) ?? null,
        cost_usd: result.costUsd,
        input_tokens: result.usage?.input ?? null,
        output_tokens: result.usage?.output ?? null,
        cache_read_tokens: result.usage?.cacheRead ?? null,
        cache_creation_tokens: result.usage?.cacheCreation ?? null,
        num_turns: result.numTurns,
        started_at: startedAt.toISOString(),
        finished_at: new Date(startedAt.getTime() + result.durationMs).toISOString(),
        log_path: result.logPath,
      }),
    )
  } catch (error) {
    // The run record is bookkeeping: losing it must not lose the task.
    ctx.ui.warn(`could not record the run: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Bookkeeping: a mention left unread is delivered again, which is harmless; never fail the task. */
async function markRead(ctx: RunnerContext, mentions: readonly MentionResponse[]): Promise<void> {
  for (const mention of mentions) {
    try {
      await ctx.client.markMentionRead(mention.id, ctx.config.agentId)
    } catch (error) {
      ctx.ui.warn(`could not mark mention ${mention.id} read: ${error instanceof Error ? error.message : String(error)}`)
      return
    }
  }
}

// Failures of the installation, not of the task: releasing would only fail the next task the same
// way, so the choice is retry or quit (a `release` policy answers quit).
const INSTALLATION_FAILURES: readonly FailureCategory[] = ['not_logged_in', 'agent_not_found']

async function askOperator(ctx: RunnerContext, message: string, category: FailureCategory): Promise<OperatorChoice> {
  if (ctx.signal.aborted) return 'quit'
  const options: OperatorChoice[] = INSTALLATION_FAILURES.includes(category) ? ['retry', 'quit'] : ['retry', 'release', 'quit']
  // An operator may take a while to answer; the claim must not lapse meanwhile.
  const keepAlive = setInterval(() => void ctx.client.heartbeat(ctx.config.agentId).catch(() => undefined), ctx.config.heartbeatIntervalSeconds * 1000)
  let choice: OperatorChoice
  try {
    choice = await ctx.ui.promptOperator(`${message}\n${RECOVERY[category].description}`, options)
  } finally {
    clearInterval(keepAlive)
  }
  // A retry answered by policy must not spin: give whatever was wrong a moment.
  if (choice === 'retry') await sleep(2000, ctx.signal)
  return choice
}

async function giveUpOrQuit(ctx: RunnerContext, state: TaskLockState, choice: OperatorChoice, note: string): Promise<TaskEnd> {
  if (choice === 'quit') {
    ctx.ui.warn(`quitting; task ${state.task_id} stays claimed by this agent and resumes on the next start`)
    return 'quit'
  }
  await giveUpTask(ctx, state, { unlock: true, note })
  return 'released'
}

async function dropAfterLoss(ctx: RunnerContext, state: TaskLockState, reason: string): Promise<TaskEnd> {
  ctx.ui.warn(`dropping task ${state.task_id}: ${reason}`)
  await giveUpTask(ctx, state, { unlock: false, note: reason })
  return 'dropped'
}
