import { type Command, Option } from 'commander'

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
import { CONNECTION_TYPES } from '../choices.js'
import { levelOption, roleOption } from '../options.js'
import type { CommandKit } from '../program.js'

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

/** `hpm context`, with its flags. */
export function addContextCommand(program: Command, { run }: CommandKit): void {
  program
    .command('context')
    .description('project context: name, shared paths, database type (public)')
    .action((_opts: unknown, command: Command) => run(command, (c) => getContext(c), 'record'))
}

/** `hpm register`, `hpm heartbeat` and `hpm agents ...`, with their flags. */
export function addAgentCommands(program: Command, { run }: CommandKit): void {
  program
    .command('register')
    .description(
      'register this agent (do it first); returns the task you hold or may take next, and unread mentions',
    )
    .requiredOption('--agent-id <id>', 'your agent id, e.g. backend_dev_senior_001')
    .addOption(roleOption().makeOptionMandatory())
    .addOption(levelOption().makeOptionMandatory())
    .addOption(
      new Option('--connection-type <type>', 'how the agent talks to the server')
        .choices(CONNECTION_TYPES)
        .default('client'),
    )
    .option(
      '--requester-agent-id <id>',
      "a pm's agent id: needed to change the role or level of an agent already registered",
    )
    .action((opts: RegisterOptions, command: Command) =>
      run(command, (c) => registerAgent(c, opts), 'register'),
    )

  program
    .command('heartbeat')
    .description('say you are alive and renew the lease on the task you hold')
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((opts: { agentId: string }, command: Command) =>
      run(command, (c) => heartbeat(c, opts), 'heartbeat'),
    )

  const agents = program.command('agents').description('list or delete agents, revoke their tokens')
  agents
    .command('list', { isDefault: true })
    .description('list registered agents')
    .action((_opts: unknown, command: Command) => run(command, (c) => listAgents(c), 'agents'))
  agents
    .command('delete')
    .description('delete an agent (pm only); its tasks are released')
    .requiredOption('--agent-id <id>', 'agent to delete')
    .requiredOption('--requester-agent-id <id>', 'your agent id (a pm)')
    .action((opts: DeleteAgentOptions, command: Command) =>
      run(command, (c) => deleteAgent(c, opts), 'message'),
    )
  agents
    .command('revoke')
    .description(
      "revoke every token of an agent (with the project key, the agent's own token, or a pm's)",
    )
    .argument('<agent-id>', 'agent whose tokens stop working')
    .option(
      '--requester-agent-id <id>',
      "a pm's agent id, when revoking another agent's tokens with a pm's token",
    )
    .action((agentId: string, opts: { requesterAgentId?: string }, command: Command) =>
      run(command, (c) => revokeAgentTokens(c, { agentId, ...opts }), 'revoked'),
    )
}
