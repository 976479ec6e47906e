import { z } from 'zod'

import { parseSince } from './changes.js'
import { AgentId, limitParam, MetaData, StoredMetaData, Timestamp } from './common.js'
import type { ClientInput } from './common.js'
import { DocumentType } from './enums.js'

/** Longest document content accepted, on create and on update. */
export const MAX_DOCUMENT_CHARS = 50_000

const Title = z.string().max(200, 'must be at most 200 characters')

/**
 * An ISO-8601 date-time, with or without offset (none = UTC, as v1 wrote and read them), stored as
 * UTC with `Z`. Unlike `since`, a bare number is not taken as a Unix time.
 */
const ExpiresAt = z
  .string()
  .meta({ format: 'date-time' })
  .transform((raw, ctx) => {
    const date = /^\d+(\.\d+)?$/.test(raw.trim()) ? undefined : parseSince(raw)
    if (!date) {
      ctx.addIssue({ code: 'custom', message: `must be an ISO-8601 date-time, got '${raw}'` })
      return z.NEVER
    }
    return date.toISOString()
  })

export const CreateDocumentRequest = z.object({
  doc_type: DocumentType,
  title: Title,
  // The length limit is checked by the handler so the answer is v1's 400, not a 422.
  content: z.string(),
  meta_data: MetaData.nullish(),
  expires_at: ExpiresAt.nullish(),
})
export type CreateDocumentRequest = z.infer<typeof CreateDocumentRequest>

export const UpdateDocumentRequest = z.object({
  title: Title.nullish(),
  content: z.string().nullish(),
  meta_data: MetaData.nullish(),
})
export type UpdateDocumentRequest = z.infer<typeof UpdateDocumentRequest>

export const DocumentResponse = z.object({
  id: z.number().int(),
  doc_type: DocumentType,
  author_id: z.string(),
  title: z.string(),
  content: z.string(),
  meta_data: StoredMetaData.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
  expires_at: Timestamp.nullable(),
  /** Agent ids mentioned in the content (after role expansion), sorted. */
  mentions: z.array(z.string()),
})
export type DocumentResponse = z.infer<typeof DocumentResponse>

export const AuthorQuery = z.object({ author_id: AgentId })

export const ListDocumentsQuery = z.object({
  doc_type: DocumentType.optional(),
  author_id: AgentId.optional(),
  limit: limitParam(1000),
})
export type ListDocumentsQuery = z.infer<typeof ListDocumentsQuery>
export type ListDocumentsQueryInput = ClientInput<typeof ListDocumentsQuery>
