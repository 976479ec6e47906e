import { sql } from 'kysely'

import type { StatsResponse } from '../contract/index.js'
import type { Db } from './database.js'
import { countTasksByStatus } from './tasks-repository.js'

// A UTC day from our ISO text timestamps; substr works the same on SQLite and PostgreSQL.
const dayOf = (column: string) => sql<string>`substr(${sql.ref(column)}, 1, 10)`
const totalCost = sql<number>`coalesce(sum(cost_usd), 0)`

/** Everything the overview shows, in a handful of grouped queries. */
export async function computeStats(db: Db): Promise<StatsResponse> {
  const [byStatus, committed, perDay, byEpic, byAgent, byModel, done, lifetimes] =
    await Promise.all([
      countTasksByStatus(db),
      db
        .selectFrom('changelog')
        .select([dayOf('changed_at').as('day'), sql<number>`count(distinct task_id)`.as('tasks')])
        .where('new_status', '=', 'committed')
        .groupBy(dayOf('changed_at'))
        .orderBy('day')
        .execute(),
      db
        .selectFrom('task_runs')
        .select([
          dayOf('finished_at').as('day'),
          totalCost.as('cost_usd'),
          sql<number>`count(*)`.as('runs'),
        ])
        .groupBy(dayOf('finished_at'))
        .orderBy('day')
        .execute(),
      db
        .selectFrom('task_runs')
        .innerJoin('tasks', 'tasks.id', 'task_runs.task_id')
        .innerJoin('features', 'features.id', 'tasks.feature_id')
        .innerJoin('epics', 'epics.id', 'features.epic_id')
        .select([
          'epics.id as epic_id',
          'epics.name as name',
          sql<number>`coalesce(sum(task_runs.cost_usd), 0)`.as('cost_usd'),
          sql<number>`count(*)`.as('runs'),
        ])
        .groupBy(['epics.id', 'epics.name'])
        .orderBy('epics.id')
        .execute(),
      db
        .selectFrom('task_runs')
        .select(['agent_id', totalCost.as('cost_usd'), sql<number>`count(*)`.as('runs')])
        .groupBy('agent_id')
        .orderBy('agent_id')
        .execute(),
      db
        .selectFrom('task_runs')
        .select([
          sql<string>`coalesce(model, 'unknown')`.as('model'),
          totalCost.as('cost_usd'),
          sql<number>`count(*)`.as('runs'),
        ])
        .groupBy(sql`coalesce(model, 'unknown')`)
        .orderBy('model')
        .execute(),
      db
        .selectFrom('changelog')
        .select([
          'changed_by as agent_id',
          sql<number>`sum(case when new_status = 'dev_done' and old_status = 'under_work' then 1 else 0 end)`.as(
            'dev_done',
          ),
          sql<number>`sum(case when new_status = 'qa_done' and old_status = 'under_work' then 1 else 0 end)`.as(
            'qa_done',
          ),
        ])
        .where('new_status', 'in', ['dev_done', 'qa_done'])
        .groupBy('changed_by')
        .orderBy('changed_by')
        .execute(),
      db
        .selectFrom('tasks')
        .innerJoin('changelog', 'changelog.task_id', 'tasks.id')
        .select(['tasks.created_at', sql<string>`max(changelog.changed_at)`.as('committed_at')])
        .where('tasks.status', '=', 'committed')
        .where('changelog.new_status', '=', 'committed')
        .groupBy(['tasks.id', 'tasks.created_at'])
        .execute(),
    ])
  const seconds = lifetimes
    .map((t) => (Date.parse(t.committed_at) - Date.parse(t.created_at)) / 1000)
    .sort((a, b) => a - b)
  return {
    tasks_by_status: byStatus,
    committed_per_day: committed.map((r) => ({ day: r.day, tasks: Number(r.tasks) })),
    cost_per_day: perDay.map((r) => ({
      day: r.day,
      cost_usd: Number(r.cost_usd),
      runs: Number(r.runs),
    })),
    cost_by_epic: byEpic.map((r) => ({
      epic_id: r.epic_id,
      name: r.name,
      cost_usd: Number(r.cost_usd),
      runs: Number(r.runs),
    })),
    cost_by_agent: byAgent.map((r) => ({
      agent_id: r.agent_id,
      cost_usd: Number(r.cost_usd),
      runs: Number(r.runs),
    })),
    cost_by_model: byModel.map((r) => ({
      model: r.model,
      cost_usd: Number(r.cost_usd),
      runs: Number(r.runs),
    })),
    done_by_agent: done.map((r) => ({
      agent_id: r.agent_id,
      dev_done: Number(r.dev_done),
      qa_done: Number(r.qa_done),
    })),
    median_created_to_committed_seconds: median(seconds),
  }
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
