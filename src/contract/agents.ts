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

/** `DELETE /agents/{id}/tokens`: a person (project key), the agent itself or a pm (`requester_agent_id`). */
export const RevokeTokensQuery = z.object({ requester_agent_id: AgentId.optional() })

export const RevokeTokensResponse = z.object({ agent_id: z.string(), revoked: z.number().int() })
export type RevokeTokensResponse = z.infer<typeof RevokeTokensResponse>

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
  /**
   * A new token for this agent, when the caller used the project key or is a pm registering another
   * agent (not when an agent re-registers with its own token). Sent as `X-API-Key`, it acts as this
   * agent only. Shown once: the server keeps only its hash.
   */
  token: z.string().optional(),
})
export type RegisterAgentResponse = z.infer<typeof RegisterAgentResponse>
