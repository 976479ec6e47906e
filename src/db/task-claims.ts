import { sql } from 'kysely'
import type { ExpressionBuilder } from 'kysely'

import type { AgentRole, TaskStatus } from '../contract/index.js'
import { AppError, canPickUp, mayTakeLevel } from '../domain/index.js'
import type { AgentRow, Database, Db } from './database.js'
import { dialectOf } from './dialect.js'
import { matchCriteria, pickupId, sortedPickup } from './task-matching.js'
import type { PickupTerms } from './task-matching.js'
import { getTaskOrThrow, recordTaskChange, selectTasks } from './tasks-repository.js'
import type { TaskWithEpic } from './tasks-repository.js'

export interface ClaimContext extends PickupTerms {
  agent: AgentRow
  now: string
  leaseExpiresAt: string
}

/** The task this agent holds, if any. An agent holds at most one task at a time. */
export async function findHeldTask(db: Db, agentId: string): Promise<TaskWithEpic | undefined> {
  return selectTasks(db)
    .where('tasks.locked_by', '=', agentId)
    .orderBy('tasks.locked_at', 'asc')
    .executeTakeFirst()
}

export async function listHeldTasks(db: Db, agentId: string): Promise<TaskWithEpic[]> {
  return selectTasks(db)
    .where('tasks.locked_by', '=', agentId)
    .orderBy('tasks.locked_at', 'asc')
    .execute()
}

async function recordClaim(
  db: Db,
  task: TaskWithEpic,
  from: TaskStatus,
  ctx: ClaimContext,
  how: string,
): Promise<void> {
  await recordTaskChange(db, {
    type: 'task_locked',
    task,
    from,
    by: ctx.agent.agent_id,
    notes: `${how} by ${ctx.agent.agent_id}`,
    now: ctx.now,
  })
}

/**
 * Part of every claim's compare-and-set: the claiming agent is still registered. A long-poll
 * waiter outlives the request that looked the agent up, and its agent may be deleted meanwhile.
 */
function agentIsRegistered(ctx: ClaimContext) {
  return (eb: ExpressionBuilder<Database, 'tasks'>) =>
    eb.exists(
      eb.selectFrom('agents').select('agents.id').where('agents.agent_id', '=', ctx.agent.agent_id),
    )
}

function claimSet(ctx: ClaimContext) {
  return {
    status: 'under_work' as const,
    claimed_from: sql<TaskStatus>`status`,
    locked_by: ctx.agent.agent_id,
    locked_at: ctx.now,
    lease_expires_at: ctx.leaseExpiresAt,
    attempts: sql<number>`attempts + 1`,
    // A claim from any status but dev_done starts a new round of dev work: QA must never review
    // the commit of an earlier round. (SET expressions read the row as it was before the update.)
    work_commit: sql<string | null>`CASE WHEN status = 'dev_done' THEN work_commit ELSE NULL END`,
    updated_at: ctx.now,
  }
}

/**
 * Claims the best matching task for the agent in one compare-and-set statement, or returns the task
 * it already holds (claiming is idempotent). Undefined when nothing matches.
 */
export async function claimNextTask(
  db: Db,
  ctx: ClaimContext,
  excludeIds: readonly number[] = [],
): Promise<{ task: TaskWithEpic; alreadyHeld: boolean } | undefined> {
  const held = await findHeldTask(db, ctx.agent.agent_id)
  if (held) return { task: held, alreadyHeld: true }

  const criteria = matchCriteria(
    { agentId: ctx.agent.agent_id, role: ctx.agent.role, level: ctx.agent.level },
    ctx,
    excludeIds,
  )
  // Concurrent claimers on PostgreSQL skip rows another transaction is claiming instead of queueing
  // on them. On SQLite the task is picked first; the update below still claims it only if unlocked.
  const candidate =
    dialectOf(db) === 'postgresql'
      ? sortedPickup(db, criteria).forUpdate().skipLocked()
      : await pickupId(db, criteria)
  if (candidate === undefined) return undefined
  const claimed = await db
    .updateTable('tasks')
    .set(claimSet(ctx))
    .where('id', '=', candidate)
    .where('locked_by', 'is', null)
    .where(agentIsRegistered(ctx))
    .returning(['id', 'claimed_from'])
    .executeTakeFirst()
  if (!claimed) return undefined
  const task = await getTaskOrThrow(db, claimed.id)
  await recordClaim(db, task, claimed.claimed_from ?? 'created', ctx, 'claimed')
  return { task, alreadyHeld: false }
}

/**
 * v1 `POST /tasks/{id}/lock`: the same compare-and-set as a claim, for a task the agent chose.
 * Re-locking by the holder answers with the task (v1 answered 409).
 */
export async function lockTask(db: Db, taskId: number, ctx: ClaimContext): Promise<TaskWithEpic> {
  const task = await getTaskOrThrow(db, taskId)
  const agentId = ctx.agent.agent_id
  if (task.locked_by === agentId) return task
  if (task.locked_by !== null) {
    throw new AppError(
      'task_locked',
      `Task ${taskId} is already locked by another agent. The task must be unlocked before you can lock it.`,
      { details: { locked_by: task.locked_by } },
    )
  }
  const held = await findHeldTask(db, agentId)
  if (held) {
    throw new AppError(
      'agent_busy',
      `agent ${agentId} already holds task ${held.id}; finish it (status update) or unlock it before locking another`,
      { details: { held_task_id: held.id } },
    )
  }
  // Lost a race: the task was this agent's to take, but another agent took it and moved it on.
  // v1 clients retry on 409 only, so this is a conflict; 403 stays for what the agent may never take.
  if (hasMovedPast(task, ctx.agent.role)) {
    throw new AppError(
      'conflict',
      `task ${taskId} has moved on to ${task.status}: another agent took it meanwhile; ask for the next task`,
    )
  }
  if (!canPickUp(ctx.agent.role, task.status, task.target_role)) {
    const claimable =
      ctx.agent.role === 'qa'
        ? 'dev_done tasks, or created tasks targeted at qa'
        : `created tasks targeted at ${ctx.agent.role}`
    const code = ['created', 'approved', 'dev_done'].includes(task.status)
      ? 'not_eligible'
      : 'invalid_transition'
    throw new AppError(
      code,
      `task ${taskId} is ${task.status} and targeted at ${task.target_role}; ${ctx.agent.role} agents can lock ${claimable}`,
    )
  }
  if (!mayTakeLevel(ctx.agent, task, ctx.qaLevelStrict)) {
    throw new AppError(
      'not_eligible',
      `task ${taskId} is ${task.difficulty} work; agent ${agentId} is ${ctx.agent.level} and may take its level or lower${ctx.agent.role === 'qa' ? ' (HPM_QA_LEVEL_STRICT is on)' : ''}`,
    )
  }
  const claimed = await db
    .updateTable('tasks')
    .set(claimSet(ctx))
    .where('id', '=', taskId)
    .where('locked_by', 'is', null)
    .where('status', '=', task.status)
    .where(agentIsRegistered(ctx))
    .returning('id')
    .executeTakeFirst()
  if (!claimed) {
    throw new AppError(
      'task_locked',
      `Task ${taskId} is already locked by another agent. The task must be unlocked before you can lock it.`,
    )
  }
  const locked = await getTaskOrThrow(db, taskId)
  await recordClaim(db, locked, task.status, ctx, 'locked')
  return locked
}

export interface ReleaseOptions {
  /** Release only if the lease lapsed before this ISO time (lease expiry). */
  leaseBefore?: string
  /** The holder gave the task back: start its cooldown (its claims rank this task last for a while). */
  isGiveBack?: boolean
}

/**
 * Returns a held task to the status it was claimed from, unlocked, with a changelog row saying why.
 * Conditional on the holder, so two callers (or two server instances) release it once.
 */
export async function releaseTask(
  db: Db,
  task: TaskWithEpic,
  by: string,
  reason: string,
  now: string,
  options: ReleaseOptions = {},
): Promise<TaskWithEpic | undefined> {
  if (task.locked_by === null) return undefined
  const back: TaskStatus = task.claimed_from ?? 'created'
  const giveBack = options.isGiveBack
    ? { last_released_by: task.locked_by, last_released_at: now }
    : {}
  let update = db
    .updateTable('tasks')
    .set({
      status: back,
      locked_by: null,
      locked_at: null,
      lease_expires_at: null,
      claimed_from: null,
      updated_at: now,
      ...giveBack,
      // Told to the holder if it reports later (409 lease_expired), rather than "illegal move".
      taken_back_from: task.locked_by,
      taken_back_at: now,
      taken_back_reason: reason,
    })
    .where('id', '=', task.id)
    .where('locked_by', '=', task.locked_by)
  if (options.leaseBefore !== undefined)
    update = update.where('lease_expires_at', '<', options.leaseBefore)
  const result = await update.executeTakeFirst()
  if (Number(result.numUpdatedRows) === 0) return undefined
  const released = await getTaskOrThrow(db, task.id)
  await recordTaskChange(db, {
    type: 'task_unlocked',
    task: released,
    from: task.status,
    by,
    notes: reason,
    extra: { previous_holder: task.locked_by },
    now,
  })
  return released
}

/** Tasks whose lease has lapsed, oldest first. */
export async function listExpiredLeases(db: Db, now: string, limit = 500): Promise<TaskWithEpic[]> {
  return selectTasks(db)
    .where('tasks.locked_by', 'is not', null)
    .where('tasks.lease_expires_at', '<', now)
    .orderBy('tasks.lease_expires_at', 'asc')
    .limit(limit)
    .execute()
}

const PAST_WORK: readonly TaskStatus[] = ['dev_done', 'qa_done', 'documentation_done', 'committed']
const PAST_REVIEW: readonly TaskStatus[] = ['qa_done', 'documentation_done', 'committed']

/** Whether the task is past the point where an agent of `role` could have taken it. */
function hasMovedPast(task: TaskWithEpic, role: AgentRole): boolean {
  // QA takes created tasks targeted at qa and dev_done tasks of any role: only a review is past it.
  if (role === 'qa') return PAST_REVIEW.includes(task.status)
  return role === task.target_role && PAST_WORK.includes(task.status)
}
