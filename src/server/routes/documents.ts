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
import {
  createDocument,
  deleteDocument,
  getAgentOrThrow,
  getDocumentOrThrow,
  listDocuments,
  updateDocument,
} from '../../db/index.js'
import type { Db } from '../../db/index.js'
import { AppError } from '../../domain/index.js'
import type { ServerDeps } from '../deps.js'

const DocumentParams = z.object({ document_id: Id })
/**
 * Who edits or deletes: the author or a pm. v1 had no actor here and v1 clients send none, so a
 * call naming no agent (a person or v1 client with the project key) is still let through.
 */
const ActorQuery = z.object({ agent_id: AgentId.optional() })
/** What the activity feed records as the actor of a call that named none. */
const UNNAMED_ACTOR = 'unknown'

/** The document's author or a pm may change it (docs/permissions.md); 404 for an unknown document or agent. */
async function assertMayChange(
  db: Db,
  documentId: number,
  agentId: string | undefined,
  action: 'edit' | 'delete',
): Promise<void> {
  const document = await getDocumentOrThrow(db, documentId)
  if (agentId === undefined) return
  const actor = await getAgentOrThrow(db, agentId)
  if (actor.agent_id !== document.author_id && actor.role !== 'pm') {
    throw new AppError(
      'forbidden',
      `only its author (${document.author_id}) or a pm may ${action} document ${documentId}; ${agentId} is neither`,
    )
  }
}

function assertContentLength(content: string | null | undefined): void {
  if (content != null && content.length > MAX_DOCUMENT_CHARS) {
    throw new AppError(
      'content_too_long',
      'Document content exceeds maximum length of 50,000 characters',
    )
  }
}

export function documentRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/documents',
      {
        schema: {
          tags: ['documents'],
          querystring: AuthorQuery,
          body: CreateDocumentRequest,
          response: { 200: DocumentResponse },
        },
      },
      async (request) => {
        assertContentLength(request.body.content)
        const { now } = deps.leaseNow()
        return deps.mutate((trx) => createDocument(trx, request.body, request.query.author_id, now))
      },
    )

    app.get(
      '/documents',
      {
        schema: {
          tags: ['documents'],
          querystring: ListDocumentsQuery,
          response: { 200: z.array(DocumentResponse) },
        },
      },
      (request) => listDocuments(deps.db, request.query),
    )

    app.get(
      '/documents/:document_id',
      {
        schema: {
          tags: ['documents'],
          params: DocumentParams,
          response: { 200: DocumentResponse },
        },
      },
      (request) => getDocumentOrThrow(deps.db, request.params.document_id),
    )

    app.put(
      '/documents/:document_id',
      {
        schema: {
          tags: ['documents'],
          params: DocumentParams,
          querystring: ActorQuery,
          body: UpdateDocumentRequest,
          response: { 200: DocumentResponse },
        },
      },
      async (request) => {
        assertContentLength(request.body.content)
        const { now } = deps.leaseNow()
        const { document_id: documentId } = request.params
        return deps.mutate(async (trx) => {
          await assertMayChange(trx, documentId, request.query.agent_id, 'edit')
          return updateDocument(
            trx,
            documentId,
            request.body,
            request.query.agent_id ?? UNNAMED_ACTOR,
            now,
          )
        })
      },
    )

    app.delete(
      '/documents/:document_id',
      {
        schema: {
          tags: ['documents'],
          params: DocumentParams,
          querystring: ActorQuery,
          response: { 200: MessageResponse },
        },
      },
      async (request) => {
        const { now } = deps.leaseNow()
        const { document_id: documentId } = request.params
        await deps.mutate(async (trx) => {
          await assertMayChange(trx, documentId, request.query.agent_id, 'delete')
          await deleteDocument(trx, documentId, request.query.agent_id ?? UNNAMED_ACTOR, now)
        })
        return { message: 'Document deleted successfully' }
      },
    )
  }
}
