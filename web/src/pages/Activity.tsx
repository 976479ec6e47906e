import { useVirtualizer } from '@tanstack/react-virtual'
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react'

import { CHANGE_TYPES } from '../../../src/contract/index.js'
import { filterFeed, loadRecentChanges, mergeFeed } from '../activity-feed.js'
import type { RecentChanges } from '../activity-feed.js'
import { errorText } from '../api.js'
import { ActivityRow } from '../components/ActivityRow.js'
import { formatCount, formatDateTime, humanize } from '../format.js'
import { useDashboard, useSession } from '../hooks/use-session.js'
import { navigate, parseHash, useRoute, withParams } from '../routes.js'
import { TEST_IDS } from '../test-ids.js'

/** A first guess at a row's height, px; each row is measured once rendered (they wrap on phones). */
const ESTIMATED_ROW_PX = 38

/**
 * Everything that happened, newest first: the recent past loaded once, then each event as the
 * stream brings it. `#/activity?kind=task_locked&text=dev_1`.
 */
export function Activity() {
  const { client } = useSession()
  const route = useRoute()
  const isLive = useDashboard((s) => s.connection === 'live')
  const liveEvents = useDashboard((s) => s.liveEvents)
  const [recent, setRecent] = useState<RecentChanges | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)

  // Loaded once the stream is live, so every later event arrives over it: nothing falls between.
  useEffect(() => {
    if (!isLive) return
    const controller = new AbortController()
    loadRecentChanges(client, controller.signal).then(
      (loaded) => {
        setRecent(loaded)
        setError(undefined)
      },
      (e: unknown) => {
        if (!controller.signal.aborted) setError(errorText(e))
      },
    )
    return () => controller.abort()
  }, [client, isLive])

  const kind = (CHANGE_TYPES as readonly string[]).includes(route.params.kind ?? '')
    ? route.params.kind
    : undefined
  const text = route.params.text ?? ''
  const filter = useDeferredValue(useMemo(() => ({ kind, text }), [kind, text]))
  const all = useMemo(() => mergeFeed(liveEvents, recent?.entries ?? []), [liveEvents, recent])
  const shown = useMemo(() => filterFeed(all, filter), [all, filter])

  const scrollRef = useRef<HTMLDivElement>(null)
  // eslint-disable-next-line react-hooks/incompatible-library -- the feed is a plain list; nothing memoized reads the virtualizer
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    getItemKey: (index) => shown[index]?.id ?? index,
    overscan: 10,
    // React 19 warns about flushSync inside lifecycle methods; plain re-renders are smooth enough.
    useFlushSync: false,
  })

  const setParam = (name: string, value: string) =>
    navigate(withParams(route, { [name]: value }), { isReplace: true })
  const openTask = useCallback(
    (taskId: number) =>
      navigate(withParams(parseHash(window.location.hash), { task: String(taskId) })),
    [],
  )

  return (
    <section
      className="activity-page"
      data-testid={TEST_IDS.activity}
      aria-labelledby="activity-heading"
    >
      <div className="filters" role="search">
        <h1 id="activity-heading">Activity</h1>
        <select
          data-testid={TEST_IDS.activityFilter('kind')}
          aria-label="Kind of change"
          value={kind ?? ''}
          onChange={(e) => setParam('kind', e.target.value)}
        >
          <option value="">Kind: all</option>
          {CHANGE_TYPES.map((t) => (
            <option key={t} value={t}>
              {humanize(t)}
            </option>
          ))}
        </select>
        <input
          type="search"
          className="filter-text"
          data-testid={TEST_IDS.activityFilter('text')}
          aria-label="Filter by agent id, task id or any text"
          placeholder="Agent id, #task id or text"
          value={text}
          onChange={(e) => setParam('text', e.target.value)}
        />
        <span className="filter-count" aria-live="polite">
          {shown.length === all.length
            ? `${formatCount(all.length)} events`
            : `${formatCount(shown.length)} of ${formatCount(all.length)} events`}
          {recent !== undefined && (
            <span className="muted"> since {formatDateTime(recent.since)}</span>
          )}
        </span>
      </div>
      {error !== undefined && (
        <p className="error-text activity-note">Could not load the recent activity: {error}</p>
      )}
      {recent === undefined && error === undefined && <p className="loading">Loading…</p>}
      <div
        className="activity-scroll"
        ref={scrollRef}
        tabIndex={0}
        aria-label="Events, newest first"
      >
        {recent !== undefined && shown.length === 0 && (
          <p className="empty">No events{kind || text ? ' match' : ' yet'}.</p>
        )}
        <div className="activity-list" role="list" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const entry = shown[item.index]
            if (entry === undefined) return null
            return (
              <div
                key={item.key}
                className="activity-slot"
                data-index={item.index}
                ref={virtualizer.measureElement}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <ActivityRow entry={entry} onOpenTask={openTask} />
              </div>
            )
          })}
        </div>
      </div>
    </section>
  )
}
