import { useMemo } from 'react'

import type { StatsResponse } from '../../../src/contract/index.js'
import { BarChart } from '../components/BarChart.js'
import { CostTable } from '../components/CostTable.js'
import { dailySeries, formatDay } from '../daily-series.js'
import { formatCount, formatElapsed, formatUsd, humanize } from '../format.js'
import { useLiveFetched } from '../hooks/use-live-fetched.js'
import { useNow } from '../hooks/use-now.js'
import { useSession } from '../hooks/use-session.js'
import { FLOW_STATUSES, STATUS_LABELS } from '../task-filters.js'
import { TEST_IDS } from '../test-ids.js'

/** Days the two charts show, ending today (UTC). */
const CHART_DAYS = 30

function statusRows(
  byStatus: StatsResponse['tasks_by_status'],
): { status: string; label: string; count: number }[] {
  const flow = FLOW_STATUSES.map((s) => ({
    status: s,
    label: STATUS_LABELS[s],
    count: byStatus[s] ?? 0,
  }))
  // Legacy statuses (`evaluation`, `approved`) only when some task still has one.
  const other = Object.entries(byStatus)
    .filter(([s, n]) => n > 0 && !(FLOW_STATUSES as readonly string[]).includes(s))
    .map(([s, n]) => ({ status: s, label: humanize(s), count: n }))
  return [...flow, ...other]
}

/** The project in numbers: tasks per status, throughput and cost over time, who did what. */
export function Overview() {
  const { client } = useSession()
  const stats = useLiveFetched('stats', (signal) => client.getStats({ signal }))
  const now = useNow(60_000)
  const data = stats.data

  const committed = useMemo(
    () =>
      data === undefined
        ? []
        : dailySeries(
            data.committed_per_day.map((d) => ({ day: d.day, value: d.tasks })),
            CHART_DAYS,
            now,
          ),
    [data, now],
  )
  const cost = useMemo(
    () =>
      data === undefined
        ? []
        : dailySeries(
            data.cost_per_day.map((d) => ({ day: d.day, value: d.cost_usd })),
            CHART_DAYS,
            now,
          ),
    [data, now],
  )

  return (
    <section
      className="wide-page overview-page"
      data-testid={TEST_IDS.overview}
      aria-labelledby="overview-heading"
    >
      <h1 id="overview-heading">Overview</h1>
      {stats.error !== undefined && (
        <p className="error-text">Could not load the numbers: {stats.error}</p>
      )}
      {data === undefined ? (
        stats.error === undefined && <p className="muted">Loading…</p>
      ) : (
        <>
          <ul className="stat-tiles" aria-label="Tasks per status">
            {statusRows(data.tasks_by_status).map((row) => (
              <li key={row.status} className={`stat-tile status-${row.status}`}>
                <span className="stat-label">{row.label}</span>
                <span className="stat-value" data-testid={TEST_IDS.statusCount(row.status)}>
                  {formatCount(row.count)}
                </span>
              </li>
            ))}
            <li className="stat-tile lead-time">
              <span className="stat-label">Median created → committed</span>
              <span className="stat-value" data-testid={TEST_IDS.medianLeadTime}>
                {data.median_created_to_committed_seconds === null
                  ? '-'
                  : formatElapsed(data.median_created_to_committed_seconds * 1000)}
              </span>
            </li>
          </ul>
          <div className="chart-grid">
            <BarChart
              title={`Tasks committed per day, last ${CHART_DAYS} days`}
              bars={committed.map((d) => ({ key: d.day, label: formatDay(d.day), value: d.value }))}
              format={formatCount}
              testId={TEST_IDS.chart('committed')}
            />
            <BarChart
              title={`Runner cost per day, last ${CHART_DAYS} days`}
              bars={cost.map((d) => ({ key: d.day, label: formatDay(d.day), value: d.value }))}
              format={formatUsd}
              testId={TEST_IDS.chart('cost')}
            />
          </div>
          <div className="table-grid">
            <CostTable
              by="epic"
              caption="Cost by epic"
              rows={data.cost_by_epic.map((r) => ({
                key: String(r.epic_id),
                label: r.name,
                cost_usd: r.cost_usd,
                runs: r.runs,
              }))}
            />
            <CostTable
              by="agent"
              caption="Cost by agent"
              rows={data.cost_by_agent.map((r) => ({
                key: r.agent_id,
                label: r.agent_id,
                cost_usd: r.cost_usd,
                runs: r.runs,
              }))}
            />
            <CostTable
              by="model"
              caption="Cost by model"
              rows={data.cost_by_model.map((r) => ({
                key: r.model,
                label: r.model,
                cost_usd: r.cost_usd,
                runs: r.runs,
              }))}
            />
            <div className="table-scroll">
              <table className="data-table" data-testid={TEST_IDS.doneByAgent}>
                <caption>Work finished per agent</caption>
                <thead>
                  <tr>
                    <th scope="col">Agent</th>
                    <th scope="col" className="num">
                      Dev done
                    </th>
                    <th scope="col" className="num">
                      QA done
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.done_by_agent.length === 0 && (
                    <tr>
                      <td colSpan={3} className="muted">
                        No work finished yet.
                      </td>
                    </tr>
                  )}
                  {data.done_by_agent.map((row) => (
                    <tr key={row.agent_id}>
                      <th scope="row">{row.agent_id}</th>
                      <td className="num">{row.dev_done}</td>
                      <td className="num">{row.qa_done}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </>
      )}
    </section>
  )
}
