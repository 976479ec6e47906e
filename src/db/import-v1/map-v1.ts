import type { Insertable } from 'kysely'

import {
  AGENT_ROLES,
  CONNECTION_TYPES,
  DOCUMENT_TYPES,
  SERVICE_STATUSES,
  SKILL_LEVELS,
  TASK_COMPLEXITIES,
  TASK_STATUSES,
} from '../../contract/index.js'
import type { TaskStatus } from '../../contract/index.js'
import type {
  AgentTable,
  ChangelogTable,
  DocumentTable,
  EpicTable,
  FeatureTable,
  MentionTable,
  ServiceTable,
  TaskCommentTable,
  TaskTable,
} from '../database.js'
import type { V1Row, V1Snapshot, V1Table } from './v1-schema.js'
import { v1Fields } from './v1-fields.js'
import type { V1Fields } from './v1-fields.js'

/** Who the import writes as, where v1 names nobody. */
export const V1_IMPORT_AUTHOR = 'v1-import'

/** A row with the id it had in v1: kept, so references stay right. */
export type WithId<T> = Insertable<T> & { id: number }

/** A v1 row left out, and why. `id` is the v1 id. */
export interface SkippedRow {
  table: V1Table
  id: number | null
  reason: string
}

/** Everything the import would write, computed from v1 rows alone (no database access). */
export interface V1ImportPlan {
  agents: Array<WithId<AgentTable>>
  epics: Array<WithId<EpicTable>>
  features: Array<WithId<FeatureTable>>
  tasks: Array<WithId<TaskTable>>
  /** v1 `task.notes`, each the first comment of its task. */
  comments: Array<Insertable<TaskCommentTable>>
  documents: Array<WithId<DocumentTable>>
  mentions: Array<WithId<MentionTable>>
  services: Array<WithId<ServiceTable>>
  changelog: Array<WithId<ChangelogTable>>
  /** One changelog row per dropped v1 lock. */
  lockNotes: Array<Insertable<ChangelogTable>>
  /** Rows read per v1 table. */
  read: Record<V1Table, number>
  skipped: SkippedRow[]
  /** What changed on the way in that a reader should know (dropped locks, unknown creators). */
  notes: string[]
}

export interface MapV1Options {
  /** When the import runs (ISO): the time of the dropped-lock changelog rows. */
  now: string
}

// Our varchar limits: PostgreSQL enforces them, so a longer value is reported here on both dialects.
const ID_LENGTH = 100
const TITLE_LENGTH = 200

/** The note written to the changelog for a v1 lock the import drops. */
export function lockDroppedNote(holder: string): string {
  return `v1 lock by ${holder} dropped on import`
}

/** Maps a v1 snapshot to our rows: enums lower-cased and checked, timestamps to ISO, locks dropped. */
export function mapV1(v1: V1Snapshot, options: MapV1Options): V1ImportPlan {
  const plan: V1ImportPlan = {
    agents: [],
    epics: [],
    features: [],
    tasks: [],
    comments: [],
    documents: [],
    mentions: [],
    services: [],
    changelog: [],
    lockNotes: [],
    read: Object.fromEntries(
      Object.entries(v1).map(([table, rows]) => [table, rows.length]),
    ) as Record<V1Table, number>,
    skipped: [],
    notes: [],
  }
  // Collects a row, or reports it skipped with every problem it has.
  const take = <T extends V1Table, R>(
    table: T,
    row: V1Row<T>,
    map: (f: V1Fields) => R | string,
    into: R[],
  ): R | undefined => {
    const f = v1Fields(row)
    const mapped = map(f)
    const { id: v1Id } = row as { id?: unknown }
    const id = typeof v1Id === 'number' ? v1Id : null
    if (typeof mapped === 'string' || f.problems.length > 0) {
      plan.skipped.push({
        table,
        id,
        reason: typeof mapped === 'string' ? mapped : f.problems.join('; '),
      })
      return undefined
    }
    into.push(mapped)
    return mapped
  }

  // Tasks name agents by v1's integer id; ours by the agent_id string, whether or not the agent itself maps.
  const agentIds = new Map<unknown, string>(
    v1.agent.filter((a) => typeof a.agent_id === 'string').map((a) => [a.id, a.agent_id as string]),
  )

  for (const row of v1.agent) {
    take(
      'agent',
      row,
      (f) => {
        const lastSeen = f.time('last_seen')
        return {
          id: f.id(),
          agent_id: f.text('agent_id', { maxLength: ID_LENGTH, isBlankAllowed: false }),
          role: f.choice('role', AGENT_ROLES),
          level: f.choice('level', SKILL_LEVELS),
          connection_type: f.optionalChoice('connection_type', CONNECTION_TYPES),
          last_seen: lastSeen,
          // v1 kept no creation time for agents.
          created_at: lastSeen,
        }
      },
      plan.agents,
    )
  }

  const epicTimes = new Map<number, string>()
  for (const row of v1.epic) {
    const epic = take(
      'epic',
      row,
      (f) => ({
        id: f.id(),
        name: f.text('name'),
        description: f.optionalText('description') ?? '',
        created_at: f.time('created_at'),
      }),
      plan.epics,
    )
    if (epic) epicTimes.set(epic.id, epic.created_at)
  }

  const featureIds = new Set<number>()
  for (const row of v1.feature) {
    const feature = take(
      'feature',
      row,
      (f) => {
        const epicId = f.int('epic_id')
        const epicTime = epicTimes.get(epicId)
        if (f.problems.length === 0 && epicTime === undefined)
          return `its epic ${epicId} was not imported`
        return {
          id: f.id(),
          epic_id: epicId,
          name: f.text('name'),
          description: f.optionalText('description') ?? '',
          // v1 kept no creation time for features; a feature is no older than its epic.
          created_at: epicTime ?? '',
        }
      },
      plan.features,
    )
    if (feature) featureIds.add(feature.id)
  }

  const changelogByTask = new Map<unknown, Array<V1Row<'changelog'>>>()
  for (const change of v1.changelog)
    changelogByTask.set(change.task_id, [...(changelogByTask.get(change.task_id) ?? []), change])
  const taskIds = new Set<number>()
  for (const row of v1.task) {
    const task = take(
      'task',
      row,
      (f) => {
        const featureId = f.int('feature_id')
        const status = f.choice('status', TASK_STATUSES)
        // Checked here, used below once the row is known to be sound.
        f.optionalInt('locked_by_id')
        if (f.problems.length === 0 && !featureIds.has(featureId))
          return `its feature ${featureId} was not imported`
        return {
          id: f.id(),
          feature_id: featureId,
          title: f.text('title'),
          description: f.optionalText('description') ?? '',
          created_by: agentIds.get(f.int('created_by_id')) ?? V1_IMPORT_AUTHOR,
          target_role: f.choice('target_role', AGENT_ROLES),
          difficulty: f.choice('difficulty', SKILL_LEVELS),
          complexity: f.choice('complexity', TASK_COMPLEXITIES),
          branch: f.text('branch'),
          status,
          // v1 locks are not carried over: a v1 agent that held one is not running against this
          // server, and our leases and one-task-per-agent rule would not know it.
          locked_by: null,
          locked_at: null,
          lease_expires_at: null,
          claimed_from:
            status === 'under_work' ? claimedFrom(changelogByTask.get(row.id) ?? []) : null,
          priority: 0,
          attempts: 0,
          notes: f.optionalText('notes'),
          created_at: f.time('created_at'),
          updated_at: f.time('updated_at'),
        }
      },
      plan.tasks,
    )
    if (!task) continue
    taskIds.add(task.id)
    if (task.created_by === V1_IMPORT_AUTHOR) {
      plan.notes.push(
        `task ${task.id}: its creator (v1 agent ${String(row.created_by_id)}) is not in the v1 database; created_by is ${V1_IMPORT_AUTHOR}`,
      )
    }
    if (typeof task.notes === 'string' && task.notes.trim() !== '') {
      plan.comments.push({
        task_id: task.id,
        author_id: task.created_by,
        kind: 'comment',
        body: task.notes,
        created_at: task.updated_at,
      })
    }
    if (typeof row.locked_by_id === 'number') {
      const note = lockDroppedNote(agentIds.get(row.locked_by_id) ?? `v1 agent ${row.locked_by_id}`)
      plan.lockNotes.push({
        task_id: task.id,
        old_status: task.status,
        new_status: task.status,
        changed_by: V1_IMPORT_AUTHOR,
        notes: note,
        changed_at: options.now,
      })
      plan.notes.push(`task ${task.id}: ${note}`)
      if (task.status === 'under_work') {
        plan.notes.push(
          `task ${task.id} stays under_work with nobody holding it: move it on with hpm tasks status ${task.id} --status created (or dev_done)`,
        )
      }
    }
  }

  const documentIds = new Set<number>()
  for (const row of v1.document) {
    const document = take(
      'document',
      row,
      (f) => ({
        id: f.id(),
        doc_type: f.choice('doc_type', DOCUMENT_TYPES),
        author_id: f.text('author_id', { maxLength: ID_LENGTH }),
        title: f.text('title', { maxLength: TITLE_LENGTH }),
        content: f.optionalText('content') ?? '',
        meta_data: f.json('meta_data'),
        created_at: f.time('created_at'),
        updated_at: f.time('updated_at'),
        expires_at: f.optionalTime('expires_at'),
      }),
      plan.documents,
    )
    if (document) documentIds.add(document.id)
  }

  for (const row of v1.mention) {
    take(
      'mention',
      row,
      (f) => {
        const documentId = f.optionalInt('document_id')
        const taskId = f.optionalInt('task_id')
        if (f.problems.length === 0) {
          if (documentId === null && taskId === null)
            return 'it names neither a document nor a task'
          if (documentId !== null && !documentIds.has(documentId))
            return `its document ${documentId} was not imported`
          if (taskId !== null && !taskIds.has(taskId)) return `its task ${taskId} was not imported`
        }
        return {
          id: f.id(),
          document_id: documentId,
          task_id: taskId,
          mentioned_agent_id: f.text('mentioned_agent_id', { maxLength: ID_LENGTH }),
          created_by: f.text('created_by', { maxLength: ID_LENGTH }),
          is_read: f.bool01('is_read'),
          created_at: f.time('created_at'),
        }
      },
      plan.mentions,
    )
  }

  for (const row of v1.service) {
    take(
      'service',
      row,
      (f) => ({
        id: f.id(),
        service_name: f.text('service_name', { maxLength: ID_LENGTH, isBlankAllowed: false }),
        owner_agent_id: f.text('owner_agent_id', { maxLength: ID_LENGTH }),
        ping_url: f.text('ping_url'),
        port: f.optionalInt('port'),
        status: f.choice('status', SERVICE_STATUSES),
        last_heartbeat: f.optionalTime('last_heartbeat'),
        last_ping_at: f.optionalTime('last_ping_at'),
        last_ping_success: f.optionalBool01('last_ping_success'),
        meta_data: f.json('meta_data'),
        updated_at: f.time('updated_at'),
      }),
      plan.services,
    )
  }

  for (const row of v1.changelog) {
    take(
      'changelog',
      row,
      (f) => {
        const taskId = f.int('task_id')
        if (f.problems.length === 0 && !taskIds.has(taskId))
          return `its task ${taskId} was not imported`
        return {
          id: f.id(),
          task_id: taskId,
          old_status: f.optionalChoice('old_status', TASK_STATUSES),
          new_status: f.optionalChoice('new_status', TASK_STATUSES),
          changed_by: f.text('changed_by', { maxLength: ID_LENGTH }),
          notes: f.optionalText('notes'),
          changed_at: f.time('changed_at'),
        }
      },
      plan.changelog,
    )
  }

  for (const row of v1.taskevaluation) {
    plan.skipped.push({
      table: 'taskevaluation',
      id: typeof row.id === 'number' ? row.id : null,
      reason: `v1's legacy task evaluations have no counterpart here (task ${String(row.task_id)})`,
    })
  }
  return plan
}

/**
 * The status an `under_work` task was claimed from, read from its last move into `under_work`, so
 * that our status machine offers the right next steps (QA work goes on to qa_done).
 */
function claimedFrom(changes: ReadonlyArray<V1Row<'changelog'>>): TaskStatus | null {
  const moves = changes
    .filter((c) => typeof c.new_status === 'string' && c.new_status.toLowerCase() === 'under_work')
    .sort(
      (a, b) =>
        String(a.changed_at).localeCompare(String(b.changed_at)) || Number(a.id) - Number(b.id),
    )
  const from = moves.at(-1)?.old_status
  const status = typeof from === 'string' ? from.toLowerCase() : undefined
  return status === 'created' || status === 'dev_done' ? status : null
}
