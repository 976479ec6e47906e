import { defaultVerdict, Transcript } from '../contract/index.js'
import type {
  CreateRunRequest,
  RunOutcome,
  RunResponse,
  RunSummary,
  RunVerdict,
  TranscriptResponse,
} from '../contract/index.js'
import { AppError } from '../domain/index.js'
import type { Db, TaskRunRow } from './database.js'
import { recordEvent } from './events-repository.js'

/** Every column but the transcript, which only its own endpoint reads (it can be large). */
const RUN_COLUMNS = [
  'id',
  'task_id',
  'agent_id',
  'attempt',
  'outcome',
  'verdict',
  'verdict_reason',
  'run_key',
  'model',
  'session_id',
  'exit_code',
  'is_error',
  'error',
  'cost_usd',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'num_turns',
  'started_at',
  'finished_at',
  'duration_ms',
  'log_path',
  'created_at',
  'transcript_entries',
] as const satisfies ReadonlyArray<keyof TaskRunRow>

export function rowToRun(row: Omit<TaskRunRow, 'transcript'>): RunResponse {
  const outcome = row.outcome as RunOutcome
  return {
    id: row.id,
    task_id: row.task_id,
    agent_id: row.agent_id,
    attempt: row.attempt,
    outcome,
    verdict: (row.verdict as RunVerdict | null) ?? defaultVerdict(outcome),
    verdict_reason: row.verdict_reason,
    model: row.model,
    session_id: row.session_id,
    exit_code: row.exit_code,
    is_error: row.is_error === 1,
    error: row.error,
    cost_usd: row.cost_usd === null ? null : Number(row.cost_usd),
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    cache_read_tokens: row.cache_read_tokens,
    cache_creation_tokens: row.cache_creation_tokens,
    num_turns: row.num_turns,
    started_at: row.started_at,
    finished_at: row.finished_at,
    duration_ms: Number(row.duration_ms),
    log_path: row.log_path,
    created_at: row.created_at,
    run_key: row.run_key,
    transcript_entries: Number(row.transcript_entries),
  }
}

/** The run already stored under `runKey` for this task, if any. */
export async function findRunByKey(
  db: Db,
  taskId: number,
  runKey: string,
): Promise<RunResponse | undefined> {
  const row = await db
    .selectFrom('task_runs')
    .select(RUN_COLUMNS)
    .where('task_id', '=', taskId)
    .where('run_key', '=', runKey)
    .executeTakeFirst()
  return row ? rowToRun(row) : undefined
}

export async function createRun(
  db: Db,
  taskId: number,
  input: Required<Pick<CreateRunRequest, 'attempt' | 'is_error'>> & CreateRunRequest,
  now: string,
): Promise<RunResponse> {
  const started = new Date(input.started_at)
  const finished = new Date(input.finished_at)
  const row = await db
    .insertInto('task_runs')
    .values({
      task_id: taskId,
      agent_id: input.agent_id,
      attempt: input.attempt,
      outcome: input.outcome,
      verdict: input.verdict ?? defaultVerdict(input.outcome),
      verdict_reason: input.verdict_reason ?? null,
      run_key: input.run_key ?? null,
      model: input.model ?? null,
      session_id: input.session_id ?? null,
      exit_code: input.exit_code ?? null,
      is_error: input.is_error ? 1 : 0,
      error: input.error ?? null,
      cost_usd: input.cost_usd ?? null,
      input_tokens: input.input_tokens ?? null,
      output_tokens: input.output_tokens ?? null,
      cache_read_tokens: input.cache_read_tokens ?? null,
      cache_creation_tokens: input.cache_creation_tokens ?? null,
      num_turns: input.num_turns ?? null,
      started_at: started.toISOString(),
      finished_at: finished.toISOString(),
      duration_ms: Math.max(0, finished.getTime() - started.getTime()),
      log_path: input.log_path ?? null,
      created_at: now,
      transcript: input.transcript ? JSON.stringify(input.transcript) : null,
      transcript_entries: input.transcript?.length ?? 0,
    })
    .returning(RUN_COLUMNS)
    .executeTakeFirstOrThrow()
  await recordEvent(
    db,
    'run_recorded',
    {
      run_id: row.id,
      task_id: taskId,
      agent_id: row.agent_id,
      attempt: row.attempt,
      outcome: row.outcome,
      verdict: row.verdict,
      cost_usd: row.cost_usd,
    },
    now,
  )
  return rowToRun(row)
}

export async function listRuns(db: Db, taskId: number): Promise<RunResponse[]> {
  return (
    await db
      .selectFrom('task_runs')
      .select(RUN_COLUMNS)
      .where('task_id', '=', taskId)
      .orderBy('id', 'asc')
      .execute()
  ).map(rowToRun)
}

/** The latest attempts at any task, newest first, of one agent when `agentId` is given. */
export async function listRecentRuns(
  db: Db,
  agentId: string | undefined,
  limit: number,
): Promise<RunResponse[]> {
  let query = db.selectFrom('task_runs').select(RUN_COLUMNS)
  if (agentId !== undefined) query = query.where('agent_id', '=', agentId)
  return (await query.orderBy('id', 'desc').limit(limit).execute()).map(rowToRun)
}

/** Every task's attempts in one query: count, total cost, the last verdict. */
export async function summariseRuns(db: Db): Promise<RunSummary[]> {
  const totals = await db
    .selectFrom('task_runs')
    .select((eb) => [
      'task_id',
      eb.fn.countAll<number>().as('runs'),
      eb.fn.coalesce(eb.fn.sum<number>('cost_usd'), eb.val(0)).as('cost_usd'),
      eb.fn.max('id').as('last_id'),
    ])
    .groupBy('task_id')
    .execute()
  if (totals.length === 0) return []
  const last = await db
    .selectFrom('task_runs')
    .select(['id', 'verdict', 'outcome', 'finished_at'])
    .where(
      'id',
      'in',
      totals.map((t) => t.last_id),
    )
    .execute()
  const byId = new Map(last.map((r) => [r.id, r]))
  return totals.map((t) => {
    const final = byId.get(t.last_id)
    return {
      task_id: t.task_id,
      runs: Number(t.runs),
      cost_usd: Number(t.cost_usd),
      last_verdict: final
        ? ((final.verdict as RunVerdict | null) ?? defaultVerdict(final.outcome as RunOutcome))
        : null,
      last_finished_at: final?.finished_at ?? null,
    }
  })
}

/** One run's transcript; an empty list when the runner sent none. 404 for a run not of this task. */
export async function getTranscript(
  db: Db,
  taskId: number,
  runId: number,
): Promise<TranscriptResponse> {
  const row = await db
    .selectFrom('task_runs')
    .select(['id', 'task_id', 'transcript'])
    .where('id', '=', runId)
    .where('task_id', '=', taskId)
    .executeTakeFirst()
  if (!row) throw new AppError('not_found', `task ${taskId} has no run ${runId}`)
  const parsed = Transcript.safeParse(row.transcript === null ? [] : JSON.parse(row.transcript))
  return { run_id: row.id, task_id: row.task_id, entries: parsed.success ? parsed.data : [] }
}
