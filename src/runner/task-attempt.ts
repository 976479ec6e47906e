import { randomUUID } from 'node:crypto'

import type { MentionResponse, TaskResponse } from '../contract/index.js'
import type { ClaudeRunResult, TaskLockState } from './components/index.js'
import { classifyAttempt, judgeRun, serverViewOf } from './outcome.js'
import { buildPrompt } from './prompt.js'
import { ActivityReporter } from './activity.js'
import { categoryForOutcome } from './recovery.js'
import type { FailureCategory } from './recovery.js'
import { outcomeOf, recordAttempt, resultFromLog } from './run-records.js'
import type { AttemptRecord, FailureBudget } from './run-records.js'
import {
  commentOnTask,
  faultPoint,
  leftoversRef,
  reportStatus,
  serverCall,
} from './runner-context.js'
import type { RunnerContext, TaskMode } from './runner-context.js'

/** What one attempt came to, after its run record is written. */
export type AttemptEnd =
  | { kind: 'reported' }
  | { kind: 'reported_by_agent' }
  | { kind: 'interrupted' }
  /** Claude refused the session flag before starting: run again at once, nothing counted. */
  | { kind: 'retry' }
  | { kind: 'lost'; reason: string }
  | { kind: 'environment'; category: FailureCategory; reason: string }
  | {
      kind: 'failed'
      category: FailureCategory
      reason: string
      budget: FailureBudget | undefined
      isFinal?: boolean
    }

/** What the driver keeps between attempts of one task in this process. */
export interface AttemptMemory {
  /** Why the previous attempt failed, told to the next one. */
  previousFailure?: string
  /** A refused session flag was already retried once. */
  isSessionRetried: boolean
}

/**
 * One attempt: the task is checked to be still ours, Claude runs (launched with its session id
 * chosen up front), the run is judged and recorded, and the lock file says where that left the
 * task: `reported` when the work was reported, still `agent_finished` (attempt recorded) after a
 * failure, `running` when stopped (the next start resumes the session).
 */
export async function runAttempt(
  ctx: RunnerContext,
  task: TaskResponse,
  initial: TaskLockState,
  mode: TaskMode,
  memory: AttemptMemory,
): Promise<{ end: AttemptEnd; state: TaskLockState }> {
  const { ui, persistence, config } = ctx
  let state = initial
  // The server is asked first: an outage waited out here must not look like a launched attempt.
  const mentions = await serverCall(ctx, 'reading mentions', () =>
    ctx.client.listMentions({ agent_id: config.agentId, unread_only: true, limit: 50 }),
  )
  const fresh = await serverCall(ctx, 'reading the task', () => ctx.client.findTask(task.id))
  // Before each attempt: is the task still ours? (A retry may come long after the last check, and
  // an agent that crashed after reporting through `hpm` has finished the task.)
  if (fresh?.locked_by !== config.agentId) {
    if (serverViewOf(fresh, config.agentId, mode === 'review', state.claim_count) === 'reported')
      return { end: { kind: 'reported_by_agent' }, state }
    return {
      end: { kind: 'lost', reason: `the server no longer gives task ${task.id} to this agent` },
      state,
    }
  }
  const budgetUsd = await remainingBudget(ctx, fresh)
  // Stopped while the server was asked: launch nothing (a run started now could not be stopped).
  if (ctx.signal.aborted) return { end: { kind: 'interrupted' }, state }
  state = await persistence.update({
    attempt: initial.attempt + 1,
    phase: 'running',
    session_id: initial.session_id ?? randomUUID(),
    attempt_started_at: new Date().toISOString(),
    attempt_key: randomUUID(),
  })
  if (budgetUsd !== null && budgetUsd <= 0) {
    const source =
      fresh.budget_usd !== null
        ? `the task's budget_usd=${fresh.budget_usd}`
        : `HEADLESS_PM_TASK_BUDGET_USD=${config.taskBudgetUsd}`
    const reason = `the task has spent its money budget (${source}); claude was not started`
    const saved = await recordAttempt(ctx, state, {
      outcome: 'failed',
      verdict: 'failed',
      reason,
      startedAt: new Date(),
      finishedAt: new Date(),
    })
    const end: AttemptEnd = {
      kind: 'failed',
      category: 'agent_exit',
      reason,
      budget: saved.budget,
      isFinal: true,
    }
    return {
      end,
      state: await persistence.update({ phase: 'agent_finished', attempt_started_at: null }),
    }
  }
  const run = await runClaude(ctx, fresh, state, mentions, memory.previousFailure, mode, budgetUsd)
  if (run.result.outcome === 'interrupted' && !run.leaseLost) {
    // Stopped mid-run: the phase stays `running`, so the next start resumes this session and
    // never judges the unfinished work. An agent that had reported already is taken at its word.
    const now = await ctx.client.findTask(task.id).catch(() => undefined)
    const isReported =
      serverViewOf(now, config.agentId, mode === 'review', state.claim_count) === 'reported'
    const reason = isReported
      ? `the agent reported ${now?.status}; then the runner was stopped (SIGINT/SIGTERM)`
      : 'the runner was stopped (SIGINT/SIGTERM) while Claude worked; the next start resumes the session'
    const saved = await recordAttempt(
      ctx,
      state,
      runRecord(run, 'interrupted', isReported ? 'succeeded' : 'interrupted', reason),
    )
    state = await persistence.update({
      agent_pgid: null,
      ...(saved.isRecorded ? { attempt_started_at: null } : {}),
    })
    return { end: { kind: 'interrupted' }, state }
  }
  // Written first: a crash from here on judges this run (from its log) instead of paying again.
  state = await persistence.update({ phase: 'agent_finished', agent_pgid: null })
  faultPoint(ctx, 'after_claude')
  const wasStarted = state.session_started === true
  state = await noteSession(ctx, state, run)
  // Claude refused the session flag before doing anything (the runner died between Claude's start
  // and noting it): not the task's failure. Retried once with the other flag.
  if (!run.sawInit && (state.session_started === true) !== wasStarted && !memory.isSessionRetried) {
    memory.isSessionRetried = true
    ui.warn(
      `claude refused the session flag (${run.result.errorMessage ?? 'no detail'}); retrying with ${state.session_started ? '--resume' : '--session-id'}`,
    )
    await recordAttempt(
      ctx,
      state,
      runRecord(
        run,
        outcomeOf(run.result),
        'interrupted',
        `session bookkeeping, not the task's failure: ${run.result.errorMessage ?? ''}`,
      ),
    )
    state = await persistence.update({ attempt_started_at: null })
    return { end: { kind: 'retry' }, state }
  }
  if (run.result.sessionId !== null && run.sawInit) await markRead(ctx, mentions)
  // Ended on its own as the runner stops: judged (from its log) on the next start.
  if (ctx.signal.aborted && !run.leaseLost) return { end: { kind: 'interrupted' }, state }
  const { end, isRecorded } = await concludeAttempt(ctx, task, state, mode, {
    outcome: outcomeOf(run.result),
    startedAt: run.startedAt,
    result: run.result,
    isLeaseLost: run.leaseLost,
    errorMessage: run.result.errorMessage,
    lastText: run.result.lastText ?? run.result.lastResultText,
  })
  return { end, state: await settle(ctx, end, isRecorded) }
}

/**
 * What is left of the task's money budget (its own `budget_usd`, else `HEADLESS_PM_TASK_BUDGET_USD`,
 * minus what its recorded runs cost, whoever ran them), or null without a budget. Passed to Claude
 * as `--max-budget-usd`.
 */
async function remainingBudget(ctx: RunnerContext, task: TaskResponse): Promise<number | null> {
  const budget = task.budget_usd ?? ctx.config.taskBudgetUsd
  if (budget === undefined) return null
  const runs = await serverCall(ctx, 'reading the runs', () => ctx.client.listRuns(task.id))
  const spent = runs.reduce((sum, run) => sum + (run.cost_usd ?? 0), 0)
  return Math.max(0, Math.round((budget - spent) * 10_000) / 10_000)
}

/**
 * Restarted after Claude finished but before its run was judged (`agent_finished` with the attempt
 * unrecorded): that run is judged from its saved event stream rather than paid for again.
 */
export async function judgeFinishedRun(
  ctx: RunnerContext,
  task: TaskResponse,
  state: TaskLockState,
  mode: TaskMode,
): Promise<{ end: AttemptEnd; state: TaskLockState }> {
  const fromLog = await resultFromLog(ctx, state)
  const { end, isRecorded } = await concludeAttempt(ctx, task, state, mode, {
    outcome: !fromLog.hasResult ? 'agent_exit' : fromLog.isError ? 'failed' : 'succeeded',
    startedAt: state.attempt_started_at ? new Date(state.attempt_started_at) : new Date(),
    result: fromLog,
    isLeaseLost: false,
    errorMessage: fromLog.hasResult
      ? (fromLog.errorMessage ?? null)
      : 'claude ended without a result (read back from its log after a restart)',
    lastText: fromLog.text,
  })
  return { end, state: await settle(ctx, end, isRecorded) }
}

/** The attempt is recorded: clear its mark, and move to `reported` when the work was reported. */
function settle(ctx: RunnerContext, end: AttemptEnd, isRecorded: boolean): Promise<TaskLockState> {
  const isReported = end.kind === 'reported' || end.kind === 'reported_by_agent'
  // An unrecorded attempt keeps its mark: the next start records it from its log.
  return ctx.persistence.update({
    ...(isRecorded ? { attempt_started_at: null } : {}),
    cut_offs_in_a_row: 0,
    ...(isReported ? { phase: 'reported' as const } : {}),
  })
}

interface FinishedRun {
  outcome: AttemptRecord['outcome']
  startedAt: Date
  result: AttemptRecord['result']
  isLeaseLost: boolean
  errorMessage: string | null
  lastText: string | null
}

/**
 * Judges a finished attempt and records it with the verdict (Claude's exit and the runner's
 * verdict are kept apart). The only place that decides whether a run did the task's work.
 */
async function concludeAttempt(
  ctx: RunnerContext,
  task: TaskResponse,
  state: TaskLockState,
  mode: TaskMode,
  run: FinishedRun,
): Promise<{ end: AttemptEnd; isRecorded: boolean }> {
  let isRecorded = true
  const end = await judgeAndRecord(async (verdict, reason) => {
    const saved = await recordAttempt(ctx, state, {
      outcome: run.outcome,
      verdict,
      reason,
      startedAt: run.startedAt,
      finishedAt: new Date(),
      result: { ...run.result!, errorMessage: run.errorMessage },
    })
    faultPoint(ctx, 'after_run_record')
    isRecorded = saved.isRecorded
    return saved.budget
  })
  return { end, isRecorded }

  async function judgeAndRecord(
    record: (
      verdict: AttemptRecord['verdict'],
      reason: string | null,
    ) => Promise<FailureBudget | undefined>,
  ): Promise<AttemptEnd> {
    const now = await serverCall(ctx, 'reading the task', () => ctx.client.findTask(task.id))
    const kind = classifyAttempt({
      outcome:
        run.outcome === 'killed'
          ? 'agent_exit'
          : (run.outcome as Parameters<typeof classifyAttempt>[0]['outcome']),
      isStopping: false,
      isLeaseLost: run.isLeaseLost,
      serverView: serverViewOf(now, ctx.config.agentId, mode === 'review', state.claim_count),
    })
    const failure = (reason: string) => withLastWords(reason, run.lastText)

    switch (kind) {
      case 'interrupted':
      case 'judge_later':
        await record('interrupted', 'the runner was stopped while Claude worked')
        return { kind: 'interrupted' }
      case 'lease_lost': {
        const reason = now?.locked_by
          ? `task ${task.id} is now held by ${now.locked_by}`
          : `the server no longer gives task ${task.id} to this agent`
        await record('interrupted', reason)
        return { kind: 'lost', reason }
      }
      case 'reported': {
        ctx.ui.success(`task ${task.id} reported ${now!.status} by the agent`)
        if (mode === 'work') await keepLeftoversAside(ctx, state, now!)
        if (mode === 'work' && ctx.worktree.remote !== undefined) {
          // Remote mode: the agent reported although the prompt says the runner does (and QA may
          // have claimed it since). Its work must reach the remote; when it cannot, the hand-over
          // is taken back (see sendBackUnpushed).
          const pushed = await pushWork(ctx, state, now!.work_commit ?? undefined)
          if (!pushed.ok) {
            const reason = failure(
              `the agent reported ${now!.status} but its work could not be pushed: ${pushed.message}`,
            )
            await sendBackUnpushed(ctx, task.id, reason)
            return {
              kind: 'failed',
              category: 'git_failed',
              reason,
              budget: await record('failed', reason),
            }
          }
        }
        const exit =
          run.outcome === 'succeeded' ? '' : ` (then claude: ${run.errorMessage ?? run.outcome})`
        await record('succeeded', `the agent reported ${now!.status}${exit}`)
        return { kind: 'reported' }
      }
      case 'environment': {
        const category =
          categoryForOutcome(run.outcome as Parameters<typeof categoryForOutcome>[0]) ??
          'agent_not_found'
        const reason = run.errorMessage ?? run.outcome
        await record('environment', reason)
        return { kind: 'environment', category, reason }
      }
      case 'failed': {
        const category =
          categoryForOutcome(run.outcome as Parameters<typeof categoryForOutcome>[0]) ??
          'agent_exit'
        const reason = failure(run.errorMessage ?? run.outcome)
        return { kind: 'failed', category, reason, budget: await record('failed', reason) }
      }
      case 'judge_work':
        break
    }
    const verdict = await judgeWork(ctx, task.id, state, mode)
    if (verdict.kind === 'reported') {
      await record('succeeded', verdict.reason)
      return { kind: 'reported' }
    }
    if (verdict.kind === 'lost') {
      await record('interrupted', verdict.reason)
      return { kind: 'lost', reason: verdict.reason }
    }
    const reason = withLastWords(verdict.reason, run.lastText)
    return {
      kind: 'failed',
      category: 'agent_exit',
      reason,
      budget: await record('failed', reason),
    }
  }
}

/** A failure reason with Claude's last words, shortened: what a person needs to see why. */
function withLastWords(reason: string, lastText: string | null): string {
  const words = lastText?.trim().replace(/\s+/g, ' ')
  if (!words || reason.includes(words.slice(0, 60))) return reason
  return `${reason}. Claude's last message: "${words.length > 300 ? `${words.slice(0, 299)}…` : words}"`
}

interface ClaudeRun {
  result: ClaudeRunResult
  startedAt: Date
  leaseLost: boolean
  resumed: boolean
  sawInit: boolean
}

function runRecord(
  run: ClaudeRun,
  outcome: AttemptRecord['outcome'],
  verdict: AttemptRecord['verdict'],
  reason: string,
): AttemptRecord {
  return {
    outcome,
    verdict,
    reason,
    startedAt: run.startedAt,
    finishedAt: new Date(),
    result: run.result,
  }
}

/**
 * Keeps the lock file's idea of the session true: a run that showed its init event started the
 * session (resume it next time); a launch that Claude refused before any event says which way.
 */
async function noteSession(
  ctx: RunnerContext,
  state: TaskLockState,
  run: ClaudeRun,
): Promise<TaskLockState> {
  if (run.sawInit)
    return ctx.persistence.update({
      session_started: true,
      session_id: run.result.sessionId ?? state.session_id,
    })
  const message = run.result.errorMessage ?? ''
  if (/already in use/i.test(message)) return ctx.persistence.update({ session_started: true })
  if (run.resumed && /no conversation found/i.test(message))
    return ctx.persistence.update({ session_started: false })
  return state
}

/** One Claude run with lease renewals and health checks alongside. */
async function runClaude(
  ctx: RunnerContext,
  task: TaskResponse,
  state: TaskLockState,
  mentions: readonly MentionResponse[],
  previousFailure: string | undefined,
  mode: TaskMode,
  budgetUsd: number | null,
): Promise<ClaudeRun> {
  const { ui, config } = ctx
  const model = ctx.models.modelFor(task.difficulty)
  const prompt = buildPrompt({
    rolePrompt: ctx.rolePrompt,
    task,
    agentId: config.agentId,
    role: config.role,
    mode,
    reviewedCommit: state.reviewed_commit ?? undefined,
    worktreePath: state.worktree_path,
    branch: state.branch_name,
    baseBranch: ctx.baseBranch,
    mentions,
    attempt: state.attempt,
    previousFailure,
    reportVia: config.claudeMcp ? 'mcp' : 'hpm',
    pushRemote: ctx.worktree.remote,
  })
  const stop = new AbortController()
  const onShutdown = () => stop.abort()
  ctx.signal.addEventListener('abort', onShutdown, { once: true })
  // A stop that came before the listener would otherwise never reach this run.
  if (ctx.signal.aborted) stop.abort()
  let leaseLost = false

  const heartbeat = setInterval(() => {
    void renewLease(ctx, task.id, mode, state.claim_count).then((isLost) => {
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

  const sessionId = state.session_id ?? randomUUID()
  const resume = state.session_started ? sessionId : null
  ui.info(
    `attempt ${state.attempt}: claude --model ${model} ${resume ? `--resume ${resume}` : `--session-id ${sessionId}`} in ${state.worktree_path}`,
  )
  ui.startSpinner(`task ${task.id}: ${task.title}`)
  const startedAt = new Date()
  let sawInit = false
  const activity = new ActivityReporter({
    channel: ctx.activity,
    secrets: ctx.secrets,
    taskId: task.id,
    attempt: state.attempt,
  })
  try {
    const result = await ctx.executor.run({
      prompt,
      model,
      cwd: state.worktree_path,
      resumeSessionId: resume,
      newSessionId: resume ? null : sessionId,
      maxBudgetUsd: budgetUsd,
      taskId: task.id,
      attempt: state.attempt,
      signal: stop.signal,
      onSpawn: (pid) => void ctx.persistence.update({ agent_pgid: pid }).catch(() => undefined),
      onEvent: (event) => {
        if (event.type === 'init' && !sawInit) {
          sawInit = true
          void ctx.persistence
            .update({ session_started: true, session_id: event.sessionId ?? sessionId })
            .catch(() => undefined)
          faultPoint(ctx, 'during_claude')
        }
        if (event.type === 'tool')
          ui.setActivity(`${event.name}${event.summary ? `: ${event.summary}` : ''}`)
        activity.observe(event)
      },
    })
    return { result, startedAt, leaseLost, resumed: resume !== null, sawInit }
  } finally {
    ui.stopSpinner()
    activity.stop()
    clearInterval(heartbeat)
    clearInterval(health)
    ctx.signal.removeEventListener('abort', onShutdown)
  }
}

/**
 * Renews the lease; true when the task is no longer ours. A task the agent itself just reported
 * (dev_done releases the claim) is not lost: Claude is finishing, and the verdict will see it.
 */
async function renewLease(
  ctx: RunnerContext,
  taskId: number,
  mode: TaskMode,
  claimCount: number | undefined,
): Promise<boolean> {
  try {
    const beat = await ctx.client.heartbeat(ctx.config.agentId)
    if (beat.tasks.some((t) => t.id === taskId)) return false
    const task = await ctx.client.findTask(taskId)
    return serverViewOf(task, ctx.config.agentId, mode === 'review', claimCount) === 'lost'
  } catch (error) {
    ctx.ui.warn(`lease renewal failed: ${error instanceof Error ? error.message : String(error)}`)
    return false
  }
}

type WorkVerdict =
  { kind: 'reported'; reason: string } | { kind: 'lost' | 'no_work'; reason: string }

/**
 * The work of a run that finished while the task is still ours. Dev: commit what the agent left,
 * count this claim's commits, report dev_done with the exact commit handed to QA. QA: only the
 * server's status counts.
 */
async function judgeWork(
  ctx: RunnerContext,
  taskId: number,
  state: TaskLockState,
  mode: TaskMode,
): Promise<WorkVerdict> {
  let ahead = 0
  if (mode === 'work') {
    const committed = await ctx.worktree.commitAll(
      state.worktree_path,
      `task ${taskId}: work left uncommitted by the agent (committed by the runner)`,
    )
    if (committed.ok && committed.committed)
      ctx.ui.info(`committed changes the agent left uncommitted (${committed.sha.slice(0, 8)})`)
    // A rework round starts on a branch that already has commits: only new ones count as this claim's work.
    const count = await ctx.worktree.commitsAhead(
      state.worktree_path,
      state.start_sha ?? ctx.baseBranch,
    )
    ahead = count.ok ? count.count : 0
  }
  const task = await serverCall(ctx, 'reading the task', () => ctx.client.getTask(taskId))
  const verdict = judgeRun({
    task,
    agentId: ctx.config.agentId,
    isQa: mode === 'review',
    commitsAhead: ahead,
    claimCount: state.claim_count,
  })
  switch (verdict.kind) {
    case 'reported':
      return { kind: 'reported', reason: `the agent reported ${verdict.status}` }
    case 'report_dev_done': {
      const head = await ctx.worktree.head(state.worktree_path)
      // Remote mode: never a dev_done whose commits are not on the remote (QA may be elsewhere).
      const pushed = await pushWork(ctx, state, head)
      if (!pushed.ok)
        return { kind: 'no_work', reason: `the work was not reported: ${pushed.message}` }
      const reported = await reportStatus(
        ctx,
        taskId,
        'dev_done',
        `Reported by the runner: ${ahead} commit(s) on ${state.branch_name}${head ? ` up to ${head.slice(0, 12)}` : ''}.`,
        {
          work_branch: state.branch_name,
          ...(head ? { work_commit: head } : {}),
        },
      )
      if (reported === 'lost')
        return { kind: 'lost', reason: `task ${taskId} moved on before dev_done could be reported` }
      ctx.ui.success(
        `task ${taskId} reported dev_done (${ahead} commit(s) on ${state.branch_name})`,
      )
      return {
        kind: 'reported',
        reason: `the runner reported dev_done: ${ahead} commit(s) on ${state.branch_name}`,
      }
    }
    default:
      return verdict
  }
}

/**
 * Remote mode: pushes the task's work (`commit`, else the branch tip) to the remote's task branch,
 * by fast-forward only. Without a remote there is nothing to do.
 */
export async function pushWork(
  ctx: RunnerContext,
  state: TaskLockState,
  commit: string | undefined,
): Promise<{ ok: true } | { ok: false; message: string }> {
  if (ctx.worktree.remote === undefined) return { ok: true }
  const sha =
    commit ?? (await ctx.git.resolveCommit(ctx.config.repoDir, `refs/heads/${state.branch_name}`))
  if (sha === undefined) return { ok: false, message: `branch ${state.branch_name} not found` }
  const pushed = await ctx.worktree.push(sha, state.branch_name)
  if (pushed.ok)
    ctx.ui.info(`pushed ${sha.slice(0, 12)} to ${ctx.worktree.remote} ${state.branch_name}`)
  else ctx.ui.error(pushed.message)
  return pushed
}

/**
 * The agent reported dev_done itself and its work could not be pushed: the hand-over is taken back
 * (dev_done → created, which the task's developers may do) so no reviewer on another machine waits
 * for commits it cannot fetch. When a reviewer already holds it, a comment says what is missing.
 */
async function sendBackUnpushed(ctx: RunnerContext, taskId: number, reason: string): Promise<void> {
  const sentBack = await reportStatus(
    ctx,
    taskId,
    'created',
    `Sent back by the runner: ${reason}. The commits are only on ${ctx.config.agentId}'s machine.`,
  ).catch(() => 'lost' as const)
  if (sentBack === 'lost')
    await commentOnTask(ctx, taskId, `Warning: ${reason}. The reported work is not on the remote.`)
}

/**
 * The agent reported and no longer holds the task, but left changes behind: they are not the work
 * it handed over (QA may already be reviewing the branch), so they are kept on a side ref, never
 * committed to the task branch, and the task says so.
 */
async function keepLeftoversAside(
  ctx: RunnerContext,
  state: TaskLockState,
  task: TaskResponse,
): Promise<void> {
  const ref = leftoversRef(state)
  const saved = await ctx.worktree.saveLeftovers(
    state.worktree_path,
    ref,
    `task ${state.task_id}: changes left after the agent reported ${task.status} (not reviewed)`,
  )
  if (!saved.ok) {
    ctx.ui.warn(`could not keep the changes left after the report aside (${saved.message})`)
    return
  }
  if (!saved.saved) return
  ctx.ui.warn(
    `the agent changed files after reporting ${task.status}; kept aside as ${ref} (${saved.sha.slice(0, 8)}), not on ${state.branch_name}`,
  )
  await commentOnTask(
    ctx,
    state.task_id,
    `The agent left uncommitted changes after it reported ${task.status}. They are not part of the work handed over and were not put on ${state.branch_name}; they are kept as commit ${saved.sha} (git ref ${ref}).`,
  )
}

/** Bookkeeping: a mention left unread is delivered again, which is harmless; never fail the task. */
async function markRead(ctx: RunnerContext, mentions: readonly MentionResponse[]): Promise<void> {
  for (const mention of mentions) {
    try {
      await ctx.client.markMentionRead(mention.id, ctx.config.agentId)
    } catch (error) {
      ctx.ui.warn(
        `could not mark mention ${mention.id} read: ${error instanceof Error ? error.message : String(error)}`,
      )
      return
    }
  }
}
