import type { HeadlessPMClient } from '../client/index.js'
import type { AgentRole, SkillLevel } from '../contract/index.js'

/** Who the tools act as when a call does not say: set at start-up, and by register_agent. */
export interface AgentIdentity {
  agentId?: string | undefined
  role?: AgentRole | undefined
  level?: SkillLevel | undefined
}

/** One MCP connection's view of Headless PM: the API client and the agent it speaks for. */
export interface McpSession {
  client: HeadlessPMClient
  identity: AgentIdentity
  /** Where the server is, for messages when it cannot be reached. */
  apiUrl: string
  /** How often a waiting claim tells the client it is still waiting, ms. */
  progressIntervalMs: number
}

/** A tool argument the caller left out and the session cannot supply: a tool error naming it. */
export class MissingArgumentError extends Error {
  constructor(name: string, hint: string) {
    super(`${name} is required: ${hint}`)
    this.name = 'MissingArgumentError'
  }
}

/** The agent id given, else the session's; a tool error says how to set one. */
export function agentIdOf(session: McpSession, given: string | undefined): string {
  const agentId = given ?? session.identity.agentId
  if (agentId === undefined) {
    throw new MissingArgumentError(
      'agent_id',
      'pass it, call register_agent first, or start the MCP server with --agent-id',
    )
  }
  return agentId
}

/** The role and level given, else the session's. */
export function roleAndLevelOf(
  session: McpSession,
  given: { role?: AgentRole | undefined; level?: SkillLevel | undefined },
): { role: AgentRole; level: SkillLevel } {
  const role = given.role ?? session.identity.role
  const level = given.level ?? session.identity.level
  const hint = 'pass it, call register_agent first, or start the MCP server with --role and --level'
  if (role === undefined) throw new MissingArgumentError('role', hint)
  if (level === undefined) throw new MissingArgumentError('level', hint)
  return { role, level }
}
