import { useState } from 'react'

import { storeActingAgent } from '../acting-agent.js'
import { resolveActingAgent, sortAgents } from '../dashboard-state.js'
import type { ConnectionState } from '../dashboard-state.js'
import { useDashboard, useSession } from '../hooks/use-session.js'
import { formatHash, useRoute } from '../routes.js'
import type { Page, Route } from '../routes.js'
import { TEST_IDS } from '../test-ids.js'

const CONNECTION_LABELS: Record<ConnectionState, string> = {
  live: 'Live',
  connecting: 'Connecting…',
  disconnected: 'Disconnected',
}

export interface HeaderProps {
  onSignOut: () => void
}

export function Header({ onSignOut }: HeaderProps) {
  const { store } = useSession()
  const route = useRoute()
  const connection = useDashboard((s) => s.connection)
  const agents = useDashboard((s) => s.agents)
  const choice = useDashboard((s) => s.actingAgentChoice)
  const attentionCount = useDashboard((s) => s.attention?.length)
  const actingAgent = resolveActingAgent(agents, choice)

  // The Board link keeps the last filters, so visiting another page does not lose them.
  const [boardRoute, setBoardRoute] = useState<Route | undefined>(undefined)
  if (route.page === 'board' && route !== boardRoute) setBoardRoute(route)
  const { task: _openTask, ...boardFilters } = boardRoute?.params ?? {}
  const links: { page: Page; label: string; href: string }[] = [
    { page: 'attention', label: 'Attention', href: '#/attention' },
    { page: 'overview', label: 'Overview', href: '#/overview' },
    { page: 'board', label: 'Board', href: formatHash({ page: 'board', params: boardFilters }) },
    { page: 'epics', label: 'Epics', href: '#/epics' },
    { page: 'agents', label: 'Agents', href: '#/agents' },
    { page: 'documents', label: 'Documents', href: '#/documents' },
    { page: 'services', label: 'Services', href: '#/services' },
    { page: 'activity', label: 'Activity', href: '#/activity' },
  ]

  function chooseAgent(agentId: string) {
    storeActingAgent(agentId)
    store.setState((s) => ({ ...s, actingAgentChoice: agentId }))
  }

  return (
    <header className="app-header">
      <a className="brand" href="#/attention">
        Headless PM
      </a>
      <nav className="nav" data-testid={TEST_IDS.nav} aria-label="Pages">
        {links.map((link) => (
          <a
            key={link.page}
            href={link.href}
            aria-current={route.page === link.page ? 'page' : undefined}
          >
            {link.label}
            {link.page === 'attention' && attentionCount !== undefined && attentionCount > 0 && (
              <span className="count" aria-label={`${attentionCount} items`}>
                {attentionCount}
              </span>
            )}
          </a>
        ))}
      </nav>
      <span
        className="connection"
        data-testid={TEST_IDS.connection}
        data-state={connection}
        role="status"
        title="Live updates from the server"
      >
        <span className="connection-dot" aria-hidden="true" />
        {CONNECTION_LABELS[connection]}
      </span>
      <label className="acting-agent">
        <span>Acting as</span>
        <select
          data-testid={TEST_IDS.actingAgent}
          value={actingAgent ?? ''}
          disabled={agents === undefined || agents.length === 0}
          onChange={(e) => chooseAgent(e.target.value)}
        >
          {actingAgent === undefined && (
            <option value="">{agents === undefined ? 'loading…' : 'no agents registered'}</option>
          )}
          {sortAgents(agents ?? []).map((agent) => (
            <option key={agent.agent_id} value={agent.agent_id}>
              {agent.agent_id} ({agent.role})
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="signout" data-testid={TEST_IDS.signout} onClick={onSignOut}>
        Sign out
      </button>
    </header>
  )
}
