import type { HeadlessPMClient } from '../client/index.js'
import type { AgentActivity } from '../contract/index.js'
import type { AgentStatus } from './team-supervisor.js'

/** What the server says of one agent, for the live view. */
export interface AgentServerView {
  activity: Pick<AgentActivity, 'task_id' | 'phase' | 'tool' | 'detail' | 'since'> | null
  /** US dollars of the runs it recorded since the team started. */
  costUsd: number
}

const COLUMNS = ['agent', 'state', 'pid', 'task', 'phase', 'tool', 'elapsed', 'cost'] as const

/** The live table, one line per agent, as plain text lines (no colours, so widths stay right). */
export function renderTeamTable(
  statuses: readonly AgentStatus[],
  server: ReadonlyMap<string, AgentServerView>,
  nowMs: number,
): string[] {
  const rows = statuses.map((s) => {
    const view = server.get(s.agentId)
    const activity = s.pid === null ? null : (view?.activity ?? null)
    const sinceMs = activity ? Date.parse(activity.since) : s.startedAtMs
    const tool = activity?.tool
      ? `${activity.tool}${activity.detail ? ` ${activity.detail}` : ''}`
      : ''
    return [
      s.agentId,
      stateCell(s),
      s.pid === null ? '' : String(s.pid),
      activity?.task_id == null ? '' : `#${activity.task_id}`,
      activity?.phase ?? (s.pid === null ? '' : 'waiting for work'),
      clip(tool, 40),
      sinceMs === null || Number.isNaN(sinceMs) ? '' : formatElapsed(nowMs - sinceMs),
      view && view.costUsd > 0 ? `$${view.costUsd.toFixed(2)}` : '',
    ]
  })
  const widths = COLUMNS.map((name, i) =>
    Math.max(name.length, ...rows.map((r) => r[i]?.length ?? 0)),
  )
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(COLUMNS), ...rows.map(line)]
}

function stateCell(s: AgentStatus): string {
  const restarts = s.restarts > 0 ? ` (${s.restarts} restarts)` : ''
  // A stopped agent says how it ended: `exit 0`, `killed by SIGKILL`.
  const exit = s.state === 'stopped' && s.lastExit ? `: ${s.lastExit.split(':')[0]}` : ''
  return `${s.state}${exit}${restarts}`
}

/** `42 s`, `3 m 05 s`, `2 h 07 m`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/**
 * Asks the server every few seconds what each agent is doing and what its runs cost. For the view
 * only: a failed poll keeps the last answer, and nothing else depends on it.
 */
export class TeamServerPoller {
  readonly #client: HeadlessPMClient
  readonly #agentIds: readonly string[]
  readonly #sinceMs: number
  #latest = new Map<string, AgentServerView>()
  #timer: NodeJS.Timeout | undefined
  #isPolling = false

  constructor(client: HeadlessPMClient, agentIds: readonly string[], sinceMs: number) {
    this.#client = client
    this.#agentIds = agentIds
    this.#sinceMs = sinceMs
  }

  latest(): ReadonlyMap<string, AgentServerView> {
    return this.#latest
  }

  start(intervalMs: number): void {
    void this.poll()
    this.#timer = setInterval(() => void this.poll(), intervalMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  async poll(): Promise<void> {
    if (this.#isPolling) return
    this.#isPolling = true
    try {
      const wanted = new Set(this.#agentIds)
      const agents = (await this.#client.listAgents({ timeoutMs: 10_000 })).filter((a) =>
        wanted.has(a.agent_id),
      )
      const next = new Map<string, AgentServerView>()
      await Promise.all(
        agents.map(async (agent) => {
          const runs = await this.#client.listRecentRuns(
            { agentId: agent.agent_id, limit: 50 },
            { timeoutMs: 10_000 },
          )
          const costUsd = runs
            .filter((r) => Date.parse(r.started_at) >= this.#sinceMs)
            .reduce((sum, r) => sum + (r.cost_usd ?? 0), 0)
          next.set(agent.agent_id, { activity: agent.activity, costUsd })
        }),
      )
      this.#latest = next
    } catch {
      // The view shows the last answer; the runners do not depend on it.
    } finally {
      this.#isPolling = false
    }
  }
}
