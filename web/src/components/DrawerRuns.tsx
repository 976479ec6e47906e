import type { RunResponse } from '../../../src/contract/index.js'
import { formatCount, formatDateTime, formatDuration, formatUsd, humanize } from '../format.js'
import type { Fetched } from '../hooks/use-fetched.js'
import { TEST_IDS } from '../test-ids.js'
import { DrawerTranscript } from './DrawerTranscript.js'

export interface DrawerRunsProps {
  taskId: number
  runs: Fetched<RunResponse[]>
}

function orDash(value: string | number | null): string {
  return value === null ? '-' : String(value)
}

/** The runner's attempts, newest first: what Claude did, what it cost and how the runner judged it. */
export function DrawerRuns({ taskId, runs }: DrawerRunsProps) {
  const newestFirst = runs.data === undefined ? undefined : [...runs.data].reverse()
  return (
    <section className="drawer-section" aria-labelledby="drawer-runs-heading">
      <h3 id="drawer-runs-heading">Runner attempts</h3>
      <ol className="runs" data-testid={TEST_IDS.drawerRuns}>
        {runs.error !== undefined && <li className="error-text">{runs.error}</li>}
        {newestFirst === undefined && runs.error === undefined && (
          <li className="muted">Loading…</li>
        )}
        {newestFirst?.length === 0 && <li className="muted">No runner attempts yet.</li>}
        {newestFirst?.map((run) => (
          <li
            key={run.id}
            className={`run verdict-${run.verdict}`}
            data-testid={TEST_IDS.run(run.id)}
          >
            <div className="run-head">
              <strong>Attempt {run.attempt}</strong>
              <span className={`badge verdict verdict-${run.verdict}`}>{run.verdict}</span>
              <span className="muted">{humanize(run.outcome)}</span>
              <time dateTime={run.started_at}>{formatDateTime(run.started_at)}</time>
            </div>
            {run.verdict_reason !== null && <p className="run-reason">{run.verdict_reason}</p>}
            {run.error !== null && run.error !== run.verdict_reason && (
              <p className="run-reason error-text">{run.error}</p>
            )}
            <dl className="run-facts">
              <dt>Agent</dt>
              <dd>{run.agent_id}</dd>
              <dt>Model</dt>
              <dd>{orDash(run.model)}</dd>
              <dt>Duration</dt>
              <dd>{formatDuration(run.duration_ms)}</dd>
              <dt>Cost</dt>
              <dd>{run.cost_usd === null ? '-' : formatUsd(run.cost_usd)}</dd>
              <dt>Tokens in / out</dt>
              <dd>
                {run.input_tokens === null ? '-' : formatCount(run.input_tokens)} /{' '}
                {run.output_tokens === null ? '-' : formatCount(run.output_tokens)}
              </dd>
              <dt>Turns</dt>
              <dd>{orDash(run.num_turns)}</dd>
              <dt>Exit code</dt>
              <dd>{orDash(run.exit_code)}</dd>
              <dt>Session</dt>
              <dd className="mono">{orDash(run.session_id)}</dd>
            </dl>
            {run.transcript_entries > 0 && (
              <DrawerTranscript taskId={taskId} runId={run.id} count={run.transcript_entries} />
            )}
          </li>
        ))}
      </ol>
    </section>
  )
}
