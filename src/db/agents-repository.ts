import { StoredActivity } from '../contract/index.js'
import type {
  AgentActivity,
  AgentResponse,
  AgentRole,
  RegisterAgentRequest,
} from '../contract/index.js'
import { AppError } from '../domain/index.js'
import type { AgentRow, Db } from './database.js'
import { recordEvent } from './events-repository.js'
import { listHeldTasks, releaseTask } from './task-claims.js'

export function rowToAgent(row: AgentRow): AgentResponse {
  return {
    id: row.id,
    agent_id: row.agent_id,
    role: row.role,
    level: row.level,
    connection_type: row.connection_type,
    last_seen: row.last_seen,
    created_at: row.created_at,
    activity: activityOf(row.activity),
  }
}

function activityOf(text: string | null): StoredActivity | null {
  if (text === null) return null
  try {
    const parsed = StoredActivity.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** Stores what the agent's runner says it is doing (null: nothing now), with when it said so. */
export async function setActivity(
  db: Db,
  agentId: string,
  activity: AgentActivity | null,
  now: string,
): Promise<void> {
  const stored =
    activity === null
      ? null
      : JSON.stringify({
          ...activity,
          since: new Date(activity.since).toISOString(),
          reported_at: now,
        })
  await db.updateTable('agents').set({ activity: stored }).where('agent_id', '=', agentId).execute()
  await recordEvent(
    db,
    'agent_activity',
    {
      agent_id: agentId,
      task_id: activity?.task_id ?? null,
      phase: activity?.phase ?? null,
      tool: activity?.tool ?? null,
    },
    now,
  )
}

export async function findAgent(db: Db, agentId: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('agent_id', '=', agentId).executeTakeFirst()
}

/** v1's wording, which agents have learned to act on. */
export async function getAgentOrThrow(db: Db, agentId: string): Promise<AgentRow> {
  const agent = await findAgent(db, agentId)
  if (!agent) {
    throw new AppError(
      'agent_not_found',
      `Agent '${agentId}' not found. Please ensure the agent is registered using POST /api/v1/register before attempting this operation (hpm register --agent-id ${agentId} --role <role>).`,
    )
  }
  return agent
}

/** Role check as v1: unknown agent → 404, wrong role → 403 naming the roles allowed. */
export async function requireRole(
  db: Db,
  agentId: string,
  roles: readonly AgentRole[],
): Promise<AgentRow> {
  const agent = await getAgentOrThrow(db, agentId)
  if (!roles.includes(agent.role)) {
    throw new AppError('forbidden', `Only ${roles.join(', ')} agents can perform this operation`)
  }
  return agent
}

/**
 * Creates or refreshes an agent. A different role or level for an existing agent is refused unless
 * `byPm`: an agent must not promote itself (v1 silently kept the old ones, and its agents were told
 * nothing).
 */
export async function upsertAgent(
  db: Db,
  input: Required<RegisterAgentRequest>,
  now: string,
  byPm = false,
): Promise<AgentRow> {
  let existing = await findAgent(db, input.agent_id)
  if (!existing) {
    // Two first registrations of one id may race: the loser's insert does nothing and it updates instead.
    const row = await db
      .insertInto('agents')
      .values({ ...input, last_seen: now, created_at: now })
      .onConflict((oc) => oc.column('agent_id').doNothing())
      .returningAll()
      .executeTakeFirst()
    if (row) {
      await recordEvent(
        db,
        'agent_registered',
        { agent_id: row.agent_id, role: row.role, level: row.level },
        now,
      )
      return row
    }
    existing = await getAgentOrThrow(db, input.agent_id)
  }
  if ((existing.role !== input.role || existing.level !== input.level) && !byPm) {
    throw new AppError(
      'conflict',
      `agent ${input.agent_id} is registered as ${existing.role} (${existing.level}); re-registering does not change its role or level. Register under a new agent id, or have a pm change it: POST /register?requester_agent_id=<pm id> (hpm register ... --requester-agent-id <pm id>)`,
      { details: { role: existing.role, level: existing.level } },
    )
  }
  const row = await db
    .updateTable('agents')
    .set({
      role: input.role,
      level: input.level,
      connection_type: input.connection_type,
      last_seen: now,
    })
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  if (existing.role !== input.role || existing.level !== input.level) {
    await recordEvent(
      db,
      'agent_registered',
      { agent_id: row.agent_id, role: row.role, level: row.level, updated: true },
      now,
    )
  }
  return row
}

export async function listAgents(db: Db): Promise<AgentRow[]> {
  return db
    .selectFrom('agents')
    .selectAll()
    .orderBy('last_seen', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

export async function listAgentIdsByRole(db: Db, role: AgentRole): Promise<string[]> {
  const rows = await db.selectFrom('agents').select('agent_id').where('role', '=', role).execute()
  return rows.map((r) => r.agent_id)
}

/** Moves the agent's `last_seen` only; its leases are left as they are. Returns the rows touched. */
export async function markAgentSeen(db: Db, agentId: string, now: string): Promise<number> {
  const result = await db
    .updateTable('agents')
    .set({ last_seen: now })
    .where('agent_id', '=', agentId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Marks the agent alive and renews the leases of every task it holds. Returns the rows touched. */
export async function touchAgent(
  db: Db,
  agentId: string,
  now: string,
  leaseExpiresAt: string,
): Promise<number> {
  const result = await db
    .updateTable('agents')
    .set({ last_seen: now })
    .where('agent_id', '=', agentId)
    .executeTakeFirst()
  await db
    .updateTable('tasks')
    .set({ lease_expires_at: leaseExpiresAt })
    .where('locked_by', '=', agentId)
    .where('lease_expires_at', '<', leaseExpiresAt)
    .execute()
  return Number(result.numUpdatedRows)
}

export async function countAgents(
  db: Db,
  activeSinceIso: string,
): Promise<{ total: number; active: number }> {
  const row = await db
    .selectFrom('agents')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn
        .sum<number>(eb.case().when('last_seen', '>=', activeSinceIso).then(1).else(0).end())
        .as('active'),
    ])
    .executeTakeFirstOrThrow()
  return { total: Number(row.total), active: Number(row.active ?? 0) }
}

/**
 * Deletes an agent for `requester` (a pm): the tasks it holds go back to the pool rather than
 * staying locked by an agent that no longer exists; its tokens go with it (foreign key).
 */
export async function deleteAgent(
  db: Db,
  agentId: string,
  requester: string,
  now: string,
): Promise<void> {
  for (const task of await listHeldTasks(db, agentId)) {
    await releaseTask(
      db,
      task,
      requester,
      `agent ${agentId} deleted by ${requester}; task released`,
      now,
    )
  }
  await db.deleteFrom('agents').where('agent_id', '=', agentId).execute()
  await recordEvent(db, 'agent_deleted', { agent_id: agentId, deleted_by: requester }, now)
}
