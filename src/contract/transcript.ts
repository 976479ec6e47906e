import { z } from 'zod'

import { Timestamp } from './common.js'

/** The most entries one run's transcript keeps (the last ones; an entry says how many were left out). */
export const MAX_TRANSCRIPT_ENTRIES = 300
/** The longest text one entry keeps. */
export const MAX_TRANSCRIPT_TEXT = 1000

/** One thing Claude did in a run, as the runner saw it in Claude's event stream; secrets removed. */
export const TranscriptEntry = z.object({
  kind: z.enum(['text', 'tool', 'tool_result', 'api_retry', 'result', 'note']),
  /** The tool's name for `tool` entries (`Bash`, `Edit`, `mcp__headless-pm__update_task_status`). */
  name: z.string().max(200).nullish(),
  text: z.string().max(MAX_TRANSCRIPT_TEXT),
  is_error: z.boolean().optional(),
})
export type TranscriptEntry = z.infer<typeof TranscriptEntry>

export const Transcript = z.array(TranscriptEntry).max(MAX_TRANSCRIPT_ENTRIES + 1)

/** `GET /tasks/{id}/runs/{run_id}/transcript`. */
export const TranscriptResponse = z.object({
  run_id: z.number().int(),
  task_id: z.number().int(),
  entries: Transcript,
})
export type TranscriptResponse = z.infer<typeof TranscriptResponse>

/** What an agent's runner is doing now, sent with its heartbeats while Claude works. */
export const AgentActivity = z.object({
  task_id: z.number().int().nullable(),
  attempt: z.number().int().nullable(),
  /** The runner's phase: `claude` while Claude works. */
  phase: z.string().max(50),
  /** Claude's current tool use, e.g. `Bash`; null while it writes text or thinks. */
  tool: z.string().max(200).nullable(),
  /** The tool input, summarised (`npm test`, `src/app.ts`). */
  detail: z.string().max(MAX_TRANSCRIPT_TEXT).nullable(),
  /** When the current step began. */
  since: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }),
  /** The last few transcript entries, for a live view of the attempt. */
  recent: z.array(TranscriptEntry).max(20),
})
export type AgentActivity = z.infer<typeof AgentActivity>

/** `POST /agents/{id}/heartbeat` body (optional: v1 clients send none). `activity: null` clears it. */
export const HeartbeatRequest = z
  .object({ activity: AgentActivity.nullable().optional() })
  .nullish()
  .transform((body) => body ?? {})
export type HeartbeatRequest = z.input<typeof HeartbeatRequest>

export const StoredActivity = AgentActivity.extend({ since: Timestamp, reported_at: Timestamp })
export type StoredActivity = z.infer<typeof StoredActivity>
