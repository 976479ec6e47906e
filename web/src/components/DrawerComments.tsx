import { useState } from 'react'
import type { FormEvent, KeyboardEvent } from 'react'

import type { TaskComment } from '../../../src/contract/index.js'
import { commentOnTask } from '../actions.js'
import { formatDateTime } from '../format.js'
import { useSession } from '../hooks/use-session.js'
import { TEST_IDS } from '../test-ids.js'
import { Markdown } from './Markdown.js'

export interface DrawerCommentsProps {
  taskId: number
  comments: readonly TaskComment[] | undefined
}

export function DrawerComments({ taskId, comments }: DrawerCommentsProps) {
  const session = useSession()
  const [draft, setDraft] = useState('')
  const [isPosting, setIsPosting] = useState(false)

  async function post(event?: FormEvent) {
    event?.preventDefault()
    const text = draft.trim()
    if (text === '' || isPosting) return
    setIsPosting(true)
    const isPosted = await commentOnTask(session, taskId, text)
    setIsPosting(false)
    if (isPosted) setDraft('')
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void post()
  }

  return (
    <section className="drawer-section" aria-labelledby="drawer-comments-heading">
      <h3 id="drawer-comments-heading">Comments</h3>
      <ol className="comments" data-testid={TEST_IDS.drawerComments}>
        {comments === undefined && <li className="muted">Loading comments…</li>}
        {comments?.length === 0 && <li className="muted">No comments yet.</li>}
        {comments?.map((c) => (
          <li key={c.id} className={`comment ${c.kind === 'status_note' ? 'status-note' : ''}`}>
            <div className="comment-head">
              <strong>{c.author_id}</strong>
              {c.kind === 'status_note' && <span className="badge">status note</span>}
              <time dateTime={c.created_at}>{formatDateTime(c.created_at)}</time>
            </div>
            <Markdown text={c.body} />
          </li>
        ))}
      </ol>
      <form className="comment-form" onSubmit={(e) => void post(e)}>
        <label htmlFor="drawer-comment-input" className="visually-hidden">
          Add a comment
        </label>
        <textarea
          id="drawer-comment-input"
          data-testid={TEST_IDS.drawerCommentInput}
          rows={3}
          placeholder="Add a comment (markdown, @agent or @role mentions). Ctrl+Enter posts."
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button
          type="submit"
          className="primary"
          data-testid={TEST_IDS.drawerCommentSubmit}
          disabled={isPosting || draft.trim() === ''}
        >
          {isPosting ? 'Posting…' : 'Comment'}
        </button>
      </form>
    </section>
  )
}
