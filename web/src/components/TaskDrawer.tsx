import { useCallback, useEffect, useRef, useState } from 'react'

import { moveTask, showToast, unlockTask } from '../actions.js'
import { errorText } from '../api.js'
import { upsertTasks } from '../dashboard-state.js'
import { byTestId, focusWhenRendered } from '../focus.js'
import { formatDateTime, formatUsd, humanize } from '../format.js'
import { useFetched } from '../hooks/use-fetched.js'
import { useDashboard, useSession } from '../hooks/use-session.js'
import { navigate, parseHash, withParams } from '../routes.js'
import { FLOW_STATUSES, STATUS_LABELS } from '../task-filters.js'
import type { FlowStatus } from '../task-filters.js'
import { TEST_IDS } from '../test-ids.js'
import { DrawerChangelog } from './DrawerChangelog.js'
import { DrawerComments } from './DrawerComments.js'
import { DrawerLive } from './DrawerLive.js'
import { DrawerRuns } from './DrawerRuns.js'
import { LeaseLeft } from './LeaseLeft.js'
import { Markdown } from './Markdown.js'

export interface TaskDrawerProps {
  taskId: number
}

/** One task in full: description, comments, status changes and runner attempts, kept live. */
export function TaskDrawer({ taskId }: TaskDrawerProps) {
  const session = useSession()
  const { client, store } = session
  const isLoaded = useDashboard((s) => s.tasks !== undefined)
  const task = useDashboard((s) => s.tasks?.get(taskId))
  const comments = useDashboard((s) => s.comments.get(taskId))
  const summary = useDashboard((s) => s.runSummaries.get(taskId))
  const holderId = task?.status === 'under_work' ? task.locked_by : null
  const holder = useDashboard((s) =>
    holderId === null ? undefined : s.agents?.find((a) => a.agent_id === holderId),
  )
  const liveActivity = holder?.activity?.task_id === taskId ? holder.activity : undefined
  const [isMissing, setIsMissing] = useState(false)
  const headingRef = useRef<HTMLHeadingElement>(null)
  const openerRef = useRef<Element | null>(null)

  // The task object changes with every live update of it, and the summary with every run recorded.
  const changelog = useFetched(task, (signal) => client.listChangelog(500, { taskId, signal }))
  const runs = useFetched(summary, (signal) => client.listRuns(taskId, { signal }))

  const hasComments = comments !== undefined
  useEffect(() => {
    if (hasComments || !isLoaded) return
    const controller = new AbortController()
    client.findTask(taskId, { signal: controller.signal }).then(
      (detail) => {
        if (detail === undefined) setIsMissing(true)
        else store.setState((s) => upsertTasks(s, [detail]))
      },
      (error: unknown) => {
        if (!controller.signal.aborted) showToast(session, 'error', errorText(error))
      },
    )
    return () => controller.abort()
  }, [client, store, session, taskId, hasComments, isLoaded])

  const close = useCallback(() => {
    navigate(withParams(parseHash(window.location.hash), { task: undefined }))
    const opener = openerRef.current
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus()
    else focusWhenRendered(byTestId(TEST_IDS.card(taskId)))
  }, [taskId])

  useEffect(() => {
    // Once per drawer: a second run (React's strict mode) would find the heading focused.
    openerRef.current ??= document.activeElement
    headingRef.current?.focus()
    function onKeyDown(event: KeyboardEvent) {
      if (event.key === 'Escape' && !event.defaultPrevented) close()
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [close])

  return (
    <>
      <div className="drawer-backdrop" onClick={close} aria-hidden="true" />
      <aside
        className="drawer"
        data-testid={TEST_IDS.drawer}
        role="dialog"
        aria-modal="false"
        aria-labelledby="drawer-title"
      >
        <div className="drawer-header">
          <h2 id="drawer-title" ref={headingRef} tabIndex={-1}>
            <span className="card-id">#{taskId}</span>{' '}
            {task?.title ?? (isMissing ? 'Not found' : 'Loading…')}
          </h2>
          <button
            type="button"
            className="icon-button"
            data-testid={TEST_IDS.drawerClose}
            aria-label="Close"
            onClick={close}
          >
            ×
          </button>
        </div>
        {isMissing && task === undefined ? (
          <p className="drawer-body">Task {taskId} does not exist; it may have been deleted.</p>
        ) : task === undefined ? (
          <p className="drawer-body muted">Loading…</p>
        ) : (
          <div className="drawer-body">
            <div className="drawer-actions">
              <label>
                <span>Status</span>
                <select
                  aria-label="Move to status"
                  value={task.status}
                  onChange={(e) => void moveTask(session, taskId, e.target.value as FlowStatus)}
                >
                  {!(FLOW_STATUSES as readonly string[]).includes(task.status) && (
                    <option value={task.status}>{humanize(task.status)}</option>
                  )}
                  {FLOW_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {STATUS_LABELS[s]}
                    </option>
                  ))}
                </select>
              </label>
              {task.locked_by !== null && (
                <button type="button" onClick={() => void unlockTask(session, taskId)}>
                  Unlock
                </button>
              )}
            </div>
            <dl className="facts">
              <dt>Role</dt>
              <dd>{humanize(task.target_role)}</dd>
              <dt>Difficulty</dt>
              <dd>{task.difficulty}</dd>
              <dt>Complexity</dt>
              <dd>{task.complexity}</dd>
              <dt>Priority</dt>
              <dd>{task.priority}</dd>
              <dt>Held by</dt>
              <dd>
                {task.locked_by ?? '-'}
                {task.lease_expires_at !== null && (
                  <>
                    {' · '}
                    <LeaseLeft expiresAt={task.lease_expires_at} />
                  </>
                )}
              </dd>
              <dt>Attempts</dt>
              <dd>
                {task.attempts} ({task.failures} failed)
              </dd>
              <dt>Cost so far</dt>
              <dd>
                {summary === undefined
                  ? '-'
                  : `${formatUsd(summary.cost_usd)} over ${summary.runs} runs`}
                {task.budget_usd !== null && ` of ${formatUsd(task.budget_usd)} budget`}
              </dd>
              <dt>Branch (plan)</dt>
              <dd className="mono">{task.branch || '-'}</dd>
              <dt>Work branch</dt>
              <dd className="mono">{task.work_branch ?? '-'}</dd>
              <dt>Reviewed commit</dt>
              <dd className="mono">{task.work_commit ?? '-'}</dd>
              <dt>Created</dt>
              <dd>
                {formatDateTime(task.created_at)} by {task.created_by}
              </dd>
            </dl>
            <section className="drawer-section" aria-labelledby="drawer-description-heading">
              <h3 id="drawer-description-heading">Description</h3>
              {task.description.trim() === '' ? (
                <p className="muted" data-testid={TEST_IDS.drawerDescription}>
                  No description.
                </p>
              ) : (
                <Markdown
                  text={task.description}
                  className="description"
                  testId={TEST_IDS.drawerDescription}
                />
              )}
            </section>
            <DrawerComments taskId={taskId} comments={comments} />
            <DrawerChangelog changelog={changelog} />
            {holder !== undefined && liveActivity !== undefined && (
              <DrawerLive agentId={holder.agent_id} activity={liveActivity} />
            )}
            <DrawerRuns taskId={taskId} runs={runs} />
          </div>
        )}
      </aside>
    </>
  )
}
