import type { Migration, MigrationProvider } from 'kysely'

import * as initial from './0001-initial.js'
import * as onePerAgent from './0002-one-task-per-agent.js'
import * as runVerdicts from './0003-run-verdicts.js'
import * as activity from './0004-activity-and-transcripts.js'
import * as agentTokens from './0005-agent-tokens.js'
import * as taskListOrder from './0006-task-list-order.js'
import * as readyTasks from './0007-ready-tasks.js'
import * as eventCommitOrder from './0008-event-commit-order.js'

/** Every migration, by name, in order. Names sort in apply order. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-one-task-per-agent': onePerAgent,
  '0003-run-verdicts': runVerdicts,
  '0004-activity-and-transcripts': activity,
  '0005-agent-tokens': agentTokens,
  '0006-task-list-order': taskListOrder,
  '0007-ready-tasks': readyTasks,
  '0008-event-commit-order': eventCommitOrder,
}

/**
 * Every table the migrations above create, plus Kysely's own bookkeeping. Anything else in the
 * database means it belongs to someone else (a test compares this with a migrated database).
 */
export const OWN_TABLES: ReadonlySet<string> = new Set([
  'kysely_migration',
  'kysely_migration_lock',
  'agents',
  'epics',
  'features',
  'tasks',
  'task_comments',
  'task_runs',
  'changelog',
  'documents',
  'mentions',
  'services',
  'events',
  'pending_events',
  'job_locks',
  'agent_tokens',
])

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...MIGRATIONS }),
}
