import type { Insertable } from 'kysely'

import type { AgentTable, ChangelogTable, Db, ServiceTable, TaskCommentTable } from '../database.js'
import { V1_IMPORT_AUTHOR } from './map-v1.js'
import type { V1ImportPlan, WithId } from './map-v1.js'

/** Rows of one table to write, and how many are already there. */
export interface Part<R> {
  fresh: R[]
  present: number
}

/** The plan checked against the target: what is new, what an earlier import wrote, what clashes. */
export interface ImportDecision {
  /** Agents and services are referred to by name, not id: an id taken by another row is dropped. */
  agents: Part<Insertable<AgentTable>>
  services: Part<Insertable<ServiceTable>>
  epics: Part<V1ImportPlan['epics'][number]>
  features: Part<V1ImportPlan['features'][number]>
  tasks: Part<V1ImportPlan['tasks'][number]>
  documents: Part<V1ImportPlan['documents'][number]>
  mentions: Part<V1ImportPlan['mentions'][number]>
  changelog: Part<WithId<ChangelogTable>>
  comments: Part<Insertable<TaskCommentTable>>
  lockNotes: Part<Insertable<ChangelogTable>>
  /** `table id: here …, in v1 …` for each id the target uses for something else. */
  conflicts: string[]
}

type IdTable = 'epics' | 'features' | 'tasks' | 'documents' | 'mentions' | 'changelog'

// The columns that say "this is the same row": what an earlier import wrote and nobody changes
// afterwards (a task's status or a document's content may well have moved on since).
const SAME_ROW: Record<IdTable, readonly string[]> = {
  epics: ['name', 'created_at'],
  features: ['epic_id', 'name'],
  tasks: ['feature_id', 'title', 'created_at'],
  documents: ['title', 'created_at'],
  mentions: ['mentioned_agent_id', 'document_id', 'task_id', 'created_at'],
  changelog: ['task_id', 'changed_at'],
}
const CHUNK_IDS = 500

/**
 * Compares the plan with what the target holds. `db` undefined means a target without our tables
 * yet: everything is new.
 */
export async function decideImport(
  db: Db | undefined,
  plan: V1ImportPlan,
): Promise<ImportDecision> {
  const conflicts: string[] = []
  const byId = async <R extends { id: number }>(table: IdTable, rows: R[]): Promise<Part<R>> => {
    const existing = db
      ? await rowsById(
          db,
          table,
          rows.map((r) => r.id),
        )
      : new Map<number, Record<string, unknown>>()
    const part: Part<R> = { fresh: [], present: 0 }
    for (const row of rows) {
      const there = existing.get(row.id)
      if (!there) {
        part.fresh.push(row)
        continue
      }
      const ours = keyOf(table, there)
      const theirs = keyOf(table, row)
      if (ours === theirs) part.present += 1
      else conflicts.push(`${table} ${row.id}: here ${ours}, in v1 ${theirs}`)
    }
    return part
  }
  const tasks = await byId('tasks', plan.tasks)
  const freshTasks = new Set(tasks.fresh.map((t) => t.id))
  const presentTasks = new Set(plan.tasks.map((t) => t.id).filter((id) => !freshTasks.has(id)))
  return {
    agents: await byName(db, 'agents', plan.agents, (a) => a.agent_id),
    services: await byName(db, 'services', plan.services, (s) => s.service_name),
    epics: await byId('epics', plan.epics),
    features: await byId('features', plan.features),
    tasks,
    documents: await byId('documents', plan.documents),
    mentions: await byId('mentions', plan.mentions),
    changelog: await byId('changelog', plan.changelog),
    comments: await derived(
      db,
      plan.comments,
      presentTasks,
      (trx, ids) =>
        trx
          .selectFrom('task_comments')
          .select(['task_id', 'body as text'])
          .where('task_id', 'in', ids)
          .execute(),
      (c) => c.body,
    ),
    lockNotes: await derived(
      db,
      plan.lockNotes,
      presentTasks,
      (trx, ids) =>
        trx
          .selectFrom('changelog')
          .select(['task_id', 'notes as text'])
          .where('task_id', 'in', ids)
          .where('changed_by', '=', V1_IMPORT_AUTHOR)
          .execute(),
      (c) => c.notes ?? '',
    ),
    conflicts,
  }
}

function keyOf(table: IdTable, row: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(SAME_ROW[table].map((column) => row[column] ?? null))
}

async function rowsById(
  db: Db,
  table: IdTable,
  ids: number[],
): Promise<Map<number, Record<string, unknown>>> {
  const found = new Map<number, Record<string, unknown>>()
  for (let i = 0; i < ids.length; i += CHUNK_IDS) {
    const rows = (await db
      .selectFrom(table)
      .select(['id', ...SAME_ROW[table]] as never[])
      .where('id', 'in', ids.slice(i, i + CHUNK_IDS))
      .execute()) as Array<Record<string, unknown> & { id: number }>
    for (const row of rows) found.set(Number(row.id), row)
  }
  return found
}

/** Agents and services by their unique name; a v1 id already used by another row is left to the database. */
async function byName<R extends { id: number }>(
  db: Db | undefined,
  table: 'agents' | 'services',
  rows: R[],
  nameOf: (row: R) => string,
): Promise<Part<Omit<R, 'id'> & { id?: number }>> {
  const names = new Set<string>()
  const takenIds = new Set<number>()
  for (let i = 0; db && i < rows.length; i += CHUNK_IDS) {
    const chunk = rows.slice(i, i + CHUNK_IDS)
    const wanted = chunk.map(nameOf)
    const named =
      table === 'agents'
        ? await db
            .selectFrom('agents')
            .select('agent_id as name')
            .where('agent_id', 'in', wanted)
            .execute()
        : await db
            .selectFrom('services')
            .select('service_name as name')
            .where('service_name', 'in', wanted)
            .execute()
    for (const r of named) names.add(r.name)
    const ids = await db
      .selectFrom(table)
      .select('id')
      .where(
        'id',
        'in',
        chunk.map((r) => r.id),
      )
      .execute()
    for (const r of ids) takenIds.add(Number(r.id))
  }
  const part: Part<Omit<R, 'id'> & { id?: number }> = { fresh: [], present: 0 }
  for (const row of rows) {
    if (names.has(nameOf(row))) {
      part.present += 1
    } else if (takenIds.has(row.id)) {
      const { id: _taken, ...withoutId } = row
      part.fresh.push(withoutId)
    } else {
      part.fresh.push(row)
    }
  }
  return part
}

/**
 * Rows that exist only because of a task (its notes as a comment, a dropped-lock note): new with a
 * new task; for a task already there, new only when no row with the same text is there.
 */
async function derived<R extends { task_id: number }>(
  db: Db | undefined,
  rows: R[],
  presentTasks: ReadonlySet<number>,
  select: (db: Db, taskIds: number[]) => Promise<Array<{ task_id: number; text: string | null }>>,
  textOf: (row: R) => string,
): Promise<Part<R>> {
  const ids = [...new Set(rows.map((r) => r.task_id).filter((id) => presentTasks.has(id)))]
  const there = new Set<string>()
  for (let i = 0; db && i < ids.length; i += CHUNK_IDS) {
    for (const r of await select(db, ids.slice(i, i + CHUNK_IDS)))
      there.add(JSON.stringify([Number(r.task_id), r.text]))
  }
  const part: Part<R> = { fresh: [], present: 0 }
  for (const row of rows) {
    if (there.has(JSON.stringify([row.task_id, textOf(row)]))) part.present += 1
    else part.fresh.push(row)
  }
  return part
}
