import { useCallback, useDeferredValue, useLayoutEffect, useMemo, useRef, useState } from 'react'

import type { TaskResponse } from '../../../src/contract/index.js'
import { moveTask } from '../actions.js'
import { BoardFilters } from '../components/BoardFilters.js'
import type { CardNavigation } from '../components/Card.js'
import { Column } from '../components/Column.js'
import type { ColumnHandle } from '../components/Column.js'
import { byTestId, focusWhenRendered } from '../focus.js'
import { useDashboard, useSession } from '../hooks/use-session.js'
import { navigate, parseHash, useRoute, withParams } from '../routes.js'
import { buildColumns, FILTER_NAMES, filtersFromParams, FLOW_STATUSES } from '../task-filters.js'
import type { BoardColumns, FlowStatus, TaskFilters } from '../task-filters.js'
import { TEST_IDS } from '../test-ids.js'

/** The filter part of the query as a string: a new drawer or other params do not refilter. */
function filterQuery(params: Readonly<Record<string, string>>): string {
  const query = new URLSearchParams()
  for (const name of [...FILTER_NAMES, 'text']) {
    const value = params[name]
    if (value !== undefined) query.set(name, value)
  }
  return query.toString()
}

function parseFilterQuery(query: string): TaskFilters {
  return filtersFromParams(Object.fromEntries(new URLSearchParams(query)))
}

function countFlowTasks(tasks: ReadonlyMap<number, TaskResponse> | undefined): number {
  let count = 0
  for (const task of tasks?.values() ?? [])
    if ((FLOW_STATUSES as readonly string[]).includes(task.status)) count += 1
  return count
}

export function Board() {
  const session = useSession()
  const route = useRoute()
  const tasks = useDashboard((s) => s.tasks)
  const summaries = useDashboard((s) => s.runSummaries)
  const query = filterQuery(route.params)
  // Typing in the search stays responsive while thousands of cards are refiltered.
  const deferredQuery = useDeferredValue(query)
  const shownFilters = useMemo(() => parseFilterQuery(query), [query])
  const filters = useMemo(() => parseFilterQuery(deferredQuery), [deferredQuery])
  const columns = useMemo(
    () => (tasks === undefined ? undefined : buildColumns(tasks.values(), filters)),
    [tasks, filters],
  )
  const totalCount = useMemo(() => countFlowTasks(tasks), [tasks])

  const [handles] = useState(() => new Map<FlowStatus, ColumnHandle>())
  // Card callbacks read the latest columns through a ref so they stay stable and cards stay memoised.
  const columnsRef = useRef<BoardColumns | undefined>(undefined)
  useLayoutEffect(() => {
    columnsRef.current = columns
  }, [columns])

  const focusCard = useCallback(
    (status: FlowStatus, index: number) => {
      const list = columnsRef.current?.[status]
      if (list === undefined || list.length === 0) return
      const at = Math.max(0, Math.min(index, list.length - 1))
      const task = list[at]
      if (task === undefined) return
      handles.get(status)?.scrollToIndex(at)
      focusWhenRendered(byTestId(TEST_IDS.card(task.id)))
    },
    [handles],
  )

  const onOpen = useCallback((taskId: number) => {
    navigate(withParams(parseHash(window.location.hash), { task: String(taskId) }))
  }, [])

  const onMove = useCallback(
    (taskId: number, status: FlowStatus, isKeyboard: boolean) => {
      void moveTask(session, taskId, status).then((isMoved) => {
        if (!isKeyboard) return
        // Keep the keyboard user on the card, in its new column (or where it was, if refused).
        requestAnimationFrame(() => {
          const current = columnsRef.current
          if (current === undefined) return
          for (const s of FLOW_STATUSES) {
            const index = current[s].findIndex((t) => t.id === taskId)
            if (index >= 0) {
              focusCard(s, index)
              return
            }
          }
          if (!isMoved) focusWhenRendered(byTestId(TEST_IDS.card(taskId)))
        })
      })
    },
    [session, focusCard],
  )

  const onNavigate = useCallback(
    (status: string, index: number, direction: CardNavigation) => {
      const current = columnsRef.current
      const from = FLOW_STATUSES.indexOf(status as FlowStatus)
      if (current === undefined || from < 0) return
      if (
        direction === 'up' ||
        direction === 'down' ||
        direction === 'first' ||
        direction === 'last'
      ) {
        const length = current[status as FlowStatus].length
        const target = { up: index - 1, down: index + 1, first: 0, last: length - 1 }[direction]
        focusCard(status as FlowStatus, target)
        return
      }
      const step = direction === 'left' ? -1 : 1
      for (let i = from + step; i >= 0 && i < FLOW_STATUSES.length; i += step) {
        const next = FLOW_STATUSES[i]
        if (next !== undefined && current[next].length > 0) {
          focusCard(next, index)
          return
        }
      }
    },
    [focusCard],
  )

  const shownCount =
    columns === undefined ? 0 : FLOW_STATUSES.reduce((n, s) => n + columns[s].length, 0)

  return (
    <section className="board-page" data-testid={TEST_IDS.board} aria-label="Board">
      <BoardFilters filters={shownFilters} shownCount={shownCount} totalCount={totalCount} />
      {columns === undefined ? (
        <p className="loading">Loading tasks…</p>
      ) : (
        <div className="columns">
          {FLOW_STATUSES.map((status) => (
            <Column
              key={status}
              status={status}
              tasks={columns[status]}
              summaries={summaries}
              handles={handles}
              onOpen={onOpen}
              onMove={onMove}
              onNavigate={onNavigate}
            />
          ))}
        </div>
      )}
    </section>
  )
}
