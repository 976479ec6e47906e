import { Fragment, useMemo, useState } from 'react'

import type { AgentResponse, StatsResponse, TaskResponse } from '../../../src/contract/index.js'
import { AgentNow } from '../components/AgentNow.js'
import { AgentRuns } from '../components/AgentRuns.js'
import { sortAgents } from '../dashboard-state.js'
import { formatAgo, formatDateTime, formatUsd, humanize } from '../format.js'
import { useNow } from '../hooks/use-now.js'
import { useLiveFetched } from '../hooks/use-live-fetched.js'
import { useDashboard, useSession } from '../hooks/use-session.js'
import { navigate, useRoute, withParams } from '../routes.js'
import { TEST_IDS } from '../test-ids.js'

const ONLINE_MS = 2 * 60_000
const IDLE_MS = 10 * 60_000

type Presence = 'online' | 'idle' | 'offline'

function presence(agent: AgentResponse, nowMs: number): Presence {
  const sinceMs = nowMs - Date.parse(agent.last_seen)
  if (sinceMs < ONLINE_MS) return 'online'
  if (sinceMs < IDLE_MS) return 'idle'
  return 'offline'
}

function doneText(done: StatsResponse['done_by_agent'][number] | undefined): string {
  const parts = [
    done?.dev_done ? `${done.dev_done} dev` : '',
    done?.qa_done ? `${done.qa_done} qa` : '',
  ].filter(Boolean)
  return parts.length === 0 ? '-' : parts.join(', ')
}

/** Every registered agent: who it is, whether it is around, what it holds, what it is doing now, what it did and cost. */
export function Agents() {
  const { client } = useSession()
  const route = useRoute()
  const stats = useLiveFetched('stats', (signal) => client.getStats({ signal }))
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set())
  const agents = useDashboard((s) => s.agents)
  const tasks = useDashboard((s) => s.tasks)
  const summaries = useDashboard((s) => s.runSummaries)
  const now = useNow(15_000)

  const held = useMemo(() => {
    const byAgent = new Map<string, TaskResponse[]>()
    for (const task of tasks?.values() ?? []) {
      if (task.locked_by === null) continue
      const list = byAgent.get(task.locked_by) ?? []
      list.push(task)
      byAgent.set(task.locked_by, list)
    }
    return byAgent
  }, [tasks])

  const sorted = useMemo(() => sortAgents(agents ?? []), [agents])
  const costs = useMemo(
    () => new Map(stats.data?.cost_by_agent.map((row) => [row.agent_id, row])),
    [stats.data],
  )
  const done = useMemo(
    () => new Map(stats.data?.done_by_agent.map((row) => [row.agent_id, row])),
    [stats.data],
  )
  const openTask = (taskId: number) => navigate(withParams(route, { task: String(taskId) }))
  const toggle = (agentId: string) =>
    setExpanded((open) => {
      const next = new Set(open)
      if (!next.delete(agentId)) next.add(agentId)
      return next
    })

  return (
    <section className="agents-page" data-testid={TEST_IDS.agents} aria-labelledby="agents-heading">
      <h1 id="agents-heading">Agents</h1>
      {agents === undefined && <p className="muted">Loading…</p>}
      {agents?.length === 0 && (
        <p className="empty">
          No agents registered yet. Start one with <code>hpm run</code>, or register with{' '}
          <code>hpm register</code>.
        </p>
      )}
      {sorted.length > 0 && (
        <div className="table-scroll">
          <table className="agents-table">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Role</th>
                <th scope="col">Level</th>
                <th scope="col">Presence</th>
                <th scope="col">Last seen</th>
                <th scope="col">Holds</th>
                <th scope="col">Done</th>
                <th scope="col">Cost</th>
                <th scope="col">Doing now</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((agent) => {
                const state = presence(agent, now)
                const holds = held.get(agent.agent_id) ?? []
                const cost = costs.get(agent.agent_id)
                const finished = done.get(agent.agent_id)
                const isExpanded = expanded.has(agent.agent_id)
                return (
                  <Fragment key={agent.agent_id}>
                    <tr data-testid={TEST_IDS.agentRow(agent.agent_id)}>
                      <th scope="row" className="mono">
                        {agent.agent_id}
                        {agent.connection_type === 'mcp' && <span className="badge">mcp</span>}
                      </th>
                      <td>{humanize(agent.role)}</td>
                      <td>{agent.level}</td>
                      <td>
                        <span className={`presence presence-${state}`}>{state}</span>
                      </td>
                      <td title={formatDateTime(agent.last_seen)}>
                        {formatAgo(agent.last_seen, now)}
                      </td>
                      <td>
                        {holds.length === 0
                          ? '-'
                          : holds.map((task) => {
                              const summary = summaries.get(task.id)
                              return (
                                <button
                                  key={task.id}
                                  type="button"
                                  className="link-button"
                                  onClick={() => openTask(task.id)}
                                >
                                  #{task.id} {task.title}{' '}
                                  <span className="muted">
                                    ({humanize(task.status)}
                                    {summary === undefined
                                      ? ''
                                      : `, ${summary.runs} runs, ${formatUsd(summary.cost_usd)}`}
                                    )
                                  </span>
                                </button>
                              )
                            })}
                      </td>
                      <td
                        data-testid={TEST_IDS.agentDone(agent.agent_id)}
                        title="tasks it moved to dev_done (development) and qa_done (review)"
                      >
                        {doneText(finished)}
                      </td>
                      <td>
                        <button
                          type="button"
                          className="link-button"
                          aria-expanded={isExpanded}
                          data-testid={TEST_IDS.agentRunsToggle(agent.agent_id)}
                          onClick={() => toggle(agent.agent_id)}
                          title="its latest runner attempts"
                        >
                          <span data-testid={TEST_IDS.agentCost(agent.agent_id)}>
                            {cost === undefined
                              ? 'no runs'
                              : `${formatUsd(cost.cost_usd)} (${cost.runs} ${cost.runs === 1 ? 'run' : 'runs'})`}
                          </span>
                        </button>
                      </td>
                      <td className="agent-now-cell">
                        <AgentNow
                          agentId={agent.agent_id}
                          activity={agent.activity}
                          onOpenTask={openTask}
                        />
                      </td>
                    </tr>
                    {isExpanded && (
                      <tr className="agent-runs-row">
                        <td colSpan={9}>
                          <AgentRuns agentId={agent.agent_id} onOpenTask={openTask} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
