import { sql } from 'kysely'
import type { Kysely } from 'kysely'

import { AppError } from '../../domain/index.js'
import type { Database, Db } from '../database.js'
import { dialectOf } from '../dialect.js'
import { foreignSchemaMessage, migrateToLatest, schemaStatus } from '../migrate.js'
import type { SchemaStatus } from '../migrate.js'
import { decideImport } from './decide-import.js'
import type { ImportDecision } from './decide-import.js'
import type { SkippedRow, V1ImportPlan } from './map-v1.js'

/** One line of the report: a v1 table (or a part of one) and where its rows went. */
export interface ImportTableReport {
  from: string
  to: string
  read: number
  /** Written by this run; with `dry_run`, what would be written. */
  imported: number
  /** Already in the target (an earlier import): left as they are. */
  already_present: number
  skipped: number
}

/** What `hpm db import-v1` did, or with `dry_run` would do. */
export interface ImportV1Report {
  dry_run: boolean
  /** Migrations applied to the target first; with `dry_run`, the ones that would be. */
  migrations: string[]
  tables: ImportTableReport[]
  skipped: SkippedRow[]
  notes: string[]
}

export interface ImportV1Options {
  isDryRun: boolean
}

// Tables written with v1's ids, in foreign-key order; on PostgreSQL their sequences are moved past them.
const SEQUENCED_TABLES = [
  'agents',
  'epics',
  'features',
  'tasks',
  'documents',
  'mentions',
  'services',
  'changelog',
] as const
type SequencedTable = (typeof SEQUENCED_TABLES)[number]
const CHUNK_ROWS = 100

/**
 * Copies a mapped v1 database into ours in one transaction: all of it or nothing. Rows already
 * there from an earlier import are left alone, so a second run writes nothing; a target holding
 * other rows under v1's ids is refused before anything is written. The target is migrated first.
 */
export async function importV1(
  db: Kysely<Database>,
  plan: V1ImportPlan,
  options: ImportV1Options,
): Promise<ImportV1Report> {
  if (options.isDryRun) {
    const status = await schemaStatusOrThrow(db)
    // Without our tables (a new database) there is nothing to compare with.
    const decision = await decideImport(status.applied.length > 0 ? db : undefined, plan)
    refuseConflicts(decision)
    return report(plan, decision, true, status.pending)
  }
  const applied = await migrateToLatest(db)
  try {
    return await db.transaction().execute(async (trx) => {
      const decision = await decideImport(trx, plan)
      refuseConflicts(decision)
      await write(trx, decision)
      return report(plan, decision, false, applied)
    })
  } catch (error) {
    if (error instanceof AppError) throw error
    throw new AppError(
      'internal',
      `the import failed and was rolled back, nothing was imported: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    )
  }
}

/** The target's schema, refused for the reasons `migrateToLatest` refuses it, without writing. */
async function schemaStatusOrThrow(db: Kysely<Database>): Promise<SchemaStatus> {
  const status = await schemaStatus(db)
  const foreign = foreignSchemaMessage(status.foreign)
  if (foreign)
    throw new AppError('foreign_schema', foreign, { details: { tables: status.foreign } })
  if (status.unknown.length > 0) {
    throw new AppError(
      'schema_too_new',
      `the target database schema is newer than this version of headless-pm knows (unknown migrations: ${status.unknown.join(', ')}); upgrade headless-pm`,
    )
  }
  return status
}

function refuseConflicts(decision: ImportDecision): void {
  if (decision.conflicts.length === 0) return
  const shown = decision.conflicts.slice(0, 10)
  const more =
    decision.conflicts.length > shown.length
      ? `; and ${decision.conflicts.length - shown.length} more`
      : ''
  throw new AppError(
    'conflict',
    `the target database holds other data under the ids of this v1 database (${shown.join('; ')}${more}). Nothing was written: import into an empty database, or one this v1 database was imported into before`,
    { details: { conflicts: decision.conflicts } },
  )
}

async function write(trx: Db, d: ImportDecision): Promise<void> {
  // Every kept id goes in before any generated one: on PostgreSQL a generated id comes from a
  // sequence that knows nothing of the ids written here until it is moved past them.
  const withIds: Record<SequencedTable, ReadonlyArray<Record<string, unknown>>> = {
    agents: d.agents.fresh.filter((a) => a.id !== undefined),
    epics: d.epics.fresh,
    features: d.features.fresh,
    tasks: d.tasks.fresh,
    documents: d.documents.fresh,
    mentions: d.mentions.fresh,
    services: d.services.fresh.filter((s) => s.id !== undefined),
    changelog: d.changelog.fresh,
  }
  for (const table of SEQUENCED_TABLES) await insertAll(trx, table, withIds[table])
  if (dialectOf(trx) === 'postgresql') {
    for (const table of SEQUENCED_TABLES)
      if (withIds[table].length > 0) await bumpSequence(trx, table)
  }
  await insertAll(
    trx,
    'agents',
    d.agents.fresh.filter((a) => a.id === undefined),
  )
  await insertAll(
    trx,
    'services',
    d.services.fresh.filter((s) => s.id === undefined),
  )
  await insertAll(trx, 'task_comments', d.comments.fresh)
  await insertAll(trx, 'changelog', d.lockNotes.fresh)
}

async function insertAll<T extends keyof Database>(
  trx: Db,
  table: T,
  rows: ReadonlyArray<Record<string, unknown>>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK_ROWS) as never)
      .execute()
  }
}

/**
 * Moves a serial's sequence past the largest id, never back: nextval() - 1 is where it stood
 * (a sequence ahead of max(id) had rows deleted, and their ids must not come back).
 */
async function bumpSequence(trx: Db, table: SequencedTable): Promise<void> {
  await sql`select setval(pg_get_serial_sequence(${table}, 'id'),
      greatest((select max(id) from ${sql.table(table)}), nextval(pg_get_serial_sequence(${table}, 'id')) - 1, 1))`.execute(
    trx,
  )
}

function report(
  plan: V1ImportPlan,
  d: ImportDecision,
  isDryRun: boolean,
  migrations: string[],
): ImportV1Report {
  // A row derived from a task (its notes, its lock) is never skipped on its own: the task is.
  const line = (
    from: string,
    to: string,
    read: number,
    part: { fresh: readonly unknown[]; present: number },
  ): ImportTableReport => ({
    from,
    to,
    read,
    imported: part.fresh.length,
    already_present: part.present,
    skipped: plan.skipped.filter((s) => s.table === from).length,
  })
  return {
    dry_run: isDryRun,
    migrations,
    tables: [
      line('agent', 'agents', plan.read.agent, d.agents),
      line('epic', 'epics', plan.read.epic, d.epics),
      line('feature', 'features', plan.read.feature, d.features),
      line('task', 'tasks', plan.read.task, d.tasks),
      line('task.notes', 'task_comments', plan.comments.length, d.comments),
      line('task.locked_by_id', 'changelog (lock dropped)', plan.lockNotes.length, d.lockNotes),
      line('document', 'documents', plan.read.document, d.documents),
      line('mention', 'mentions', plan.read.mention, d.mentions),
      line('service', 'services', plan.read.service, d.services),
      line('changelog', 'changelog', plan.read.changelog, d.changelog),
      line('taskevaluation', '(not imported)', plan.read.taskevaluation, { fresh: [], present: 0 }),
    ],
    skipped: plan.skipped,
    notes: plan.notes,
  }
}
