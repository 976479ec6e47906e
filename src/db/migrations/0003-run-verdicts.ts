import { sql } from 'kysely'
import type { Kysely } from 'kysely'

// SQLite adds one column per ALTER TABLE statement, so each column gets its own.
const TASK_COLUMNS = [
  'failures',
  'work_branch',
  'work_commit',
  'last_released_by',
  'last_released_at',
  'budget_usd',
  'taken_back_from',
  'taken_back_at',
  'taken_back_reason',
] as const
const RUN_COLUMNS = ['verdict', 'verdict_reason', 'run_key'] as const

/**
 * The runner tells the truth: a failure budget per task, the release that starts an agent's
 * cooldown, the commit dev handed to QA, a task's own money budget, and the runner's verdict beside
 * Claude's outcome. Existing rows get `failures = 0` and NULL elsewhere (a NULL verdict is derived
 * from the outcome; a NULL budget means the runner's `HEADLESS_PM_TASK_BUDGET_USD`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('tasks')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('tasks').addColumn('work_branch', 'text').execute()
  await db.schema.alterTable('tasks').addColumn('work_commit', 'varchar(64)').execute()
  await db.schema.alterTable('tasks').addColumn('last_released_by', 'varchar(100)').execute()
  await db.schema.alterTable('tasks').addColumn('last_released_at', 'varchar(32)').execute()
  await db.schema.alterTable('tasks').addColumn('budget_usd', 'double precision').execute()
  await db.schema.alterTable('tasks').addColumn('taken_back_from', 'varchar(100)').execute()
  await db.schema.alterTable('tasks').addColumn('taken_back_at', 'varchar(32)').execute()
  await db.schema.alterTable('tasks').addColumn('taken_back_reason', 'text').execute()
  await db.schema.alterTable('task_runs').addColumn('verdict', 'varchar(32)').execute()
  await db.schema.alterTable('task_runs').addColumn('verdict_reason', 'text').execute()
  await db.schema.alterTable('task_runs').addColumn('run_key', 'varchar(100)').execute()
  // One record per attempt, however often it is sent.
  await db.schema
    .createIndex('task_runs_one_per_key')
    .on('task_runs')
    .columns(['task_id', 'run_key'])
    .unique()
    .where(sql.ref('run_key'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('task_runs_one_per_key').ifExists().execute()
  for (const column of RUN_COLUMNS)
    await db.schema.alterTable('task_runs').dropColumn(column).execute()
  for (const column of TASK_COLUMNS)
    await db.schema.alterTable('tasks').dropColumn(column).execute()
}
