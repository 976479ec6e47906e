import { z } from 'zod'

import { AgentId, Timestamp } from './common.js'
import { AgentRole, ConnectionType, SkillLevel } from './enums.js'
import { MentionResponse } from './mentions.js'
import { TaskResponse } from './tasks.js'
import { StoredActivity } from './transcript.js'

export const AgentResponse = z.object({
  id: z.number().int(),
  agent_id: z.string(),
  role: AgentRole,
  level: SkillLevel,
  connection_type: ConnectionType.nullable(),
  last_seen: Timestamp,
  created_at: Timestamp,
  /** What its runner last said it is doing (while Claude works); null otherwise. */
  activity: StoredActivity.nullable(),
})
export type AgentResponse = z.infer<typeof AgentResponse>

/**
 * `POST /register`. Re-registering refreshes the connection type; a different role or level is
 * refused (409) unless `requester_agent_id` names a pm (v1 silently kept the old ones).
 */
export const RegisterAgentRequest = z.object({
  agent_id: AgentId,
  role: AgentRole,
  level: SkillLevel,
  connection_type: ConnectionType.default('client'),
})
export type RegisterAgentRequest = z.input<typeof RegisterAgentRequest>

export const RegisterAgentQuery = z.object({ requester_agent_id: AgentId.optional() })

export const DeleteAgentQuery = z.object({ requester_agent_id: AgentId })

const HeldTask = z.object({
  id: z.number().int(),
  status: z.string(),
  lease_expires_at: Timestamp.nullable(),
})

export const HeartbeatResponse = z.object({
  agent: AgentResponse,
  /** Tasks this agent holds, with their renewed leases. */
  tasks: z.array(HeldTask),
})
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>

export const RegisterAgentResponse = z.object({
  agent: AgentResponse,
  next_task: TaskResponse.nullable(),
  mentions: z.array(MentionResponse),
})
export type RegisterAgentResponse = z.infer<typeof RegisterAgentResponse>
