import { existsSync } from 'node:fs'

import { loadServerConfig, sqlitePath } from '../../config/index.js'
import type { ServerFlags } from '../../config/index.js'
import {
  connectDatabase,
  foreignSchemaMessage,
  migrateToLatest,
  schemaStatus,
} from '../../db/index.js'
import type { SchemaStatus } from '../../db/index.js'
import {
  importV1,
  mapV1,
  readV1,
  resolveV1Source,
  V1_SOURCE_FORMS,
} from '../../db/import-v1/index.js'
import type { ImportV1Report } from '../../db/import-v1/index.js'
import { CommandFailedError, UsageError } from '../exit-codes.js'

export type DbFlags = Pick<ServerFlags, 'dataDir' | 'databaseUrl'>

/** The database the server would use: flags, then DATABASE_URL (env or .env), then the data dir's SQLite file. */
function targetOf(flags: DbFlags): { databaseUrl: string; sqliteFile: string | undefined } {
  // eslint-disable-next-line no-restricted-properties -- entry point: hands env to the pure loader
  const config = loadServerConfig({ flags, env: process.env, cwd: process.cwd() })
  const isSqlite = config.databaseUrl.startsWith('sqlite:')
  return {
    databaseUrl: config.databaseUrl,
    sqliteFile: isSqlite ? sqlitePath(config.databaseUrl, process.cwd()) : undefined,
  }
}

async function withDatabase<T>(
  flags: DbFlags,
  work: (db: ReturnType<typeof connectDatabase>['db']) => Promise<T>,
  options: { isReadOnly?: boolean } = {},
): Promise<T> {
  const target = targetOf(flags)
  // Opening a SQLite file creates it: a look that must write nothing uses an empty in-memory one instead.
  const isMissingFile =
    target.sqliteFile !== undefined &&
    target.sqliteFile !== ':memory:' &&
    !existsSync(target.sqliteFile)
  const { db } = connectDatabase({
    databaseUrl: target.databaseUrl,
    sqliteFile: options.isReadOnly && isMissingFile ? ':memory:' : target.sqliteFile,
    pgPoolSize: 2,
  })
  try {
    return await work(db)
  } finally {
    await db.destroy()
  }
}

/** `hpm db status`: applied, pending and unknown (newer) migrations. Fails when the schema is newer. */
export async function dbStatus(
  flags: DbFlags,
): Promise<SchemaStatus & { state: 'current' | 'behind' | 'newer' }> {
  const status = await withDatabase(flags, (db) => schemaStatus(db))
  const foreign = foreignSchemaMessage(status.foreign)
  if (foreign) throw new CommandFailedError(foreign)
  if (status.unknown.length > 0) {
    throw new CommandFailedError(
      `the database schema is newer than this headless-pm (unknown migrations: ${status.unknown.join(', ')}); upgrade headless-pm`,
    )
  }
  return { ...status, state: status.pending.length > 0 ? 'behind' : 'current' }
}

/** `hpm db migrate`: applies pending migrations (hpm serve also does this on start). */
export async function dbMigrate(flags: DbFlags): Promise<{ applied: string[] }> {
  return { applied: await withDatabase(flags, (db) => migrateToLatest(db)) }
}

export interface ImportV1Flags extends DbFlags {
  dryRun?: boolean
}

/** What `hpm db import-v1` prints: the report, with where the data came from and went. */
export type ImportV1Result = ImportV1Report & { source: string; target: string }

/**
 * `hpm db import-v1 <source>`: copies a v1 database into this one (migrated first), in one
 * transaction; `--dry-run` reports the same counts and writes nothing.
 */
export async function dbImportV1(spec: string, flags: ImportV1Flags): Promise<ImportV1Result> {
  const source = resolveV1Source(spec, process.cwd())
  if (source.kind === 'unsupported') {
    throw new UsageError(
      `cannot import a v1 database from a ${source.scheme}:// URL; give one of: ${V1_SOURCE_FORMS.join(', ')}`,
    )
  }
  // The source is read in full before the target is opened: a bad source leaves the target untouched.
  const plan = mapV1(await readV1(source), { now: new Date().toISOString() })
  const isDryRun = flags.dryRun === true
  const report = await withDatabase(flags, (db) => importV1(db, plan, { isDryRun }), {
    isReadOnly: isDryRun,
  })
  const target = targetOf(flags)
  return {
    source: source.kind === 'sqlite' ? source.path : withoutPassword(source.url),
    target: target.sqliteFile ?? withoutPassword(target.databaseUrl),
    ...report,
  }
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return url
  }
}

/** The import report for a terminal: one line per table, then what was skipped and why. */
export function importV1View(result: ImportV1Result): string {
  const headers = [
    'v1',
    'here',
    'read',
    result.dry_run ? 'to import' : 'imported',
    'already present',
    'skipped',
  ]
  const rows = result.tables.map((t) =>
    [t.from, t.to, t.read, t.imported, t.already_present, t.skipped].map(String),
  )
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  const imported = result.tables.reduce((n, t) => n + t.imported, 0)
  const lines = [
    result.dry_run
      ? `dry run: would import ${imported} row(s) from ${result.source} into ${result.target}; nothing was written`
      : `imported ${imported} row(s) from ${result.source} into ${result.target}`,
  ]
  if (result.migrations.length > 0)
    lines.push(
      `${result.dry_run ? 'would apply' : 'applied'} migrations first: ${result.migrations.join(', ')}`,
    )
  lines.push('', line(headers), ...rows.map(line))
  if (result.skipped.length > 0) {
    lines.push(
      '',
      'skipped (not imported):',
      ...result.skipped.map((s) => `  ${s.table} ${s.id ?? '?'}: ${s.reason}`),
    )
  }
  if (result.notes.length > 0) lines.push('', 'notes:', ...result.notes.map((n) => `  ${n}`))
  return lines.join('\n')
}
