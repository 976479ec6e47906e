import type { DocumentResponse } from '../../../src/contract/index.js'
import { formatAgo, formatDateTime, humanize } from '../format.js'
import { useNow } from '../hooks/use-now.js'
import { TEST_IDS } from '../test-ids.js'

export interface DocumentListProps {
  documents: readonly DocumentResponse[]
  openId: number | undefined
  onOpen: (documentId: number) => void
}

/** Documents newest first; the open one is marked. */
export function DocumentList({ documents, openId, onOpen }: DocumentListProps) {
  const now = useNow(30_000)
  return (
    <ul className="document-list">
      {documents.map((doc) => (
        <li key={doc.id}>
          <button
            type="button"
            className="document-entry"
            data-testid={TEST_IDS.document(doc.id)}
            aria-current={doc.id === openId ? 'true' : undefined}
            onClick={() => onOpen(doc.id)}
          >
            <span className="document-entry-title">{doc.title || '(untitled)'}</span>
            <span className="document-entry-meta">
              <span className={`badge doc-type doc-type-${doc.doc_type}`}>
                {humanize(doc.doc_type)}
              </span>
              <span className="mono">{doc.author_id}</span>
              <time dateTime={doc.created_at} title={formatDateTime(doc.created_at)}>
                {formatAgo(doc.created_at, now)}
              </time>
              {doc.mentions.length > 0 && <span>@{doc.mentions.length}</span>}
            </span>
          </button>
        </li>
      ))}
    </ul>
  )
}
