import { createWriteStream, mkdirSync } from 'node:fs'
import type { WriteStream } from 'node:fs'
import { join } from 'node:path'

import { pause } from '../client/index.js'
import { ProcessStartError, spawnStreaming } from '../lib/index.js'
import type { StreamingProcess } from '../lib/index.js'
import { acquireAgentLock, releaseAgentLock, updateAgentLock } from './agent-lock.js'
import type { AgentLockRecord } from './agent-lock.js'
import {
  describeExit,
  nextCrashCount,
  onPurposeReason,
  restartDelayMs,
  STABLE_RUN_MS,
  MAX_RESTART_DELAY_MS,
} from './restart-policy.js'
import { runnerArgv, runnerEnv } from './runner-launch.js'
import type { Team, TeamAgent } from './team-file.js'

export type AgentRunState =
  'starting' | 'running' | 'draining' | 'stopping' | 'restarting' | 'stopped' | 'held_elsewhere'

/** What the supervisor knows of one agent, for the live view. */
export interface AgentStatus {
  agentId: string
  role: string
  level: string
  state: AgentRunState
  pid: number | null
  /** When the current runner process started (ms since the epoch). */
  startedAtMs: number | null
  restarts: number
  /** How the last runner process ended, e.g. `exit 0: finished (…)`. */
  lastExit: string | null
}

export type TeamEvent =
  /** A line the runner printed (stdout or stderr). */
  | { kind: 'line'; agentId: string; line: string }
  /** Something the supervisor did or saw; `agentId` unset for the team as a whole. */
  | { kind: 'note'; agentId?: string; text: string }

export interface TeamSupervisorOptions {
  team: Team
  /** `<state dir>/team`: pid files in `pids/`, logs in `logs/`. */
  teamDir: string
  /** The runners' base environment (the supervisor's own). */
  env: Readonly<Record<string, string | undefined>>
  onEvent?: (event: TeamEvent) => void
  /** Overrides for tests and benches; defaults from restart-policy.ts. */
  maxRestartDelayMs?: number
  stableRunMs?: number
}

type Mode = 'running' | 'draining' | 'stopping'

/** Output kept per runner in memory: only the tail, the log file has the rest. */
const MAX_KEPT_OUTPUT_BYTES = 64 * 1024

/**
 * Runs every agent of a team as an `hpm run` child in its own process group: restarts one that
 * crashes (at once, then with a capped backoff), leaves one that exits on purpose stopped, drains
 * or stops them all on request. Each agent is held with a pid file so a second supervisor of the
 * same team does not start it twice.
 */
export class TeamSupervisor {
  readonly #options: TeamSupervisorOptions
  readonly #status = new Map<string, AgentStatus>()
  readonly #children = new Map<string, StreamingProcess>()
  readonly #wake = new AbortController()
  #mode: Mode = 'running'
  readonly #takenAt = new Date().toISOString()
  #done: Promise<void> = Promise.resolve()

  constructor(options: TeamSupervisorOptions) {
    this.#options = options
    for (const agent of options.team.agents) {
      this.#status.set(agent.agentId, {
        agentId: agent.agentId,
        role: agent.role,
        level: agent.level,
        state: 'starting',
        pid: null,
        startedAtMs: null,
        restarts: 0,
        lastExit: null,
      })
    }
  }

  /** Takes every agent not held elsewhere and starts its runner. Resolves with what was started. */
  async start(): Promise<{ started: string[]; heldElsewhere: AgentLockRecord[] }> {
    const { team, teamDir } = this.#options
    mkdirSync(join(teamDir, 'logs'), { recursive: true, mode: 0o700 })
    const started: string[] = []
    const heldElsewhere: AgentLockRecord[] = []
    const loops: Promise<void>[] = []
    for (const agent of team.agents) {
      const record = this.#record(agent.agentId, null)
      const lock = await acquireAgentLock(teamDir, record)
      if (lock.kind === 'held') {
        heldElsewhere.push(lock.holder)
        this.#set(agent.agentId, { state: 'held_elsewhere', pid: lock.holder.runner_pid })
        this.#note(
          `already running under supervisor ${lock.holder.supervisor_pid} (runner pid ${lock.holder.runner_pid ?? 'none'}); not started here`,
          agent.agentId,
        )
        continue
      }
      started.push(agent.agentId)
      loops.push(this.#supervise(agent))
    }
    this.#done = Promise.all(loops).then(() => undefined)
    return { started, heldElsewhere }
  }

  /** Resolves once every runner this supervisor started has ended and its pid file is gone. */
  get done(): Promise<void> {
    return this.#done
  }

  /** Whether a drain or stop was asked for. */
  get mode(): Mode {
    return this.#mode
  }

  statuses(): AgentStatus[] {
    return [...this.#status.values()].map((s) => ({ ...s }))
  }

  /** Each runner finishes its task in hand, then exits 0 (SIGUSR2); nothing is restarted any more. */
  drain(): void {
    if (this.#mode !== 'running') return
    this.#mode = 'draining'
    this.#note(
      'draining: each runner finishes its current task, then stops (Ctrl-C again to stop now)',
    )
    this.#wake.abort()
    for (const [agentId, child] of this.#children) this.#drainChild(agentId, child)
  }

  /** SIGTERM to every runner's group now (SIGKILL after the grace period); claimed tasks resume on the next start. */
  stopNow(): void {
    if (this.#mode === 'stopping') return
    this.#mode = 'stopping'
    this.#note(
      'stopping now: runners stop their Claude; claimed tasks stay claimed and resume on the next start',
    )
    this.#wake.abort()
    for (const [agentId, child] of this.#children) {
      this.#set(agentId, { state: 'stopping' })
      child.kill('stop')
    }
  }

  async #supervise(agent: TeamAgent): Promise<void> {
    const { teamDir } = this.#options
    const log = createWriteStream(join(teamDir, 'logs', `${agent.agentId}.log`), {
      flags: 'a',
      mode: 0o600,
    })
    // A failing log file must never stop the runner: it is only written to.
    log.on('error', () => {})
    let crashes = 0
    try {
      while (this.#mode === 'running') {
        let why = 'could not start'
        const startedAtMs = Date.now()
        const child = await this.#spawn(agent, log)
        if (child) {
          this.#children.set(agent.agentId, child)
          this.#set(agent.agentId, { state: 'running', pid: child.pid, startedAtMs })
          await updateAgentLock(teamDir, this.#record(agent.agentId, child.pid))
          this.#note(`started (pid ${child.pid})`, agent.agentId, log)
          // Asked to drain or stop while it was starting: pass it on now.
          const mode = this.#mode as Mode
          if (mode === 'draining') this.#drainChild(agent.agentId, child)
          if (mode === 'stopping') child.kill('stop')
          const result = await child.done
          this.#children.delete(agent.agentId)
          const reason = onPurposeReason(result)
          const exit = `${describeExit(result)}${reason ? `: ${reason}` : ''}`
          this.#set(agent.agentId, { pid: null, startedAtMs: null, lastExit: exit })
          await updateAgentLock(teamDir, this.#record(agent.agentId, null))
          if (this.#mode !== 'running' || reason !== undefined) {
            this.#note(`ended (${exit})`, agent.agentId, log)
            break
          }
          why = exit
          crashes = nextCrashCount(
            crashes,
            Date.now() - startedAtMs,
            this.#options.stableRunMs ?? STABLE_RUN_MS,
          )
        } else {
          crashes++
        }
        const delayMs = restartDelayMs(
          crashes,
          this.#options.maxRestartDelayMs ?? MAX_RESTART_DELAY_MS,
        )
        const status = this.#status.get(agent.agentId)
        this.#set(agent.agentId, { state: 'restarting', restarts: (status?.restarts ?? 0) + 1 })
        this.#note(
          `${why}: unexpected; restarting ${delayMs === 0 ? 'now' : `in ${Math.round(delayMs / 1000)} s`} (crash ${crashes} in a row)`,
          agent.agentId,
          log,
        )
        await pause(delayMs, this.#wake.signal)
      }
    } finally {
      this.#set(agent.agentId, { state: 'stopped', pid: null, startedAtMs: null })
      await releaseAgentLock(teamDir, agent.agentId, process.pid)
      await new Promise<void>((resolve) => log.end(resolve))
    }
  }

  async #spawn(agent: TeamAgent, log: WriteStream): Promise<StreamingProcess | undefined> {
    const { team } = this.#options
    const emit = (line: string): void => {
      log.write(`${line}\n`)
      this.#options.onEvent?.({ kind: 'line', agentId: agent.agentId, line })
    }
    const stderrLines = lineSplitter(emit)
    try {
      return await spawnStreaming(process.execPath, runnerArgv(team, agent), {
        cwd: team.repoDir,
        env: runnerEnv(this.#options.env, agent),
        onLine: emit,
        onStderr: stderrLines,
        killGraceMs: team.stopGraceMs,
        maxOutputBytes: MAX_KEPT_OUTPUT_BYTES,
      })
    } catch (error) {
      if (!(error instanceof ProcessStartError)) throw error
      this.#note(`cannot start the runner: ${error.message}`, agent.agentId, log)
      return undefined
    }
  }

  #drainChild(agentId: string, child: StreamingProcess): void {
    this.#set(agentId, { state: 'draining' })
    // To the runner alone, not its group: SIGUSR2 would kill a hook or anything else that does not handle it.
    try {
      process.kill(child.pid, 'SIGUSR2')
    } catch {
      // Already gone: its exit is handled where it is awaited.
    }
  }

  #record(agentId: string, runnerPid: number | null): AgentLockRecord {
    const status = this.#status.get(agentId)
    return {
      agent_id: agentId,
      supervisor_pid: process.pid,
      runner_pid: runnerPid,
      team_file: this.#options.team.file,
      started_at: this.#takenAt,
      runner_started_at:
        runnerPid !== null && status?.startedAtMs
          ? new Date(status.startedAtMs).toISOString()
          : null,
    }
  }

  #set(agentId: string, patch: Partial<AgentStatus>): void {
    const status = this.#status.get(agentId)
    if (status) Object.assign(status, patch)
  }

  #note(text: string, agentId?: string, log?: WriteStream): void {
    log?.write(`[team] ${new Date().toISOString()} ${text}\n`)
    this.#options.onEvent?.({ kind: 'note', agentId, text })
  }
}

/** Turns output chunks into whole lines. */
function lineSplitter(emit: (line: string) => void): (chunk: string) => void {
  let partial = ''
  return (chunk) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? ''
    for (const line of parts) emit(line.replace(/\r$/, ''))
  }
}
