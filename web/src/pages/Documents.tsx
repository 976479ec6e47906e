import { useMemo } from 'react'

import { DOCUMENT_TYPES, DocumentType } from '../../../src/contract/index.js'
import type { DocumentResponse } from '../../../src/contract/index.js'
import { DocumentForm } from '../components/DocumentForm.js'
import { DocumentList } from '../components/DocumentList.js'
import { DocumentView } from '../components/DocumentView.js'
import { MentionsPanel } from '../components/MentionsPanel.js'
import { byTestId, focusWhenRendered } from '../focus.js'
import { humanize } from '../format.js'
import { useLiveFetched } from '../hooks/use-live-fetched.js'
import { useSession } from '../hooks/use-session.js'
import { navigate, useRoute, withParams } from '../routes.js'
import { TEST_IDS } from '../test-ids.js'

/** The most documents listed; the server's own default. */
const DOCUMENTS_LIMIT = 1000

function newestFirst(a: DocumentResponse, b: DocumentResponse): number {
  return b.created_at.localeCompare(a.created_at) || b.id - a.id
}

/**
 * Documents (standups, critical issues, updates) with a reader and a form to write one, and the
 * mentions panel. `#/documents?doc=12&type=standup&author=pm_1&who=dev_1&read=1`.
 */
export function Documents() {
  const { client } = useSession()
  const route = useRoute()
  const parsedType = DocumentType.safeParse(route.params.type)
  const docType = parsedType.success ? parsedType.data : undefined
  const author = route.params.author
  const isWriting = route.params.doc === 'new'
  const openId = isWriting ? undefined : Number(route.params.doc) || undefined

  // Filtered by author here, not by the server: a read naming an agent would count as a sign of
  // life from it (see MentionsPanel).
  const documents = useLiveFetched(
    'documents',
    (signal) => client.listDocuments({ doc_type: docType, limit: DOCUMENTS_LIMIT }, { signal }),
    docType,
  )
  const sorted = useMemo(() => [...(documents.data ?? [])].sort(newestFirst), [documents.data])
  const authors = useMemo(() => [...new Set(sorted.map((d) => d.author_id))].sort(), [sorted])
  const shown = useMemo(
    () => (author === undefined ? sorted : sorted.filter((d) => d.author_id === author)),
    [sorted, author],
  )

  const setParams = (changes: Record<string, string | undefined>, isReplace = true) =>
    navigate(withParams(route, changes), { isReplace })
  const open = (documentId: number) => setParams({ doc: String(documentId) }, false)

  return (
    <section
      className="wide-page documents-page"
      data-testid={TEST_IDS.documents}
      aria-labelledby="documents-heading"
    >
      <div className="page-title-row">
        <h1 id="documents-heading">Documents</h1>
        <button
          type="button"
          className="primary"
          onClick={() => setParams({ doc: 'new' }, false)}
          disabled={isWriting}
        >
          New document
        </button>
      </div>
      <div className="documents-layout" data-open={isWriting || openId !== undefined}>
        <div className="documents-list-pane">
          <div className="filters-row" role="search">
            <select
              data-testid={TEST_IDS.documentFilter('type')}
              aria-label="Type"
              value={docType ?? ''}
              onChange={(e) => setParams({ type: e.target.value })}
            >
              <option value="">Type: all</option>
              {DOCUMENT_TYPES.map((t) => (
                <option key={t} value={t}>
                  {humanize(t)}
                </option>
              ))}
            </select>
            <select
              data-testid={TEST_IDS.documentFilter('author')}
              aria-label="Author"
              value={author ?? ''}
              onChange={(e) => setParams({ author: e.target.value })}
            >
              <option value="">Author: all</option>
              {author !== undefined && !authors.includes(author) && (
                <option value={author}>{author}</option>
              )}
              {authors.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
          {documents.error !== undefined && <p className="error-text">{documents.error}</p>}
          {documents.data === undefined && documents.error === undefined && (
            <p className="muted">Loading…</p>
          )}
          {documents.data !== undefined && shown.length === 0 && (
            <p className="empty">No documents{docType || author ? ' match' : ' yet'}.</p>
          )}
          <DocumentList documents={shown} openId={openId} onOpen={open} />
        </div>
        <div className="documents-reader">
          {isWriting ? (
            <DocumentForm
              onCreated={(doc) => setParams({ doc: String(doc.id) })}
              onCancel={() => setParams({ doc: undefined })}
            />
          ) : openId !== undefined ? (
            <DocumentView
              key={openId}
              documentId={openId}
              listed={sorted.find((d) => d.id === openId)}
              onClose={() => {
                setParams({ doc: undefined }, false)
                focusWhenRendered(byTestId(TEST_IDS.document(openId)))
              }}
            />
          ) : (
            <p className="muted reader-empty">Pick a document to read it.</p>
          )}
        </div>
        <MentionsPanel />
      </div>
    </section>
  )
}
