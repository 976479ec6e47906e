import { useMemo } from 'react'

import type { MentionResponse } from '../../../src/contract/index.js'
import { actAsAgent } from '../actions.js'
import { sortAgents } from '../dashboard-state.js'
import { formatAgo, formatDateTime } from '../format.js'
import { useActingAgent } from '../hooks/use-acting-agent.js'
import { useLiveFetched } from '../hooks/use-live-fetched.js'
import { useNow } from '../hooks/use-now.js'
import { useDashboard, useSession } from '../hooks/use-session.js'
import { formatHash, navigate, useRoute, withParams } from '../routes.js'
import { TEST_IDS } from '../test-ids.js'

/** Mentions of the agents of one role fetched at once; the panel shows one agent's. */
const MENTIONS_LIMIT = 1000

function unreadFirst(a: MentionResponse, b: MentionResponse): number {
  return (
    Number(a.is_read) - Number(b.is_read) || b.created_at.localeCompare(a.created_at) || b.id - a.id
  )
}

/**
 * One agent's mentions (the acting agent unless another is picked), unread first. Only the
 * mentioned agent may mark one read, so "Mark read" acts as the acting agent and the server
 * refuses it for anyone else.
 */
export function MentionsPanel() {
  const session = useSession()
  const route = useRoute()
  const agents = useDashboard((s) => s.agents)
  const acting = useActingAgent()
  const now = useNow(30_000)
  const who = route.params.who ?? acting?.agent_id
  const agent = agents?.find((a) => a.agent_id === who)
  const isShowingRead = route.params.read === '1'

  // Asked by role, not by agent: a read that names an agent counts as a sign of life from it on the
  // server (and renews its leases), which a person looking must not fake.
  const mentions = useLiveFetched(
    'mentions',
    (signal) =>
      agent === undefined
        ? Promise.resolve([])
        : session.client.listMentionsByRole(
            { role: agent.role, unread_only: !isShowingRead, limit: MENTIONS_LIMIT },
            { signal },
          ),
    `${agent?.agent_id} ${agent?.role} ${isShowingRead}`,
  )
  const shown = useMemo(
    () => (mentions.data ?? []).filter((m) => m.mentioned_agent_id === who).sort(unreadFirst),
    [mentions.data, who],
  )
  const unreadCount = shown.filter((m) => !m.is_read).length

  const setParam = (name: string, value: string | undefined) =>
    navigate(withParams(route, { [name]: value }), { isReplace: true })
  const markRead = (mentionId: number) =>
    actAsAgent(session, (agentId) => session.client.markMentionRead(mentionId, agentId))

  return (
    <section
      className="mentions-panel"
      data-testid={TEST_IDS.mentions}
      aria-labelledby="mentions-heading"
    >
      <h2 id="mentions-heading">
        Mentions {agent !== undefined && <span className="column-count">{unreadCount} unread</span>}
      </h2>
      <div className="panel-controls">
        <label className="inline-field">
          <span>Of</span>
          <select
            data-testid={TEST_IDS.mentionsAgent}
            value={who ?? ''}
            onChange={(e) => setParam('who', e.target.value)}
          >
            {who === undefined && (
              <option value="">{agents === undefined ? 'loading…' : 'no agents'}</option>
            )}
            {sortAgents(agents ?? []).map((a) => (
              <option key={a.agent_id} value={a.agent_id}>
                {a.agent_id}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <input
            type="checkbox"
            data-testid={TEST_IDS.mentionsShowRead}
            checked={isShowingRead}
            onChange={(e) => setParam('read', e.target.checked ? '1' : undefined)}
          />
          <span>Show read</span>
        </label>
      </div>
      {who !== undefined && acting !== undefined && acting.agent_id !== who && (
        <p className="form-note">Only {who} may mark its mentions read: act as it to do so.</p>
      )}
      {mentions.error !== undefined && <p className="error-text">{mentions.error}</p>}
      {mentions.data === undefined && mentions.error === undefined && (
        <p className="muted">Loading…</p>
      )}
      {mentions.data !== undefined && shown.length === 0 && (
        <p className="muted">{isShowingRead ? 'No mentions.' : 'No unread mentions.'}</p>
      )}
      <ul className="mention-list">
        {shown.map((m) => (
          <li
            key={m.id}
            className={`mention-item${m.is_read ? ' is-read' : ''}`}
            data-testid={TEST_IDS.mention(m.id)}
            data-read={String(m.is_read)}
          >
            <div className="mention-text">
              <strong className="mono">{m.created_by}</strong> mentioned{' '}
              <span className="mention">@{m.mentioned_agent_id}</span> in{' '}
              {m.document_id !== null ? (
                <a href={formatHash(withParams(route, { doc: String(m.document_id) }))}>
                  {m.document_title ?? `document ${m.document_id}`}
                </a>
              ) : m.task_id !== null ? (
                <button
                  type="button"
                  className="link-button inline"
                  onClick={() => navigate(withParams(route, { task: String(m.task_id) }))}
                >
                  #{m.task_id} {m.task_title ?? ''}
                </button>
              ) : (
                'something since deleted'
              )}
              <time className="muted" dateTime={m.created_at} title={formatDateTime(m.created_at)}>
                {' '}
                · {formatAgo(m.created_at, now)}
              </time>
            </div>
            {m.is_read ? (
              <span className="badge">read</span>
            ) : (
              <button
                type="button"
                data-testid={TEST_IDS.markRead(m.id)}
                onClick={() => void markRead(m.id)}
              >
                Mark read
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}
