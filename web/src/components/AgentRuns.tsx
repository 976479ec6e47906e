import { formatDateTime, formatDuration, formatUsd } from '../format.js'
import { useLiveFetched } from '../hooks/use-live-fetched.js'
import { useDashboard, useSession } from '../hooks/use-session.js'
import { TEST_IDS } from '../test-ids.js'

/** How many of an agent's latest attempts the agents page lists. */
const RECENT_RUNS = 10

export interface AgentRunsProps {
  agentId: string
  onOpenTask: (taskId: number) => void
}

/** An agent's latest runner attempts, newest first, at any task: verdict, model, time and cost. */
export function AgentRuns({ agentId, onOpenTask }: AgentRunsProps) {
  const { client } = useSession()
  const tasks = useDashboard((s) => s.tasks)
  const runs = useLiveFetched(
    'runs',
    (signal) => client.listRecentRuns({ agentId, limit: RECENT_RUNS }, { signal }),
    agentId,
  )
  return (
    <div className="agent-runs">
      {runs.error !== undefined && (
        <p className="error-text">Could not load the attempts: {runs.error}</p>
      )}
      {runs.data === undefined && runs.error === undefined && <p className="muted">Loading…</p>}
      {runs.data?.length === 0 && <p className="muted">No runner attempts yet.</p>}
      {runs.data !== undefined && runs.data.length > 0 && (
        <ol className="agent-runs-list" data-testid={TEST_IDS.agentRuns(agentId)}>
          {runs.data.map((run) => (
            <li key={run.id} data-testid={TEST_IDS.run(run.id)}>
              <span className={`badge verdict verdict-${run.verdict}`}>{run.verdict}</span>{' '}
              <button
                type="button"
                className="link-button inline"
                onClick={() => onOpenTask(run.task_id)}
              >
                #{run.task_id} {tasks?.get(run.task_id)?.title ?? ''}
              </button>
              <span className="muted">
                {' '}
                attempt {run.attempt}
                {run.model === null ? '' : `, ${run.model}`}, {formatDuration(run.duration_ms)}
                {run.cost_usd === null ? '' : `, ${formatUsd(run.cost_usd)}`},{' '}
                <time dateTime={run.started_at}>{formatDateTime(run.started_at)}</time>
              </span>
              {run.verdict_reason !== null && (
                <div className="run-reason">{run.verdict_reason}</div>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  )
}
