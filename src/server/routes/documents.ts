import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

import {
  AgentId,
  AuthorQuery,
  CreateDocumentRequest,
  DocumentResponse,
  Id,
  ListDocumentsQuery,
  MAX_DOCUMENT_CHARS,
  MessageResponse,
  UpdateDocumentRequest,
} from '../../contract/index.js'
import { createDocument, deleteDocument, getDocumentOrThrow, listDocuments, updateDocument } from '../../db/index.js'
import { AppError } from '../../domain/index.js'
import type { ServerDeps } from '../deps.js'

const DocumentParams = z.object({ document_id: Id })
/** v1 had no actor on edits; an optional `agent_id` now attributes them in the activity feed. */
const ActorQuery = z.object({ agent_id: AgentId.optional() })

function assertContentLength(content: string | null | undefined): void {
  if (content != null && content.length > MAX_DOCUMENT_CHARS) {
    throw new AppError('content_too_long', 'Document content exceeds maximum length of 50,000 characters')
  }
}

export function documentRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/documents',
      { schema: { tags: ['documents'], querystring: AuthorQuery, body: CreateDocumentRequest, response: { 200: DocumentResponse } } },
      async (request) => {
        assertContentLength(request.body.content)
        const { now } = deps.leaseNow()
        return deps.mutate((trx) => createDocument(trx, request.body, request.query.author_id, now))
      },
    )

    app.get(
      '/documents',
      { schema: { tags: ['documents'], querystring: ListDocumentsQuery, response: { 200: z.array(DocumentResponse) } } },
      (request) => listDocuments(deps.db, request.query),
    )

    app.get(
      '/documents/:document_id',
      { schema: { tags: ['documents'], params: DocumentParams, response: { 200: DocumentResponse } } },
      (request) => getDocumentOrThrow(deps.db, request.params.document_id),
    )

    app.put(
      '/documents/:document_id',
      { schema: { tags: ['documents'], params: DocumentParams, querystring: ActorQuery, body: UpdateDocumentRequest, response: { 200: DocumentResponse } } },
      async (request) => {
        assertContentLength(request.body.content)
        const { now } = deps.leaseNow()
        return deps.mutate((trx) =>
          updateDocument(trx, request.params.document_id, request.body, request.query.agent_id ?? 'unknown', now),
        )
      },
    )

    app.delete(
      '/documents/:document_id',
      { schema: { tags: ['documents'], params: DocumentParams, querystring: ActorQuery, response: { 200: MessageResponse } } },
      async (request) => {
        const { now } = deps.leaseNow()
        await deps.mutate((trx) => deleteDocument(trx, request.params.document_id, request.query.agent_id ?? 'unknown', now))
        return { message: 'Document deleted successfully' }
      },
    )
  }
}
