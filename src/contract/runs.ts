import { z } from 'zod'

import { AgentId, Timestamp } from './common.js'

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
] as const
export const RunOutcome = z.enum(RUN_OUTCOMES)
export type RunOutcome = z.infer<typeof RunOutcome>

const Count = z.number().int().min(0)

/** `POST /tasks/{id}/runs`: one row per runner attempt at a task. */
export const CreateRunRequest = z.object({
  agent_id: AgentId,
  attempt: z.number().int().min(1).default(1),
  outcome: RunOutcome,
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
})
export type CreateRunRequest = z.input<typeof CreateRunRequest>

export const RunResponse = z.object({
  id: z.number().int(),
  task_id: z.number().int(),
  agent_id: z.string(),
  attempt: z.number().int(),
  outcome: RunOutcome,
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
})
export type RunResponse = z.infer<typeof RunResponse>
