import { sql } from 'kysely'
import type { ExpressionBuilder, SelectQueryBuilder } from 'kysely'

import type { AgentRole, SkillLevel } from '../contract/index.js'
import { DEV_PICKUP_STATUSES, levelsInOfferOrder, offeredLevels } from '../domain/index.js'
import type { Database, Db } from './database.js'
import type { TaskWithEpic } from './tasks-repository.js'

export interface MatchCriteria {
  role: AgentRole
  level: SkillLevel
  /** Task ids not to offer (already handed to another waiter in this wake-up). */
  excludeIds?: readonly number[]
  /** Who asks: tasks it gave back recently rank last for it. */
  cooldown?: ReleaseCooldown | undefined
  /** Tasks just offered to another asker (v1 `next`): ranked after the others, still offered. */
  heldIds?: readonly number[] | undefined
  /** HPM_QA_LEVEL_STRICT: a QA reviews `dev_done` work of its level or lower only. */
  qaLevelStrict: boolean
}

/** Tasks `agentId` gave back after `since` rank after every other task it may take (still offered). */
export interface ReleaseCooldown {
  agentId: string
  /** ISO time: releases after it are recent. */
  since: string
}

/** The cooldown of `agentId` when both it and the cooldown start are known. */
export function releaseCooldown(
  agentId: string | undefined,
  since: string | undefined,
): ReleaseCooldown | undefined {
  return agentId === undefined || since === undefined ? undefined : { agentId, since }
}

/** The server's pickup rules in force now (see LeaseClock). */
export interface PickupTerms {
  cooldownSince: string | undefined
  qaLevelStrict: boolean
}

/** What an agent of this role and level (named, when it is known) is offered under `terms`. */
export function matchCriteria(
  asker: { agentId?: string | undefined; role: AgentRole; level: SkillLevel },
  terms: PickupTerms,
  excludeIds?: readonly number[],
  heldIds?: readonly number[],
): MatchCriteria {
  return {
    role: asker.role,
    level: asker.level,
    excludeIds,
    heldIds,
    cooldown: releaseCooldown(asker.agentId, terms.cooldownSince),
    qaLevelStrict: terms.qaLevelStrict,
  }
}

/** Tasks an agent of this role and level may pick up: the matcher of DESIGN.md §Task flow. */
export function pickupFilter(criteria: MatchCriteria) {
  const levels = offeredLevels(criteria.level)
  return (eb: ExpressionBuilder<Database, 'tasks'>) => {
    const ownRole = eb.and([
      eb('tasks.status', 'in', [...DEV_PICKUP_STATUSES]),
      eb('tasks.target_role', '=', criteria.role),
      eb('tasks.difficulty', 'in', levels),
    ])
    const parts = [ownRole]
    if (criteria.role === 'qa') {
      const review = eb('tasks.status', '=', 'dev_done')
      parts.push(
        criteria.qaLevelStrict ? eb.and([review, eb('tasks.difficulty', 'in', levels)]) : review,
      )
    }
    const filters = [eb('tasks.locked_by', 'is', null), eb.or(parts)]
    if (criteria.excludeIds && criteria.excludeIds.length > 0) {
      filters.push(eb('tasks.id', 'not in', [...criteria.excludeIds]))
    }
    return eb.and(filters)
  }
}

/**
 * Tasks the asking agent gave back within its cooldown last; before them, tasks held for another
 * asker; then own level first, then lower levels, then (a QA's reviews) higher ones; then higher
 * priority; then oldest.
 */
export function orderForPickup<O>(
  query: SelectQueryBuilder<Database, 'tasks', O>,
  { level, cooldown, heldIds }: Pick<MatchCriteria, 'level' | 'cooldown' | 'heldIds'>,
): SelectQueryBuilder<Database, 'tasks', O> {
  const levels = levelsInOfferOrder(level)
  const rank = sql<number>`CASE tasks.difficulty ${sql.join(
    levels.map((l, i) => sql`WHEN ${l} THEN ${sql.lit(i)}`),
    sql` `,
  )} ELSE ${sql.lit(levels.length)} END`
  if (cooldown) {
    const cooling = sql<number>`CASE WHEN tasks.last_released_by = ${cooldown.agentId} AND tasks.last_released_at > ${cooldown.since} THEN 1 ELSE 0 END`
    query = query.orderBy(cooling, 'asc')
  }
  if (heldIds && heldIds.length > 0) {
    const held = sql<number>`CASE WHEN tasks.id IN (${sql.join([...heldIds])}) THEN 1 ELSE 0 END`
    query = query.orderBy(held, 'asc')
  }
  return query
    .orderBy(rank, 'asc')
    .orderBy('tasks.priority', 'desc')
    .orderBy('tasks.created_at', 'asc')
    .orderBy('tasks.id', 'asc')
}

/** The next task this agent could take, without claiming it (v1 `GET /tasks/next`). */
export async function findNextTask(
  db: Db,
  criteria: MatchCriteria,
): Promise<TaskWithEpic | undefined> {
  const candidate = orderForPickup(
    db.selectFrom('tasks').select('tasks.id').where(pickupFilter(criteria)),
    criteria,
  ).limit(1)
  const row = await candidate.executeTakeFirst()
  if (!row) return undefined
  return db
    .selectFrom('tasks')
    .innerJoin('features', 'features.id', 'tasks.feature_id')
    .selectAll('tasks')
    .select('features.epic_id')
    .where('tasks.id', '=', row.id)
    .executeTakeFirst()
}
