import { useEffect, useRef, useState } from 'react'
import type { FormEvent } from 'react'

import { DOCUMENT_TYPES } from '../../../src/contract/index.js'
import type { DocumentResponse, DocumentType } from '../../../src/contract/index.js'
import { actAsAgent, showToast } from '../actions.js'
import { humanize } from '../format.js'
import { useSession } from '../hooks/use-session.js'
import { TEST_IDS } from '../test-ids.js'
import { ActingAs } from './ActingAs.js'
import { Field } from './Field.js'

export interface DocumentFormProps {
  onCreated: (document: DocumentResponse) => void
  onCancel: () => void
}

/** Writes a document as the acting agent; `@agent` or `@role` in it notifies those agents. */
export function DocumentForm({ onCreated, onCancel }: DocumentFormProps) {
  const session = useSession()
  const [docType, setDocType] = useState<DocumentType>('update')
  const [title, setTitle] = useState('')
  const [content, setContent] = useState('')
  const [isBusy, setIsBusy] = useState(false)
  const headingRef = useRef<HTMLHeadingElement>(null)

  useEffect(() => {
    headingRef.current?.focus()
  }, [])

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (isBusy) return
    setIsBusy(true)
    await actAsAgent(session, async (agentId) => {
      const created = await session.client.createDocument(
        { doc_type: docType, title: title.trim(), content },
        agentId,
      )
      const told = created.mentions.length === 0 ? '' : `; notified ${created.mentions.join(', ')}`
      showToast(session, 'info', `document "${created.title}" created${told}`)
      onCreated(created)
    })
    setIsBusy(false)
  }

  return (
    <form
      className="plan-form document-form"
      data-testid={TEST_IDS.form('document')}
      aria-labelledby="document-form-heading"
      onSubmit={(e) => void submit(e)}
    >
      <h2 id="document-form-heading" ref={headingRef} tabIndex={-1}>
        New document
      </h2>
      <ActingAs />
      <Field label="Type">
        <select
          data-testid={TEST_IDS.field('document', 'doc_type')}
          value={docType}
          onChange={(e) => setDocType(e.target.value as DocumentType)}
        >
          {DOCUMENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {humanize(t)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Title">
        <input
          data-testid={TEST_IDS.field('document', 'title')}
          required
          maxLength={200}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
      </Field>
      <Field label="Content" hint="Markdown. @agent_id or @role mentions notify those agents.">
        <textarea
          data-testid={TEST_IDS.field('document', 'content')}
          rows={10}
          value={content}
          onChange={(e) => setContent(e.target.value)}
        />
      </Field>
      <div className="form-buttons">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="primary"
          data-testid={TEST_IDS.submit('document')}
          disabled={title.trim() === ''}
        >
          {isBusy ? 'Creating…' : 'Create document'}
        </button>
      </div>
    </form>
  )
}
