import type { HeadlessPMClient } from '../../client/index.js'
import type {
  AgentResponse,
  AgentRole,
  ConnectionType,
  ContextResponse,
  HeartbeatResponse,
  MessageResponse,
  RegisterAgentResponse,
  SkillLevel,
  RevokeTokensResponse,
} from '../../contract/index.js'

export interface RegisterOptions {
  agentId: string
  role: AgentRole
  level: SkillLevel
  connectionType: ConnectionType
  /** A pm: needed to change the role or level of an agent already registered. */
  requesterAgentId?: string
}

/** `hpm register`: registers the agent; the answer carries its next task and unread mentions. */
export function registerAgent(
  client: HeadlessPMClient,
  options: RegisterOptions,
): Promise<RegisterAgentResponse> {
  return client.registerAgent(
    {
      agent_id: options.agentId,
      role: options.role,
      level: options.level,
      connection_type: options.connectionType,
    },
    { requesterAgentId: options.requesterAgentId },
  )
}

/** `hpm agents list`. */
export function listAgents(client: HeadlessPMClient): Promise<AgentResponse[]> {
  return client.listAgents()
}

export interface DeleteAgentOptions {
  agentId: string
  requesterAgentId: string
}

/** `hpm agents delete`: pm only. */
export function deleteAgent(
  client: HeadlessPMClient,
  options: DeleteAgentOptions,
): Promise<MessageResponse> {
  return client.deleteAgent(options.agentId, options.requesterAgentId)
}

/** `hpm agents revoke`: the agent's tokens stop working; registering again (project key) issues a new one. */
export function revokeAgentTokens(
  client: HeadlessPMClient,
  options: { agentId: string; requesterAgentId?: string },
): Promise<RevokeTokensResponse> {
  return client.revokeAgentTokens(options.agentId, options.requesterAgentId)
}

/** `hpm heartbeat`: says the agent is alive and renews the leases of the tasks it holds. */
export function heartbeat(
  client: HeadlessPMClient,
  options: { agentId: string },
): Promise<HeartbeatResponse> {
  return client.heartbeat(options.agentId)
}

/** `hpm context`: project name and paths (public). */
export function getContext(client: HeadlessPMClient): Promise<ContextResponse> {
  return client.getContext()
}
