import { z } from 'zod'

import { Timestamp } from './common.js'

export const RootResponse = z.object({ message: z.string(), docs: z.string(), health: z.string() })
export type RootResponse = z.infer<typeof RootResponse>

export const HealthResponse = z.object({
  status: z.enum(['healthy', 'degraded']),
  service: z.string(),
  version: z.string(),
  database: z.string(),
  dashboard: z.string(),
  timestamp: Timestamp,
})
export type HealthResponse = z.infer<typeof HealthResponse>

/** Something no agent will act on, so a person must: shown by `/status`, `hpm status` and the dashboard. */
export const AttentionItem = z.object({
  reason: z.enum([
    'failure_budget_spent',
    'awaiting_merge',
    'holder_away',
    'no_qa_can_review',
    'no_agent_for_role',
  ]),
  task_id: z.number().int(),
  title: z.string(),
  detail: z.string(),
})
export type AttentionItem = z.infer<typeof AttentionItem>

export const StatusResponse = z.object({
  service: z.string(),
  version: z.string(),
  metrics: z.object({
    total_agents: z.number().int(),
    active_agents: z.number().int(),
    total_tasks: z.number().int(),
    total_documents: z.number().int(),
    total_services: z.number().int(),
    tasks_by_status: z.record(z.string(), z.number().int()),
  }),
  attention: z.array(AttentionItem),
  timestamp: Timestamp,
})
export type StatusResponse = z.infer<typeof StatusResponse>

export const ContextResponse = z.object({
  project_name: z.string(),
  shared_path: z.string(),
  instructions_path: z.string(),
  project_docs_path: z.string(),
  database_type: z.enum(['sqlite', 'postgresql']),
})
export type ContextResponse = z.infer<typeof ContextResponse>
