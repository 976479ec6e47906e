import { z } from 'zod'

import { AgentId, EventId, Id, limitParam, Timestamp } from './common.js'
import type { ClientInput } from './common.js'
import { TaskStatus } from './enums.js'

/** Unix times above this are taken as milliseconds (as v1's parser did). */
const MILLIS_THRESHOLD = 100_000_000_000

/**
 * Parses a `since` value: ISO-8601 with or without offset (no offset = UTC), or a Unix time in
 * seconds (or milliseconds when very large). Returns undefined for anything else.
 */
export function parseSince(raw: string): Date | undefined {
  const text = raw.trim()
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    const n = Number(text)
    const date = new Date(Math.abs(n) >= MILLIS_THRESHOLD ? n : n * 1000)
    return Number.isNaN(date.getTime()) ? undefined : date
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(text)) {
    return undefined
  }
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) && text.length > 10
  const iso = text.replace(' ', 'T')
  const date = new Date(hasZone ? iso : iso.length === 10 ? `${iso}T00:00:00Z` : `${iso}Z`)
  return Number.isNaN(date.getTime()) ? undefined : date
}

export const Since = z.string().transform((raw, ctx) => {
  const date = parseSince(raw)
  if (!date) {
    ctx.addIssue({
      code: 'custom',
      message: `must be an ISO-8601 date-time or a Unix timestamp, got '${raw}'`,
    })
    return z.NEVER
  }
  return date
})

/**
 * `GET /changes`: `since` (v1) or `after_id`. Events sharing a timestamp can straddle a page cut by
 * `limit`, so exact paging follows `last_event_id` with `after_id`.
 */
export const ChangesQuery = z
  .object({
    since: Since.optional().describe(
      'changes after this time: ISO-8601 (with or without offset) or Unix seconds/ms. Give since or after_id',
    ),
    after_id: EventId.optional().describe(
      'changes after this event id (`last_event_id` of the previous answer); wins over since. Give since or after_id',
    ),
    /** Who reads (v1 clients send it); optional, and it filters nothing: the feed is everyone's. */
    agent_id: AgentId.optional(),
    limit: limitParam(1000),
  })
  .refine((q) => q.since !== undefined || q.after_id !== undefined, {
    message: 'give since (ISO-8601 or Unix time) or after_id (an event id)',
    path: ['since'],
  })
export type ChangesQueryInput = ClientInput<typeof ChangesQuery>

export const CHANGE_TYPES = [
  'task_created',
  'task_updated',
  'task_edited',
  'task_locked',
  'task_unlocked',
  'task_commented',
  'task_deleted',
  'run_recorded',
  'document_created',
  'document_updated',
  'document_deleted',
  'mention_created',
  'mention_read',
  'service_registered',
  'service_updated',
  'service_unregistered',
  'agent_registered',
  'agent_activity',
  'agent_deleted',
  'epic_created',
  'epic_deleted',
  'feature_created',
  'feature_deleted',
] as const
export const ChangeType = z.enum(CHANGE_TYPES)
export type ChangeType = z.infer<typeof ChangeType>

/** One entry of the activity feed, as `/changes` returns it and `/events` streams it. */
export const ChangeEvent = z.object({
  id: z.number().int(),
  type: ChangeType,
  timestamp: Timestamp,
  data: z.record(z.string(), z.unknown()),
})
export type ChangeEvent = z.infer<typeof ChangeEvent>

/**
 * v1's `/changes` reported every task status change, creation included, as `task_updated`; v1
 * watchers follow that type. `/changes` keeps it for the events v1 had and gives our finer type
 * in `kind` (the events stream, which v1 never had, uses the finer type itself).
 */
const V1_CHANGE_TYPE: Partial<Record<ChangeType, ChangeType>> = {
  task_created: 'task_updated',
  task_locked: 'task_updated',
  task_unlocked: 'task_updated',
}

export const ChangeFeedEntry = ChangeEvent.extend({
  /** The finer type: `task_locked` where `type` says `task_updated`. Always set. */
  kind: ChangeType,
})
export type ChangeFeedEntry = z.infer<typeof ChangeFeedEntry>

export function asChangeFeedEntry(event: ChangeEvent): ChangeFeedEntry {
  return { ...event, type: V1_CHANGE_TYPE[event.type] ?? event.type, kind: event.type }
}

export const ChangesResponse = z.object({
  changes: z.array(ChangeFeedEntry),
  last_timestamp: Timestamp,
  /** Id of the last event returned: pass it as `after_id` to the events stream to follow on. */
  last_event_id: z.number().int(),
})
export type ChangesResponse = z.infer<typeof ChangesResponse>

export const ChangelogQuery = z.object({
  limit: limitParam(50),
  /** Only this task's rows. */
  task_id: Id.optional(),
})
export type ChangelogQueryInput = ClientInput<typeof ChangelogQuery>

export const ChangelogResponse = z.object({
  id: z.number().int(),
  task_id: z.number().int(),
  old_status: TaskStatus.nullable(),
  new_status: TaskStatus.nullable(),
  changed_by: z.string(),
  notes: z.string().nullable(),
  changed_at: Timestamp,
})
export type ChangelogResponse = z.infer<typeof ChangelogResponse>

export const EventsQuery = z.object({
  after_id: EventId.optional(),
})
