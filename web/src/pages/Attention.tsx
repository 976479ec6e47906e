import type { AttentionItem } from '../../../src/contract/index.js'
import { moveTask, unlockTask } from '../actions.js'
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

/** The action that resolves an item; the two "no agent" reasons are resolved by starting an agent. */
const ACTIONS: Partial<Record<Reason, { label: string; run: (session: Session, taskId: number) => Promise<boolean> }>> = {
  failure_budget_spent: { label: 'Approve again', run: (session, taskId) => moveTask(session, taskId, 'created') },
  awaiting_merge: { label: 'Mark committed', run: (session, taskId) => moveTask(session, taskId, 'committed') },
  holder_away: { label: 'Unlock', run: unlockTask },
}

/** The home page: what no agent will act on, so a person must. */
export function Attention() {
  const session = useSession()
  const route = useRoute()
  const attention = useDashboard((s) => s.attention)

  const open = (taskId: number) => navigate(withParams(route, { task: String(taskId) }))

  return (
    <section className="attention-page" data-testid={TEST_IDS.attention} aria-labelledby="attention-heading">
      <h1 id="attention-heading">Needs attention</h1>
      {attention === undefined && <p className="muted">Loading…</p>}
      {attention?.length === 0 && <p className="empty">Nothing needs you right now.</p>}
      {attention !== undefined &&
        REASONS.map(({ reason, heading }) => {
          const items = attention.filter((item) => item.reason === reason)
          if (items.length === 0) return null
          const action = ACTIONS[reason]
          return (
            <section key={reason} className="attention-group" aria-labelledby={`attention-${reason}-heading`}>
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
                    <button type="button" className="attention-open" onClick={() => open(item.task_id)}>
                      <span className="attention-title">
                        <span className="card-id">#{item.task_id}</span> {item.title}
                      </span>
                      <span className="attention-detail">{item.detail}</span>
                    </button>
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
