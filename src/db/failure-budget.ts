import { sql } from 'kysely'

import type { FailureBudget, RunResponse, TaskStatus } from '../contract/index.js'
import { budgetSpentComment, failureBudget } from '../domain/index.js'
import type { Db } from './database.js'
import { addTaskComment } from './task-comments.js'
import { getTaskOrThrow, recordTaskChange } from './tasks-repository.js'

/** Statuses a spent budget leaves alone: already waiting for a planner, or finished. */
const OUT_OF_POOL: readonly TaskStatus[] = ['pending', 'committed']

/**
 * Charges a recorded run to its task's failure budget; call in the run's transaction. Only a
 * `failed` verdict counts. When the count reaches `maxFailures` (0 = no budget) the task leaves the
 * pool: back to `pending`, unlocked, with a changelog row, a `task_updated` event and a comment
 * that asks `@pm` to look at it.
 */
export async function chargeRunToBudget(
  db: Db,
  run: RunResponse,
  maxFailures: number,
  now: string,
): Promise<FailureBudget> {
  if (run.verdict !== 'failed') {
    return failureBudget((await getTaskOrThrow(db, run.task_id)).failures, maxFailures)
  }
  // The increment locks the row (PostgreSQL) until the transaction ends, so what follows sees a settled task.
  const counted = await db
    .updateTable('tasks')
    .set({ failures: sql<number>`failures + 1`, updated_at: now })
    .where('id', '=', run.task_id)
    .returning('failures')
    .executeTakeFirstOrThrow()
  const budget = failureBudget(counted.failures, maxFailures)
  if (!budget.is_spent) return budget

  const task = await getTaskOrThrow(db, run.task_id)
  // A stale runner's record must not take the task from the agent that holds it now: the holder's
  // own next failure moves it.
  if (
    OUT_OF_POOL.includes(task.status) ||
    (task.locked_by !== null && task.locked_by !== run.agent_id)
  )
    return budget
  await db
    .updateTable('tasks')
    .set({
      status: 'pending',
      locked_by: null,
      locked_at: null,
      lease_expires_at: null,
      claimed_from: null,
      updated_at: now,
    })
    .where('id', '=', task.id)
    .execute()
  const reason =
    run.verdict_reason?.trim() ||
    run.error?.trim() ||
    `claude ${run.outcome}${run.exit_code === null ? '' : ` (exit ${run.exit_code})`}`
  const comment = budgetSpentComment({
    taskId: task.id,
    failures: budget.failures,
    maxFailures,
    agentId: run.agent_id,
    attempt: run.attempt,
    reason,
  })
  const note = `failure budget spent: ${budget.failures} failed runner attempts (HPM_TASK_MAX_FAILURES=${maxFailures}); back to pending for a planner`
  const moved = await getTaskOrThrow(db, task.id)
  await recordTaskChange(db, {
    type: 'task_updated',
    task: moved,
    from: task.status,
    by: run.agent_id,
    notes: note,
    extra: { previous_holder: task.locked_by },
    now,
  })
  await addTaskComment(
    db,
    moved,
    { authorId: run.agent_id, body: comment.body, mentionText: comment.head },
    now,
  )
  return budget
}
