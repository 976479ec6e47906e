import { useMemo } from 'react'

import { moveTask } from '../actions.js'
import { humanize } from '../format.js'
import { useDashboard, useSession } from '../hooks/use-session.js'
import { navigate, parseHash, withParams } from '../routes.js'
import { TEST_IDS } from '../test-ids.js'

/** Tasks waiting for a planner: proposed by a non-planner, or sent back by their failure budget. */
export function PendingApproval() {
  const session = useSession()
  const tasks = useDashboard((s) => s.tasks)
  const pending = useMemo(
    () =>
      [...(tasks?.values() ?? [])]
        .filter((t) => t.status === 'pending')
        .sort((a, b) => b.priority - a.priority || b.id - a.id),
    [tasks],
  )

  const open = (taskId: number) =>
    navigate(withParams(parseHash(window.location.hash), { task: String(taskId) }))

  return (
    <section
      className="pending-approval"
      data-testid={TEST_IDS.pendingApproval}
      aria-labelledby="pending-heading"
    >
      <h2 id="pending-heading">
        Pending approval <span className="column-count">{pending.length}</span>
      </h2>
      {pending.length === 0 ? (
        <p className="muted">No task waits for approval.</p>
      ) : (
        <ul className="item-list">
          {pending.map((task) => (
            <li
              key={task.id}
              className="attention-item"
              data-testid={TEST_IDS.pendingTask(task.id)}
            >
              <button type="button" className="attention-open" onClick={() => open(task.id)}>
                <span className="attention-title">
                  <span className="card-id">#{task.id}</span> {task.title}
                </span>
                <span className="attention-detail">
                  {humanize(task.target_role)} · {task.difficulty} · proposed by {task.created_by}
                  {task.failures > 0 && ` · ${task.failures} failed attempts`}
                </span>
              </button>
              <button
                type="button"
                className="primary"
                data-testid={TEST_IDS.approve(task.id)}
                onClick={() => void moveTask(session, task.id, 'created')}
              >
                Approve
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
