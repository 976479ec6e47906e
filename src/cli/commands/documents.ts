import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

import type { Command } from 'commander'

import type { HeadlessPMClient } from '../../client/index.js'
import type {
  DocumentResponse,
  DocumentType,
  MessageResponse,
  UpdateDocumentRequest,
} from '../../contract/index.js'
import { CommandFailedError, UsageError } from '../exit-codes.js'
import { DOCUMENTS_HELP } from '../help.js'
import { docTypeOption, intIn, parseId, parseIsoDateTime, parseJsonObject } from '../options.js'
import type { CommandKit } from '../program.js'

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

/** `hpm documents ...`, with their flags. */
export function addDocumentCommands(program: Command, { run }: CommandKit): void {
  const documents = program
    .command('documents')
    .description('post and read documents (updates, standups, issues)')
    .addHelpText('after', DOCUMENTS_HELP)
  documents
    .command('create')
    .description('post a document; @mentions in it notify agents')
    .addOption(docTypeOption('--type <type>', 'document type').makeOptionMandatory())
    .requiredOption('--title <title>', 'title')
    .option('--content <text>', 'markdown content')
    .option('--content-file <path>', 'read the content from a file (- for stdin)')
    .requiredOption('--author-id <id>', 'your agent id')
    .option('--meta-data <json>', 'JSON object of extra data', parseJsonObject)
    .option(
      '--expires-at <iso>',
      'when it stops being relevant, e.g. 2026-01-31T12:00:00Z',
      parseIsoDateTime,
    )
    .action((opts: CreateDocumentOptions, command: Command) =>
      run(command, (c) => createDocument(c, opts), 'document'),
    )
  documents
    .command('list')
    .description('list documents, newest first')
    .addOption(docTypeOption('--type <type>', 'only this type'))
    .option('--author-id <id>', 'only by this agent')
    .option('--limit <n>', 'at most this many, 1..10000', intIn(1, 10_000), 50)
    .action((opts: ListDocumentsOptions, command: Command) =>
      run(command, (c) => listDocuments(c, opts), 'documents'),
    )
  documents
    .command('get')
    .description('show one document')
    .argument('<document_id>', 'document id', parseId)
    .action((documentId: number, _opts: unknown, command: Command) =>
      run(command, (c) => getDocument(c, { documentId }), 'document'),
    )
  documents
    .command('update')
    .description('change a document (only the fields given)')
    .argument('<document_id>', 'document id', parseId)
    .option('--title <title>', 'new title')
    .option('--content <text>', 'new content')
    .option('--content-file <path>', 'read the new content from a file (- for stdin)')
    .option('--meta-data <json>', 'new JSON object of extra data', parseJsonObject)
    .option('--agent-id <id>', 'your agent id (recorded as the editor)')
    .action(
      (documentId: number, opts: Omit<UpdateDocumentOptions, 'documentId'>, command: Command) =>
        run(command, (c) => updateDocument(c, { documentId, ...opts }), 'document'),
    )
  documents
    .command('delete')
    .description('delete a document')
    .argument('<document_id>', 'document id', parseId)
    .option('--agent-id <id>', 'your agent id (recorded as the deleter)')
    .action((documentId: number, opts: { agentId?: string }, command: Command) =>
      run(command, (c) => deleteDocument(c, { documentId, ...opts }), 'message'),
    )
}
