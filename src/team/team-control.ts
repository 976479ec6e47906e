import type { HeadlessPMClient } from '../client/index.js'
import { isProcessAlive, signalGroup } from '../lib/index.js'
import { isLockLive, readAgentLock } from './agent-lock.js'
import type { Team } from './team-file.js'

/** One agent of a team as `hpm team status` shows it. */
export interface TeamAgentReport {
  agent_id: string
  role: string
  level: string
  /** `running`: its runner lives; `supervised`: its supervisor lives, the runner is between restarts; `unsupervised`: a runner whose supervisor is gone; `stopped`. */
  state: 'running' | 'supervised' | 'unsupervised' | 'stopped'
  supervisor_pid: number | null
  runner_pid: number | null
  /** Task ids the server says it holds. */
  tasks: number[]
  phase: string | null
  tool: string | null
  last_seen: string | null
}

/** Who runs (pid files, checked alive) and what each holds (the server; left empty when it cannot be reached). */
export async function reportTeam(
  team: Team,
  teamDir: string,
  client: HeadlessPMClient,
): Promise<{ agents: TeamAgentReport[]; server: string }> {
  let serverNote = 'reachable'
  let serverAgents = new Map<
    string,
    { activity: { phase: string; tool: string | null } | null; last_seen: string }
  >()
  let tasks: { id: number; locked_by: string | null }[] = []
  try {
    const [agents, locked] = await Promise.all([
      client.listAgents({ timeoutMs: 10_000 }),
      client.listTasks({ status: 'under_work' }, { timeoutMs: 10_000 }),
    ])
    serverAgents = new Map(agents.map((a) => [a.agent_id, a]))
    tasks = locked
  } catch (error) {
    serverNote = `not reachable (${error instanceof Error ? error.message : String(error)})`
  }
  const agents: TeamAgentReport[] = []
  for (const agent of team.agents) {
    const lock = await readAgentLock(teamDir, agent.agentId)
    const isSupervisorAlive = lock !== undefined && isProcessAlive(lock.supervisor_pid)
    const isRunnerAlive = lock?.runner_pid != null && isProcessAlive(lock.runner_pid)
    const server = serverAgents.get(agent.agentId)
    agents.push({
      agent_id: agent.agentId,
      role: agent.role,
      level: agent.level,
      state: isRunnerAlive
        ? isSupervisorAlive
          ? 'running'
          : 'unsupervised'
        : isSupervisorAlive
          ? 'supervised'
          : 'stopped',
      supervisor_pid: isSupervisorAlive ? (lock?.supervisor_pid ?? null) : null,
      runner_pid: isRunnerAlive ? (lock?.runner_pid ?? null) : null,
      tasks: tasks.filter((t) => t.locked_by === agent.agentId).map((t) => t.id),
      phase: server?.activity?.phase ?? null,
      tool: server?.activity?.tool ?? null,
      last_seen: server?.last_seen ?? null,
    })
  }
  return { agents, server: serverNote }
}

/** What `hpm team down` signalled. */
export interface TeamDownResult {
  /** Supervisors asked to drain (SIGUSR2) or stop now (SIGTERM). */
  supervisors: number[]
  /** Runners whose supervisor is gone, signalled directly. */
  runners: { agent_id: string; pid: number }[]
}

/**
 * Asks each live supervisor of the team's agents to drain (SIGUSR2) or stop now (SIGTERM). A runner
 * left without its supervisor is signalled itself: SIGUSR2 to drain, SIGTERM to its group to stop.
 */
export async function signalTeamDown(
  team: Team,
  teamDir: string,
  isNow: boolean,
): Promise<TeamDownResult> {
  const supervisors = new Set<number>()
  const runners: TeamDownResult['runners'] = []
  for (const agent of team.agents) {
    const lock = await readAgentLock(teamDir, agent.agentId)
    if (!lock || !isLockLive(lock)) continue
    if (isProcessAlive(lock.supervisor_pid)) {
      supervisors.add(lock.supervisor_pid)
    } else if (lock.runner_pid !== null) {
      // SIGUSR2 to the runner alone: its group's other members would die of it.
      const isSent = isNow
        ? signalGroup(lock.runner_pid, 'SIGTERM')
        : signalProcess(lock.runner_pid, 'SIGUSR2')
      if (isSent) runners.push({ agent_id: agent.agentId, pid: lock.runner_pid })
    }
  }
  const signalled = [...supervisors].filter((pid) =>
    signalProcess(pid, isNow ? 'SIGTERM' : 'SIGUSR2'),
  )
  return { supervisors: signalled, runners }
}

/** False when the process is already gone. */
function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal)
    return true
  } catch {
    return false
  }
}
