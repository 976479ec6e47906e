import { CompiledQuery, sql } from 'kysely'
import type { ExpressionBuilder, SelectQueryBuilder } from 'kysely'

import { AGENT_ROLES, SKILL_LEVELS } from '../contract/index.js'
import type { AgentRole, SkillLevel, TaskStatus } from '../contract/index.js'
import { DEV_PICKUP_STATUSES, levelsInOfferOrder, offeredLevels } from '../domain/index.js'
import type { Database, Db } from './database.js'
import { dialectOf } from './dialect.js'
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

/** The first task orderForPickup puts first, as a query of at most one row (any database). */
export function sortedPickup(db: Db, criteria: MatchCriteria) {
  return orderForPickup(
    db.selectFrom('tasks').select('tasks.id').where(pickupFilter(criteria)),
    criteria,
  ).limit(1)
}

/**
 * The best unlocked task of each (target role, level, status) in the first parameter (a JSON array
 * of [rank, role, level, status]) that is not in the second (a JSON array of ids) and not cooling
 * for the third parameter's agent since the fourth (both null: no cooldown): one seek in
 * tasks_ready_idx each, then the best of those few by orderForPickup's order. Fixed text, so it is
 * prepared once and never rebuilt: building the equivalent Kysely query cost more than running it.
 */
export const SQLITE_PICKUP = `
select t.id as id
from json_each(?) as c
join tasks as t on t.id = (
  select s.id from tasks as s
  where s.locked_by is null
    and s.target_role = json_extract(c.value, '$[1]')
    and s.difficulty = json_extract(c.value, '$[2]')
    and s.status = json_extract(c.value, '$[3]')
    and s.id not in (select value from json_each(?))
    and coalesce(s.last_released_by = ? and s.last_released_at > ?, 0) = 0
  order by s.priority desc, s.created_at asc, s.id asc
  limit 1)
order by json_extract(c.value, '$[0]') asc, t.priority desc, t.created_at asc, t.id asc
limit 1`

/**
 * The id of the task `criteria` picks first (orderForPickup's order), if any.
 *
 * Sorting every matching task cost ~0.7 ms a pickup with 2,000 ready tasks and ~3.6 ms with
 * 10,000. On SQLite, SQLITE_PICKUP seeks the index instead, in up to four passes that follow the
 * order's first two keys: tasks neither cooling nor held for another asker; then held ones; then
 * cooling ones not held; then the rest. Each pass runs only when the ones before found nothing.
 * PostgreSQL sorts in the claim's own statement (task-claims.ts), where FOR UPDATE SKIP LOCKED sits.
 */
export async function pickupId(db: Db, criteria: MatchCriteria): Promise<number | undefined> {
  if (dialectOf(db) !== 'sqlite') return (await sortedPickup(db, criteria).executeTakeFirst())?.id
  const ranks = levelsInOfferOrder(criteria.level)
  const classes = JSON.stringify(
    pickupClasses(criteria).map((c) => [
      ranks.indexOf(c.difficulty),
      c.role,
      c.difficulty,
      c.status,
    ]),
  )
  const excluded = criteria.excludeIds ?? []
  const held = criteria.heldIds ?? []
  const cooling = criteria.cooldown
    ? [criteria.cooldown.agentId, criteria.cooldown.since]
    : [null, null]
  const passes = [
    [[...excluded, ...held], cooling],
    [excluded, cooling],
    [
      [...excluded, ...held],
      [null, null],
    ],
    [excluded, [null, null]],
  ] as const
  const seen = new Set<string>()
  for (const [leftOut, cooldown] of passes) {
    const parameters = [classes, JSON.stringify(leftOut), ...cooldown]
    // Without holds or without a cooldown some passes repeat an earlier one.
    const key = JSON.stringify(parameters)
    if (seen.has(key)) continue
    seen.add(key)
    const { rows } = await db.executeQuery<{ id: number }>(
      CompiledQuery.raw(SQLITE_PICKUP, parameters),
    )
    if (rows[0]) return rows[0].id
  }
  return undefined
}

interface PickupClass {
  status: TaskStatus
  role: AgentRole
  difficulty: SkillLevel
}

/** Every (status, target role, level) whose tasks pickupFilter lets `criteria` take. */
function pickupClasses(criteria: MatchCriteria): PickupClass[] {
  const levels = offeredLevels(criteria.level)
  const classes = DEV_PICKUP_STATUSES.flatMap((status) =>
    levels.map((difficulty) => ({ status, role: criteria.role, difficulty })),
  )
  if (criteria.role === 'qa') {
    const reviewLevels = criteria.qaLevelStrict ? levels : [...SKILL_LEVELS]
    for (const role of AGENT_ROLES)
      for (const difficulty of reviewLevels) classes.push({ status: 'dev_done', role, difficulty })
  }
  return classes
}

/** The next task this agent could take, without claiming it (v1 `GET /tasks/next`). */
export async function findNextTask(
  db: Db,
  criteria: MatchCriteria,
): Promise<TaskWithEpic | undefined> {
  const id = await pickupId(db, criteria)
  if (id === undefined) return undefined
  return db
    .selectFrom('tasks')
    .innerJoin('features', 'features.id', 'tasks.feature_id')
    .selectAll('tasks')
    .select('features.epic_id')
    .where('tasks.id', '=', id)
    .executeTakeFirst()
}
