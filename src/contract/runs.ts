import { z } from 'zod'

import { AgentId, limitParam, Timestamp } from './common.js'
import type { ClientInput } from './common.js'
import { Transcript } from './transcript.js'

/** How a runner attempt ended. */
export const RUN_OUTCOMES = [
  'succeeded',
  'failed',
  'agent_timeout',
  'agent_stalled',
  'agent_exit',
  'agent_not_found',
  'not_logged_in',
  'hook_failed',
  'interrupted',
  /** The runner died while this attempt ran; recorded when it recovers. */
  'killed',
  /** The worktree could not be prepared; no Claude ran. */
  'workspace_invalid',
] as const
export const RunOutcome = z.enum(RUN_OUTCOMES)
export type RunOutcome = z.infer<typeof RunOutcome>

/**
 * The runner's judgement of an attempt, apart from how Claude exited. Only `failed` spends the
 * task's failure budget (`HPM_TASK_MAX_FAILURES`); `environment` means not the task's fault (Claude
 * not logged in or not installed, a `pre_task` hook refusing).
 */
export const RUN_VERDICTS = ['succeeded', 'failed', 'interrupted', 'environment'] as const
export const RunVerdict = z.enum(RUN_VERDICTS)
export type RunVerdict = z.infer<typeof RunVerdict>

/**
 * The verdict a run gets when the request gives none (and for runs recorded before verdicts
 * existed): succeeded → succeeded; interrupted, killed → interrupted; not_logged_in,
 * agent_not_found, hook_failed → environment; anything else → failed.
 */
export function defaultVerdict(outcome: RunOutcome): RunVerdict {
  switch (outcome) {
    case 'succeeded':
      return 'succeeded'
    case 'interrupted':
    case 'killed':
      return 'interrupted'
    case 'not_logged_in':
    case 'agent_not_found':
    case 'hook_failed':
      return 'environment'
    default:
      return 'failed'
  }
}

const Count = z.number().int().min(0)

/** `POST /tasks/{id}/runs`: one row per runner attempt at a task. */
export const CreateRunRequest = z.object({
  agent_id: AgentId,
  attempt: z.number().int().min(1).default(1),
  /** How Claude's process ended. */
  outcome: RunOutcome,
  /** The runner's verdict; default `defaultVerdict(outcome)`. */
  verdict: RunVerdict.optional(),
  /** Why the runner judged so (shown to people, quoted when the failure budget is spent). */
  verdict_reason: z.string().max(10_000).nullish(),
  model: z.string().max(200).nullish(),
  session_id: z.string().max(200).nullish(),
  exit_code: z.number().int().nullish(),
  is_error: z.boolean().default(false),
  error: z.string().max(10_000).nullish(),
  cost_usd: z.number().min(0).nullish(),
  input_tokens: Count.nullish(),
  output_tokens: Count.nullish(),
  cache_read_tokens: Count.nullish(),
  cache_creation_tokens: Count.nullish(),
  num_turns: Count.nullish(),
  started_at: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }),
  finished_at: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }),
  log_path: z.string().max(4096).nullish(),
  /**
   * Names one attempt, so a record sent again (a retried request, a runner that died before noting
   * it was sent) is stored once: the same key for the same task answers the stored run, uncharged.
   */
  run_key: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .nullish(),
  /** What Claude did, from its event stream, bounded and with secrets removed by the runner. */
  transcript: Transcript.nullish(),
})
export type CreateRunRequest = z.input<typeof CreateRunRequest>

export const RunResponse = z.object({
  id: z.number().int(),
  task_id: z.number().int(),
  agent_id: z.string(),
  attempt: z.number().int(),
  outcome: RunOutcome,
  verdict: RunVerdict,
  verdict_reason: z.string().nullable(),
  run_key: z.string().nullable(),
  model: z.string().nullable(),
  session_id: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  is_error: z.boolean(),
  error: z.string().nullable(),
  cost_usd: z.number().nullable(),
  input_tokens: z.number().int().nullable(),
  output_tokens: z.number().int().nullable(),
  cache_read_tokens: z.number().int().nullable(),
  cache_creation_tokens: z.number().int().nullable(),
  num_turns: z.number().int().nullable(),
  started_at: Timestamp,
  finished_at: Timestamp,
  duration_ms: z.number().int(),
  log_path: z.string().nullable(),
  created_at: Timestamp,
  /** Entries in the run's transcript (`GET /tasks/{id}/runs/{run_id}/transcript`); 0 when none was sent. */
  transcript_entries: z.number().int(),
})
export type RunResponse = z.infer<typeof RunResponse>

/** A task's failure budget after a run was recorded. */
export const FailureBudget = z.object({
  /** Runs judged `failed` since the task was created or last approved. */
  failures: z.number().int(),
  /** `HPM_TASK_MAX_FAILURES`; 0 = no budget. */
  max_failures: z.number().int(),
  /** The budget is used up: the task went (or stays) back to `pending` for a planner. */
  is_spent: z.boolean(),
})
export type FailureBudget = z.infer<typeof FailureBudget>

/** `POST /tasks/{id}/runs` answer: the run, and what it did to the task's failure budget. */
export const CreateRunResponse = RunResponse.extend({ failure_budget: FailureBudget })
export type CreateRunResponse = z.infer<typeof CreateRunResponse>

/** `GET /runs`: the latest attempts at any task, newest first; `agent_id` narrows them to one agent's. */
export const RecentRunsQuery = z.object({
  agent_id: AgentId.optional(),
  limit: limitParam(20, 200),
})
export type RecentRunsQuery = z.infer<typeof RecentRunsQuery>
export type RecentRunsQueryInput = ClientInput<typeof RecentRunsQuery>

/** `GET /runs/summary`: per task, what the runner's attempts came to; one request for a whole board. */
export const RunSummary = z.object({
  task_id: z.number().int(),
  runs: z.number().int(),
  /** US dollars over every attempt; 0 when no attempt reported a cost. */
  cost_usd: z.number(),
  last_verdict: RunVerdict.nullable(),
  last_finished_at: z.string().nullable(),
})
export type RunSummary = z.infer<typeof RunSummary>
