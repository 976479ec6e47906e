import { lazy, Suspense, useEffect, useState } from 'react'

import { findStoredActingAgent } from '../acting-agent.js'
import { createClient } from '../api.js'
import { initialState } from '../dashboard-state.js'
import { byTestId, focusWhenRendered, isTyping } from '../focus.js'
import { LiveSync } from '../live-sync.js'
import { Agents } from '../pages/Agents.js'
import { Attention } from '../pages/Attention.js'
import { Board } from '../pages/Board.js'
import { navigate, openTaskId, parseHash, useRoute } from '../routes.js'
import type { Page } from '../routes.js'
import { SessionContext } from '../session.js'
import type { Session } from '../session.js'
import { Store } from '../store.js'
import { TEST_IDS } from '../test-ids.js'
import { Header } from './Header.js'
import { ToastView } from './ToastView.js'

// The drawer brings markdown-it; loading it apart keeps the first page small.
const loadTaskDrawer = () => import('./TaskDrawer.js')
const TaskDrawer = lazy(() => loadTaskDrawer().then((m) => ({ default: m.TaskDrawer })))

// The pages after the first three load on first visit (documents bring markdown-it too).
const Overview = lazy(() => import('../pages/Overview.js').then((m) => ({ default: m.Overview })))
const Epics = lazy(() => import('../pages/Epics.js').then((m) => ({ default: m.Epics })))
const Documents = lazy(() =>
  import('../pages/Documents.js').then((m) => ({ default: m.Documents })),
)
const Services = lazy(() => import('../pages/Services.js').then((m) => ({ default: m.Services })))
const Activity = lazy(() => import('../pages/Activity.js').then((m) => ({ default: m.Activity })))

const PAGE_TITLES: Record<Page, string> = {
  attention: 'Needs attention',
  board: 'Board',
  agents: 'Agents',
  overview: 'Overview',
  epics: 'Epics',
  documents: 'Documents & mentions',
  services: 'Services',
  activity: 'Activity',
}

export interface DashboardProps {
  apiKey: string
  onSignOut: () => void
  onUnauthorized: () => void
}

/** The signed-in dashboard: one session (client, live data) for as long as the key is in use. */
export function Dashboard({ apiKey, onSignOut, onUnauthorized }: DashboardProps) {
  const [session] = useState<Session>(() => ({
    client: createClient(apiKey),
    store: new Store(initialState(findStoredActingAgent())),
  }))
  const route = useRoute()
  const taskId = openTaskId(route)

  useEffect(() => {
    const live = new LiveSync({
      apiKey,
      client: session.client,
      store: session.store,
      onUnauthorized,
    })
    live.start()
    return () => live.stop()
  }, [apiKey, session, onUnauthorized])

  useEffect(() => {
    // Fetched while the person reads the first page, so the first card opens at once.
    void loadTaskDrawer()
  }, [])

  useEffect(() => {
    document.title = `${PAGE_TITLES[route.page]} · Headless PM`
  }, [route.page])

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (
        event.key !== '/' ||
        event.ctrlKey ||
        event.metaKey ||
        event.altKey ||
        isTyping(event.target)
      )
        return
      event.preventDefault()
      if (parseHash(window.location.hash).page !== 'board') navigate({ page: 'board', params: {} })
      focusWhenRendered(byTestId(TEST_IDS.filterText))
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [])

  return (
    <SessionContext value={session}>
      <Header onSignOut={onSignOut} />
      <main className="page">
        {route.page === 'board' && <Board />}
        {route.page === 'attention' && <Attention />}
        {route.page === 'agents' && <Agents />}
        <Suspense fallback={<p className="loading">Loading…</p>}>
          {route.page === 'overview' && <Overview />}
          {route.page === 'epics' && <Epics />}
          {route.page === 'documents' && <Documents />}
          {route.page === 'services' && <Services />}
          {route.page === 'activity' && <Activity />}
        </Suspense>
      </main>
      {taskId !== undefined && (
        <Suspense fallback={null}>
          <TaskDrawer key={taskId} taskId={taskId} />
        </Suspense>
      )}
      <ToastView />
    </SessionContext>
  )
}
