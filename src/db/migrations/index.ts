import type { Migration, MigrationProvider } from 'kysely'

import * as initial from './0001-initial.js'
import * as onePerAgent from './0002-one-task-per-agent.js'
import * as runVerdicts from './0003-run-verdicts.js'

/** Every migration, by name, in order. Names sort in apply order. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-one-task-per-agent': onePerAgent,
  '0003-run-verdicts': runVerdicts,
}

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...MIGRATIONS }),
}
