import type { Command } from 'commander'

import type { HeadlessPMClient } from '../../client/index.js'
import type {
  AgentRole,
  ChangelogResponse,
  ChangesResponse,
  MentionResponse,
  StatusResponse,
} from '../../contract/index.js'
import { UsageError } from '../exit-codes.js'
import { MENTIONS_HELP } from '../help.js'
import { intIn, parseId, roleOption } from '../options.js'
import type { CommandKit } from '../program.js'

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

export interface ListChangesOptions {
  since?: string
  afterId?: number
  agentId?: string
  limit?: number
}

/** `hpm changes`: activity since a time, or after an event id (pass `last_event_id` back as `--after-id`). */
export async function listChanges(
  client: HeadlessPMClient,
  options: ListChangesOptions,
): Promise<ChangesResponse> {
  // Loaded here: the contract brings zod, which declaring the command must not load.
  const { parseSince } = await import('../../contract/index.js')
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

/** `hpm mentions` and `hpm mention-read`, with their flags. */
export function addMentionCommands(program: Command, { run }: CommandKit): void {
  program
    .command('mentions')
    .description('list mentions (unread only unless --all)')
    .option('--agent-id <id>', 'your agent id (omit for everyone)')
    .addOption(roleOption('--role <role>', "every agent of this role's mentions"))
    .option('--all', 'include mentions already read')
    .option('--limit <n>', 'at most this many, 1..10000', intIn(1, 10_000), 50)
    .addHelpText('after', MENTIONS_HELP)
    .action((opts: ListMentionsOptions, command: Command) =>
      run(command, (c) => listMentions(c, opts), 'mentions'),
    )
  program
    .command('mention-read')
    .description('mark one of your mentions read')
    .argument('<mention_id>', 'mention id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id (the mentioned agent)')
    .action((mentionId: number, opts: { agentId: string }, command: Command) =>
      run(command, (c) => markMentionRead(c, { mentionId, ...opts }), 'mention'),
    )
}

/** `hpm status`, `hpm changes` and `hpm changelog`, with their flags. */
export function addActivityCommands(program: Command, { run }: CommandKit): void {
  program
    .command('status')
    .description(
      'agents, tasks by status, and what needs a person: work no agent may take (public)',
    )
    .action((_opts: unknown, command: Command) =>
      run(command, (c) => serverStatus(c), 'serverStatus'),
    )
  program
    .command('changes')
    .description(
      'activity since a time or an event id (poll with the returned last_event_id as --after-id)',
    )
    .option('--since <time>', 'ISO-8601 date-time (no zone = UTC) or Unix timestamp in seconds')
    .option(
      '--after-id <id>',
      'events after this event id (exact paging)',
      intIn(0, Number.MAX_SAFE_INTEGER),
    )
    .option('--agent-id <id>', "your agent id (optional: the feed is everyone's either way)")
    .option('--limit <n>', 'at most this many, 1..10000 (server default 1000)', intIn(1, 10_000))
    .action((opts: ListChangesOptions, command: Command) =>
      run(command, (c) => listChanges(c, opts), 'changes'),
    )
  program
    .command('changelog')
    .description('recent task status changes, newest first')
    .option('--limit <n>', 'at most this many, 1..10000', intIn(1, 10_000), 50)
    .action((opts: { limit: number }, command: Command) =>
      run(command, (c) => listChangelog(c, opts), 'changelog'),
    )
}
