import { useEffect, useRef } from 'react'

import type { DocumentResponse } from '../../../src/contract/index.js'
import { formatDateTime, humanize } from '../format.js'
import { useLiveFetched } from '../hooks/use-live-fetched.js'
import { useSession } from '../hooks/use-session.js'
import { TEST_IDS } from '../test-ids.js'
import { Markdown } from './Markdown.js'

export interface DocumentViewProps {
  documentId: number
  /** The copy from the list (kept live); without it (filtered out, just created) it is fetched. */
  listed: DocumentResponse | undefined
  onClose: () => void
}

/** One document: its facts, who it mentions, and the content as markdown with mentions highlighted. */
export function DocumentView({ documentId, listed, onClose }: DocumentViewProps) {
  const { client } = useSession()
  const headingRef = useRef<HTMLHeadingElement>(null)
  const fetched = useLiveFetched(
    'documents',
    (signal) =>
      listed === undefined
        ? client.getDocument(documentId, { signal })
        : Promise.resolve(undefined),
    `${documentId} ${listed === undefined}`,
  )
  const doc = listed ?? (fetched.data?.id === documentId ? fetched.data : undefined)

  useEffect(() => {
    headingRef.current?.focus()
  }, [documentId])

  return (
    <article
      className="document-view"
      data-testid={TEST_IDS.documentView}
      aria-labelledby="document-title"
    >
      <div className="document-head">
        <h2 id="document-title" ref={headingRef} tabIndex={-1}>
          {doc?.title ?? (fetched.error === undefined ? 'Loading…' : 'Not found')}
        </h2>
        <button
          type="button"
          className="icon-button"
          aria-label="Close the document"
          onClick={onClose}
        >
          ×
        </button>
      </div>
      {doc === undefined ? (
        fetched.error !== undefined && <p className="error-text">{fetched.error}</p>
      ) : (
        <>
          <p className="document-facts">
            <span className={`badge doc-type doc-type-${doc.doc_type}`}>
              {humanize(doc.doc_type)}
            </span>{' '}
            by <strong className="mono">{doc.author_id}</strong> ·{' '}
            <time dateTime={doc.created_at}>{formatDateTime(doc.created_at)}</time>
            {doc.updated_at !== doc.created_at && (
              <>
                {' '}
                · edited <time dateTime={doc.updated_at}>{formatDateTime(doc.updated_at)}</time>
              </>
            )}
          </p>
          {doc.mentions.length > 0 && (
            <p className="document-facts">
              Mentions:{' '}
              {doc.mentions.map((id) => (
                <span key={id} className="mention">
                  @{id}
                </span>
              ))}
            </p>
          )}
          {doc.content.trim() === '' ? (
            <p className="muted">No content.</p>
          ) : (
            <Markdown text={doc.content} className="description" />
          )}
        </>
      )}
    </article>
  )
}
