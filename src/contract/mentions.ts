import { z } from 'zod'

import { AgentId, Id, limitParam, QueryBool, Timestamp } from './common.js'
import type { ClientInput } from './common.js'
import { AgentRole } from './enums.js'

export const MentionResponse = z.object({
  id: z.number().int(),
  document_id: z.number().int().nullable(),
  task_id: z.number().int().nullable(),
  mentioned_agent_id: z.string(),
  created_by: z.string(),
  is_read: z.boolean(),
  created_at: Timestamp,
  document_title: z.string().nullable(),
  task_title: z.string().nullable(),
})
export type MentionResponse = z.infer<typeof MentionResponse>

/**
 * `GET /mentions`: one registered agent's mentions (v1 also listed everyone's when `agent_id` was
 * left out). `/mentions/by-role` is the overview.
 */
export const ListMentionsQuery = z.object({
  agent_id: AgentId,
  unread_only: QueryBool.default(false),
  limit: limitParam(50),
})
export type ListMentionsQuery = z.infer<typeof ListMentionsQuery>
export type ListMentionsQueryInput = ClientInput<typeof ListMentionsQuery>

export const MentionsByRoleQuery = z.object({
  role: AgentRole.optional(),
  unread_only: QueryBool.default(false),
  limit: limitParam(50),
})
export type MentionsByRoleQueryInput = ClientInput<typeof MentionsByRoleQuery>

export const MentionIdParams = z.object({ mention_id: Id })
