import type { Kysely } from 'kysely'

import {
  claimNextTask,
  findHeldTask,
  findNextTask,
  isUniqueViolation,
  matchCriteria,
} from '../db/index.js'
import type { AgentRow, Database, PickupTerms, TaskWithEpic } from '../db/index.js'
import type { LeaseClock } from './deps.js'
import type { NextOffers } from './next-offers.js'
import type { WaitRequest } from './task-waiters.js'

/** One claim for a waiting agent, in its own transaction. */
export async function claimTaskFor(
  db: Kysely<Database>,
  agent: AgentRow,
  leaseNow: LeaseClock,
): Promise<TaskWithEpic | undefined> {
  try {
    const result = await db
      .transaction()
      .execute((trx) => claimNextTask(trx, { agent, ...leaseNow() }))
    return result?.task
  } catch (error) {
    // Another claim by the same agent committed first: the agent holds that task, so return it.
    if (!isUniqueViolation(error)) throw error
    return findHeldTask(db, agent.agent_id)
  }
}

/**
 * One look for v1 `GET /tasks/next` (at once or for a waiter), held for the asker, or with
 * `suggest` for the `next_task` of v1's status and register replies, which holds nothing: skips
 * tasks already offered to another waiter in this wake-up, ranks tasks just offered to someone
 * else after the others (`offers`), and an asker that named its agent gets the tasks it gave back
 * recently last.
 */
export async function peekTaskFor(
  db: Kysely<Database>,
  request: Extract<WaitRequest, { kind: 'next' }>,
  handedOut: readonly number[],
  terms: PickupTerms,
  offers: NextOffers,
  { suggest = false } = {},
): Promise<TaskWithEpic | undefined> {
  const find = (heldIds: readonly number[]) =>
    findNextTask(db, matchCriteria(request, terms, handedOut, heldIds))
  return suggest ? offers.suggest(request.agentId, find) : offers.offer(request.agentId, find)
}
