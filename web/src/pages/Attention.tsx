import { useMemo, useState } from 'react'

import type { AgentRole, AttentionItem } from '../../../src/contract/index.js'
import { moveTask, reassignTask, unlockTask } from '../actions.js'
import { humanize } from '../format.js'
import { useDashboard, useSession } from '../hooks/use-session.js'
import { navigate, useRoute, withParams } from '../routes.js'
import type { Session } from '../session.js'
import { TEST_IDS } from '../test-ids.js'

type Reason = AttentionItem['reason']

const REASONS: { reason: Reason; heading: string }[] = [
  { reason: 'failure_budget_spent', heading: 'Runner attempts kept failing' },
  { reason: 'awaiting_merge', heading: 'Waiting for your merge' },
  { reason: 'holder_away', heading: 'Held by an agent that went away' },
  { reason: 'no_qa_can_review', heading: 'No QA agent can review' },
  { reason: 'no_agent_for_role', heading: 'No agent for the role' },
]

/** The action that resolves an item; "no QA may review" is resolved by starting a QA agent. */
const ACTIONS: Partial<
  Record<Reason, { label: string; run: (session: Session, taskId: number) => Promise<boolean> }>
> = {
  failure_budget_spent: {
    label: 'Approve again',
    run: (session, taskId) => moveTask(session, taskId, 'created'),
  },
  awaiting_merge: {
    label: 'Mark committed',
    run: (session, taskId) => moveTask(session, taskId, 'committed'),
  },
  holder_away: { label: 'Unlock', run: unlockTask },
}

/** The home page: what no agent will act on, so a person must. */
export function Attention() {
  const session = useSession()
  const route = useRoute()
  const attention = useDashboard((s) => s.attention)

  const open = (taskId: number) => navigate(withParams(route, { task: String(taskId) }))

  return (
    <section
      className="attention-page"
      data-testid={TEST_IDS.attention}
      aria-labelledby="attention-heading"
    >
      <h1 id="attention-heading">Needs attention</h1>
      {attention === undefined && <p className="muted">Loading…</p>}
      {attention?.length === 0 && <p className="empty">Nothing needs you right now.</p>}
      {attention !== undefined &&
        REASONS.map(({ reason, heading }) => {
          const items = attention.filter((item) => item.reason === reason)
          if (items.length === 0) return null
          const action = ACTIONS[reason]
          return (
            <section
              key={reason}
              className="attention-group"
              aria-labelledby={`attention-${reason}-heading`}
            >
              <h2 id={`attention-${reason}-heading`}>
                {heading} <span className="column-count">{items.length}</span>
              </h2>
              <ul>
                {items.map((item) => (
                  <li
                    key={`${item.reason}-${item.task_id}`}
                    className="attention-item"
                    data-testid={TEST_IDS.attentionItem(item.reason, item.task_id)}
                  >
                    <button
                      type="button"
                      className="attention-open"
                      onClick={() => open(item.task_id)}
                    >
                      <span className="attention-title">
                        <span className="card-id">#{item.task_id}</span> {item.title}
                      </span>
                      <span className="attention-detail">{item.detail}</span>
                    </button>
                    {reason === 'no_agent_for_role' && <Reassign taskId={item.task_id} />}
                    {action !== undefined && (
                      <button
                        type="button"
                        className="primary"
                        data-testid={TEST_IDS.attentionAction(item.reason, item.task_id)}
                        onClick={() => void action.run(session, item.task_id)}
                      >
                        {action.label}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          )
        })}
    </section>
  )
}

/** Gives a task the role of an agent that is registered; nothing to offer while there is none. */
function Reassign({ taskId }: { taskId: number }) {
  const session = useSession()
  const agents = useDashboard((s) => s.agents)
  const current = useDashboard((s) => s.tasks?.get(taskId)?.target_role)
  const roles = useMemo(
    () => [...new Set((agents ?? []).map((a) => a.role))].filter((r) => r !== current).sort(),
    [agents, current],
  )
  const [chosen, setChosen] = useState<AgentRole | undefined>(undefined)
  if (roles.length === 0) return null
  const role = chosen !== undefined && roles.includes(chosen) ? chosen : roles[0]!
  return (
    <span className="attention-reassign">
      <label>
        <span className="visually-hidden">Role for task {taskId}</span>
        <select
          value={role}
          data-testid={TEST_IDS.reassignRole(taskId)}
          onChange={(e) => setChosen(e.target.value as AgentRole)}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {humanize(r)}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className="primary"
        data-testid={TEST_IDS.attentionAction('no_agent_for_role', taskId)}
        onClick={() => void reassignTask(session, taskId, role)}
      >
        Reassign
      </button>
    </span>
  )
}
