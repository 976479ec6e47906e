import type { Migration, MigrationProvider } from 'kysely'

import * as initial from './0001-initial.js'

/** Every migration, by name, in order. Names sort in apply order. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
}

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...MIGRATIONS }),
}
