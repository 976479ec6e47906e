import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

import type { HeadlessPMClient } from '../../client/index.js'
import type {
  DocumentResponse,
  DocumentType,
  MessageResponse,
  UpdateDocumentRequest,
} from '../../contract/index.js'
import { CommandFailedError, UsageError } from '../exit-codes.js'

/** The text of `--content`, or of `--content-file` (`-` reads stdin). */
async function contentOf(
  options: { content?: string; contentFile?: string },
  isRequired: boolean,
): Promise<string | undefined> {
  if (options.content !== undefined && options.contentFile !== undefined) {
    throw new UsageError('give either --content or --content-file, not both')
  }
  if (options.contentFile !== undefined) {
    try {
      // fd 0 is stdin, so `--content-file -` can take a heredoc or a pipe.
      return options.contentFile === '-'
        ? readFileSync(0, 'utf8')
        : await readFile(options.contentFile, 'utf8')
    } catch (error) {
      throw new CommandFailedError(
        `cannot read --content-file ${options.contentFile}: ${(error as Error).message}`,
        { cause: error },
      )
    }
  }
  if (options.content === undefined && isRequired)
    throw new UsageError(
      "required option '--content <text>' (or --content-file <path>) not specified",
    )
  return options.content
}

export interface CreateDocumentOptions {
  type: DocumentType
  title: string
  content?: string
  contentFile?: string
  authorId: string
  metaData?: Record<string, unknown>
  expiresAt?: string
}

/** `hpm documents create`: `@agent_id` / `@role` in the content notify them. */
export async function createDocument(
  client: HeadlessPMClient,
  options: CreateDocumentOptions,
): Promise<DocumentResponse> {
  const content = (await contentOf(options, true)) ?? ''
  return client.createDocument(
    {
      doc_type: options.type,
      title: options.title,
      content,
      meta_data: options.metaData,
      expires_at: options.expiresAt,
    },
    options.authorId,
  )
}

export interface ListDocumentsOptions {
  type?: DocumentType
  authorId?: string
  limit: number
}

/** `hpm documents list`, newest first. */
export function listDocuments(
  client: HeadlessPMClient,
  options: ListDocumentsOptions,
): Promise<DocumentResponse[]> {
  return client.listDocuments({
    doc_type: options.type,
    author_id: options.authorId,
    limit: options.limit,
  })
}

/** `hpm documents get <id>`. */
export function getDocument(
  client: HeadlessPMClient,
  options: { documentId: number },
): Promise<DocumentResponse> {
  return client.getDocument(options.documentId)
}

export interface UpdateDocumentOptions {
  documentId: number
  title?: string
  content?: string
  contentFile?: string
  metaData?: Record<string, unknown>
  agentId?: string
}

/** `hpm documents update <id>`: changes only the given fields. */
export async function updateDocument(
  client: HeadlessPMClient,
  options: UpdateDocumentOptions,
): Promise<DocumentResponse> {
  const body: UpdateDocumentRequest = {}
  const content = await contentOf(options, false)
  if (options.title !== undefined) body.title = options.title
  if (content !== undefined) body.content = content
  if (options.metaData !== undefined) body.meta_data = options.metaData
  if (Object.keys(body).length === 0)
    throw new UsageError(
      'nothing to update: give --title, --content, --content-file or --meta-data',
    )
  return client.updateDocument(options.documentId, body, options.agentId)
}

/** `hpm documents delete <id>`. */
export function deleteDocument(
  client: HeadlessPMClient,
  options: { documentId: number; agentId?: string },
): Promise<MessageResponse> {
  return client.deleteDocument(options.documentId, options.agentId)
}
