import type { MentionResponse } from '../contract/index.js'
import { AppError, extractMentions, mentionedRole } from '../domain/index.js'
import type { Db, MentionRow } from './database.js'
import { recordEvent } from './events-repository.js'

type MentionWithTitles = MentionRow & { document_title: string | null; task_title: string | null }

export function rowToMention(row: MentionWithTitles): MentionResponse {
  return {
    id: row.id,
    document_id: row.document_id,
    task_id: row.task_id,
    mentioned_agent_id: row.mentioned_agent_id,
    created_by: row.created_by,
    is_read: row.is_read === 1,
    created_at: row.created_at,
    document_title: row.document_title,
    task_title: row.task_title,
  }
}

/**
 * The agent ids `text` notifies: plain `@id` as written (v1 did not check them), and `@role`
 * expanded to every registered agent of that role except the author.
 */
export async function resolveMentionTargets(
  db: Db,
  text: string,
  authorId: string,
): Promise<string[]> {
  const targets = new Set<string>()
  for (const id of extractMentions(text)) {
    const role = mentionedRole(id)
    if (!role) {
      targets.add(id)
      continue
    }
    const rows = await db
      .selectFrom('agents')
      .select('agent_id')
      .where((eb) => eb.or([eb('role', '=', role), eb('agent_id', '=', id)]))
      .execute()
    for (const r of rows) if (r.agent_id !== authorId) targets.add(r.agent_id)
  }
  return [...targets].sort()
}

export async function createMentions(
  db: Db,
  source: { documentId?: number; taskId?: number },
  targets: readonly string[],
  createdBy: string,
  now: string,
): Promise<void> {
  for (const target of targets) {
    const row = await db
      .insertInto('mentions')
      .values({
        document_id: source.documentId ?? null,
        task_id: source.taskId ?? null,
        mentioned_agent_id: target,
        created_by: createdBy,
        is_read: 0,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordEvent(
      db,
      'mention_created',
      {
        mention_id: row.id,
        mentioned_agent_id: target,
        created_by: createdBy,
        document_id: source.documentId ?? null,
        task_id: source.taskId ?? null,
      },
      now,
    )
  }
}

function selectMentions(db: Db) {
  return db
    .selectFrom('mentions')
    .leftJoin('documents', 'documents.id', 'mentions.document_id')
    .leftJoin('tasks', 'tasks.id', 'mentions.task_id')
    .selectAll('mentions')
    .select(['documents.title as document_title', 'tasks.title as task_title'])
}

export interface MentionFilter {
  agentIds?: readonly string[]
  unreadOnly: boolean
  limit: number
}

export async function listMentions(db: Db, filter: MentionFilter): Promise<MentionResponse[]> {
  if (filter.agentIds && filter.agentIds.length === 0) return []
  let q = selectMentions(db)
  if (filter.agentIds) q = q.where('mentions.mentioned_agent_id', 'in', [...filter.agentIds])
  if (filter.unreadOnly) q = q.where('mentions.is_read', '=', 0)
  const rows = await q
    .orderBy('mentions.created_at', 'desc')
    .orderBy('mentions.id', 'desc')
    .limit(filter.limit)
    .execute()
  return rows.map(rowToMention)
}

export async function markMentionRead(
  db: Db,
  mentionId: number,
  agentId: string,
  now: string,
): Promise<MentionResponse> {
  const row = await selectMentions(db).where('mentions.id', '=', mentionId).executeTakeFirst()
  if (!row) throw new AppError('not_found', 'Mention not found')
  if (row.mentioned_agent_id !== agentId) {
    throw new AppError('forbidden', 'Cannot mark mentions for other agents as read')
  }
  if (row.is_read === 0) {
    await db.updateTable('mentions').set({ is_read: 1 }).where('id', '=', mentionId).execute()
    await recordEvent(
      db,
      'mention_read',
      { mention_id: mentionId, mentioned_agent_id: agentId },
      now,
    )
  }
  return rowToMention({ ...row, is_read: 1 })
}

export async function mentionedIdsOfDocument(db: Db, documentId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('mentions')
    .select('mentioned_agent_id')
    .distinct()
    .where('document_id', '=', documentId)
    .orderBy('mentioned_agent_id')
    .execute()
  return rows.map((r) => r.mentioned_agent_id)
}
