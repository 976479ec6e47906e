import type { HeadlessPMClient } from '../../client/index.js'
import { parseSince } from '../../contract/index.js'
import type {
  AgentRole,
  ChangelogResponse,
  ChangesResponse,
  MentionResponse,
  StatusResponse,
} from '../../contract/index.js'
import { UsageError } from '../exit-codes.js'

export interface ListMentionsOptions {
  agentId?: string
  role?: AgentRole
  /** Include mentions already read (v1 showed unread ones only). */
  all?: boolean
  limit: number
}

/** `hpm mentions`: an agent's (or a role's, or everyone's) mentions, unread only unless `--all`. */
export function listMentions(
  client: HeadlessPMClient,
  options: ListMentionsOptions,
): Promise<MentionResponse[]> {
  const unread_only = !options.all
  if (options.role !== undefined && options.agentId !== undefined)
    throw new UsageError('give --agent-id or --role, not both')
  if (options.role !== undefined) {
    return client.listMentionsByRole({ role: options.role, unread_only, limit: options.limit })
  }
  // `GET /mentions` reads one registered agent's; everyone's come from the by-role overview.
  if (options.agentId === undefined)
    return client.listMentionsByRole({ unread_only, limit: options.limit })
  return client.listMentions({ agent_id: options.agentId, unread_only, limit: options.limit })
}

/** `hpm mention-read <id>`: only the mentioned agent may mark it. */
export function markMentionRead(
  client: HeadlessPMClient,
  options: { mentionId: number; agentId: string },
): Promise<MentionResponse> {
  return client.markMentionRead(options.mentionId, options.agentId)
}

/** `hpm changes`: activity since a time, or after an event id (pass `last_event_id` back as `--after-id`). */
export function listChanges(
  client: HeadlessPMClient,
  options: { since?: string; afterId?: number; agentId?: string; limit?: number },
): Promise<ChangesResponse> {
  if (options.since === undefined && options.afterId === undefined) {
    throw new UsageError('give --since <time> or --after-id <event id>')
  }
  if (options.since !== undefined && !parseSince(options.since)) {
    throw new UsageError(
      `--since '${options.since}' must be an ISO-8601 date-time (2026-01-31T12:00:00Z) or a Unix timestamp in seconds`,
    )
  }
  return client.listChanges({
    since: options.since,
    after_id: options.afterId,
    agent_id: options.agentId,
    limit: options.limit,
  })
}

/** `hpm changelog`: recent task status changes, newest first. */
export function listChangelog(
  client: HeadlessPMClient,
  options: { limit: number },
): Promise<ChangelogResponse[]> {
  return client.listChangelog(options.limit)
}

/** `hpm status`: counts of agents and tasks, and what no agent will act on (it needs a person). */
export function serverStatus(client: HeadlessPMClient): Promise<StatusResponse> {
  return client.getStatus()
}
