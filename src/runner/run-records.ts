import { readFile } from 'node:fs/promises'

import type { RunOutcome, RunVerdict } from '../contract/index.js'
import type { ClaudeRunResult, TaskLockState } from './components/index.js'
import { summarizeStream } from './components/index.js'
import { serverCall } from './runner-context.js'
import type { RunnerContext } from './runner-context.js'
import { transcriptFromLog } from './transcript.js'

/** The server's count of a task's failed attempts, as the last run record left it. */
export interface FailureBudget {
  failures: number
  maxFailures: number
  /** The budget is spent: the server sent the task back to `pending` for a planner. */
  isSpent: boolean
}

/** One attempt as the run record tells it: what Claude did, and what the runner made of it. */
export interface AttemptRecord {
  /** The record's idempotency key; default the lock file's `attempt_key`. */
  runKey?: string
  outcome: RunOutcome
  verdict: RunVerdict
  /** Why, in the runner's words (shown by `hpm runs` and on the board). */
  reason: string | null
  startedAt: Date
  finishedAt: Date
  result?: Pick<
    ClaudeRunResult,
    'model' | 'sessionId' | 'exitCode' | 'costUsd' | 'usage' | 'numTurns' | 'logPath'
  > & {
    errorMessage?: string | null
  }
}

/** Whether the record reached the server, and the task's failure budget after it. */
export interface RecordResult {
  isRecorded: boolean
  budget: FailureBudget | undefined
}

/**
 * Records one attempt (`POST /tasks/{id}/runs`). The record is bookkeeping: a failure to write it
 * is logged and never loses the task; the caller keeps `attempt_started_at` then, so the next start
 * records the attempt from its log.
 */
export async function recordAttempt(
  ctx: RunnerContext,
  state: TaskLockState,
  record: AttemptRecord,
): Promise<RecordResult> {
  const result = record.result
  const transcript = await transcriptFromLog(result?.logPath, ctx.secrets)
  try {
    const saved = await serverCall(ctx, 'recording the run', () =>
      ctx.client.recordRun(state.task_id, {
        agent_id: ctx.config.agentId,
        attempt: Math.max(1, state.attempt),
        outcome: record.outcome,
        verdict: record.verdict,
        verdict_reason: record.reason?.slice(0, 10_000) ?? null,
        run_key: record.runKey ?? state.attempt_key ?? null,
        model: result?.model ?? null,
        session_id: result?.sessionId ?? state.session_id,
        exit_code: result?.exitCode ?? null,
        is_error: record.verdict !== 'succeeded',
        error: result?.errorMessage?.slice(0, 10_000) ?? null,
        cost_usd: result?.costUsd ?? null,
        input_tokens: result?.usage?.input ?? null,
        output_tokens: result?.usage?.output ?? null,
        cache_read_tokens: result?.usage?.cacheRead ?? null,
        cache_creation_tokens: result?.usage?.cacheCreation ?? null,
        num_turns: result?.numTurns ?? null,
        started_at: record.startedAt.toISOString(),
        finished_at: new Date(
          Math.max(record.finishedAt.getTime(), record.startedAt.getTime()),
        ).toISOString(),
        log_path: result?.logPath ?? null,
        transcript,
      }),
    )
    const budget = saved.failure_budget
    return {
      isRecorded: true,
      budget: {
        failures: budget.failures,
        maxFailures: budget.max_failures,
        isSpent: budget.is_spent,
      },
    }
  } catch (error) {
    ctx.ui.warn(
      `could not record the run: ${error instanceof Error ? error.message : String(error)}`,
    )
    return { isRecorded: false, budget: undefined }
  }
}

/** Claude's ending as a run outcome (a root refusal is a missing-installation problem). */
export function outcomeOf(result: ClaudeRunResult): RunOutcome {
  return result.outcome === 'not_sandboxed' ? 'agent_not_found' : result.outcome
}

/**
 * What the attempt's saved event stream shows, for an attempt whose runner died before recording
 * it: the cost and tokens of a run that finished are not lost, and a killed one still counts.
 */
export async function resultFromLog(
  ctx: RunnerContext,
  state: TaskLockState,
): Promise<
  AttemptRecord['result'] & { hasResult: boolean; isError: boolean; text: string | null }
> {
  const logPath = ctx.executor.logPathFor(state.task_id, state.attempt, state.session_id)
  let text = ''
  try {
    text = await readFile(logPath, 'utf8')
  } catch {
    // No log: the attempt died before Claude printed anything.
  }
  const summary = summarizeStream(text)
  const result = summary.result
  return {
    model: summary.model,
    sessionId: summary.sessionId ?? state.session_id,
    exitCode: null,
    costUsd: result?.costUsd ?? null,
    usage: result?.usage ?? null,
    numTurns: result?.numTurns ?? null,
    logPath,
    errorMessage: result?.isError ? (result.text ?? result.subtype) : null,
    hasResult: result !== null,
    isError: result === null || result.isError || result.subtype !== 'success',
    text: result?.text ?? summary.lastText,
  }
}

/**
 * An attempt whose runner died before recording it (SIGKILL, power loss), recorded on the next
 * start with whatever its log shows, so cost and tokens never under-report after a crash: `killed`
 * when Claude left no result, else the result's outcome. Its verdict is `succeeded` when the agent's
 * report reached the server, `interrupted` otherwise (the next attempt resumes the session).
 */
export async function recordCutOffAttempt(
  ctx: RunnerContext,
  state: TaskLockState,
  isReported: boolean,
  options: { canCharge: boolean } = { canCharge: true },
): Promise<RecordResult> {
  if (!state.attempt_started_at) return { isRecorded: true, budget: undefined }
  const fromLog = await resultFromLog(ctx, state)
  const outcome: RunOutcome = !fromLog.hasResult
    ? 'killed'
    : fromLog.isError
      ? 'failed'
      : 'succeeded'
  // A runner may die for reasons of its own once; dying again during the same task's attempts
  // suggests the task kills it (a test suite killing processes, memory), and a supervisor restarting
  // it would pay for the task forever: from the second cut-off in a row it counts as a failure.
  const cutOffs = (state.cut_offs_in_a_row ?? 0) + 1
  const isFailure = !isReported && options.canCharge && cutOffs >= 2
  ctx.ui.warn(
    `attempt ${state.attempt} at task ${state.task_id} was cut off when the runner died; recording it (${outcome})`,
  )
  await ctx.persistence.update({ cut_offs_in_a_row: isReported ? 0 : cutOffs })
  return recordAttempt(ctx, state, {
    outcome,
    verdict: isReported ? 'succeeded' : isFailure ? 'failed' : 'interrupted',
    reason: isReported
      ? 'the agent reported; the runner died before recording this attempt'
      : isFailure
        ? `the runner died during ${cutOffs} attempts in a row at this task; it may be what kills it`
        : 'the runner died while this attempt ran; the next start resumes the session',
    startedAt: new Date(state.attempt_started_at),
    finishedAt: new Date(),
    result: fromLog,
  })
}
