import type {
  CreateDocumentRequest,
  DocumentResponse,
  ListDocumentsQuery,
  UpdateDocumentRequest,
} from '../contract/index.js'
import { AppError } from '../domain/index.js'
import type { Db, DocumentRow } from './database.js'
import { recordEvent } from './events-repository.js'
import { fromJsonText, toJsonText } from './json.js'
import {
  createMentions,
  mentionedIdsOfDocument,
  resolveMentionTargets,
} from './mentions-repository.js'

export function rowToDocument(row: DocumentRow, mentions: string[]): DocumentResponse {
  return {
    id: row.id,
    doc_type: row.doc_type,
    author_id: row.author_id,
    title: row.title,
    content: row.content,
    meta_data: fromJsonText(row.meta_data),
    created_at: row.created_at,
    updated_at: row.updated_at,
    expires_at: row.expires_at,
    mentions,
  }
}

function notFound(id: number): AppError {
  return new AppError(
    'not_found',
    `Document with ID ${id} not found. Please verify the document ID exists.`,
  )
}

export async function getDocumentOrThrow(db: Db, id: number): Promise<DocumentResponse> {
  const row = await db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound(id)
  return rowToDocument(row, await mentionedIdsOfDocument(db, id))
}

export async function createDocument(
  db: Db,
  input: CreateDocumentRequest,
  authorId: string,
  now: string,
): Promise<DocumentResponse> {
  const row = await db
    .insertInto('documents')
    .values({
      doc_type: input.doc_type,
      author_id: authorId,
      title: input.title,
      content: input.content,
      meta_data: toJsonText(input.meta_data),
      created_at: now,
      updated_at: now,
      expires_at: input.expires_at ? new Date(input.expires_at).toISOString() : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await recordEvent(
    db,
    'document_created',
    { document_id: row.id, doc_type: row.doc_type, title: row.title, author_id: authorId },
    now,
  )
  const targets = await resolveMentionTargets(db, input.content, authorId)
  await createMentions(db, { documentId: row.id }, targets, authorId, now)
  return rowToDocument(row, targets)
}

export async function listDocuments(
  db: Db,
  query: ListDocumentsQuery,
): Promise<DocumentResponse[]> {
  let q = db.selectFrom('documents').selectAll()
  if (query.doc_type) q = q.where('doc_type', '=', query.doc_type)
  if (query.author_id) q = q.where('author_id', '=', query.author_id)
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit)
    .execute()
  if (rows.length === 0) return []
  const mentionRows = await db
    .selectFrom('mentions')
    .select(['document_id', 'mentioned_agent_id'])
    .where(
      'document_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute()
  const byDoc = new Map<number, Set<string>>()
  for (const m of mentionRows) {
    if (m.document_id === null) continue
    const set = byDoc.get(m.document_id) ?? new Set<string>()
    set.add(m.mentioned_agent_id)
    byDoc.set(m.document_id, set)
  }
  return rows.map((r) => rowToDocument(r, [...(byDoc.get(r.id) ?? [])].sort()))
}

/**
 * Replaces the given fields. New content re-derives the mentions, keeping the read state of
 * agents still mentioned (v1 recreated them all as unread) and notifying only new ones.
 */
export async function updateDocument(
  db: Db,
  id: number,
  input: UpdateDocumentRequest,
  actor: string,
  now: string,
): Promise<DocumentResponse> {
  const existing = await db
    .selectFrom('documents')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  if (!existing) throw notFound(id)
  const changes: Partial<DocumentRow> = { updated_at: now }
  if (input.title != null) changes.title = input.title
  if (input.content != null) changes.content = input.content
  if (input.meta_data != null) changes.meta_data = toJsonText(input.meta_data)
  const row = await db
    .updateTable('documents')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  if (input.content != null) {
    const targets = await resolveMentionTargets(db, input.content, existing.author_id)
    const current = await mentionedIdsOfDocument(db, id)
    const gone = current.filter((t) => !targets.includes(t))
    if (gone.length > 0) {
      await db
        .deleteFrom('mentions')
        .where('document_id', '=', id)
        .where('mentioned_agent_id', 'in', gone)
        .execute()
    }
    await createMentions(
      db,
      { documentId: id },
      targets.filter((t) => !current.includes(t)),
      existing.author_id,
      now,
    )
  }
  await recordEvent(
    db,
    'document_updated',
    {
      document_id: id,
      doc_type: row.doc_type,
      title: row.title,
      author_id: row.author_id,
      updated_by: actor,
    },
    now,
  )
  return rowToDocument(row, await mentionedIdsOfDocument(db, id))
}

export async function deleteDocument(
  db: Db,
  id: number,
  actor: string,
  now: string,
): Promise<void> {
  const existing = await db
    .selectFrom('documents')
    .select(['id', 'title'])
    .where('id', '=', id)
    .executeTakeFirst()
  if (!existing) throw notFound(id)
  await db.deleteFrom('mentions').where('document_id', '=', id).execute()
  await db.deleteFrom('documents').where('id', '=', id).execute()
  await recordEvent(
    db,
    'document_deleted',
    { document_id: id, title: existing.title, deleted_by: actor },
    now,
  )
}

export async function countDocuments(db: Db): Promise<number> {
  const row = await db
    .selectFrom('documents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
