import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'

import { HeadlessPMClient, pause } from '../../client/index.js'
import { loadRepoConfig } from '../../config/index.js'
import type { EnvMap } from '../../config/index.js'
import { exitCodeOfSignal, onStopSignals } from '../../lib/index.js'
import {
  DEFAULT_TEAM_FILE,
  loadTeamFile,
  reportTeam,
  renderTeamTable,
  signalTeamDown,
  TeamServerPoller,
  TeamSupervisor,
} from '../../team/index.js'
import type { Team, TeamAgentReport, TeamDownResult, TeamEvent } from '../../team/index.js'
import { CommandFailedError, EXIT } from '../exit-codes.js'

/** What every `hpm team` command is given by the entry point. */
export interface TeamContext {
  file: string | undefined
  env: EnvMap
  cwd: string
  url?: string
  apiKey?: string
}

interface LoadedTeam {
  team: Team
  /** `<runner state dir>/team`. */
  teamDir: string
  client: HeadlessPMClient
}

async function loadTeam(ctx: TeamContext): Promise<LoadedTeam> {
  const team = await loadTeamFile(ctx.file ?? DEFAULT_TEAM_FILE, ctx.cwd)
  const repo = loadRepoConfig({
    flags: { repo: team.repoDir, url: ctx.url ?? team.server, apiKey: ctx.apiKey },
    env: ctx.env,
    cwd: ctx.cwd,
  })
  return {
    team,
    teamDir: join(repo.stateDir, 'team'),
    client: new HeadlessPMClient({ baseUrl: repo.client.apiUrl, apiKey: repo.client.apiKey }),
  }
}

export interface TeamUpOptions {
  /** `table`: a redrawn table (default on a terminal); `lines`: runner output, prefixed. */
  view?: 'table' | 'lines'
}

const REDRAW_MS = 1000
const SERVER_POLL_MS = 3000
const NOTES_SHOWN = 8

/**
 * `hpm team up`: supervises every runner of the team until they have all stopped. Ctrl-C once
 * drains, twice stops now, three times exits at once (the runner groups are SIGKILLed on exit).
 */
export async function teamUp(ctx: TeamContext, options: TeamUpOptions): Promise<number> {
  const { team, teamDir, client } = await loadTeam(ctx)
  const isTable = (options.view ?? (process.stdout.isTTY ? 'table' : 'lines')) === 'table'
  const notes: string[] = []
  const onEvent = (event: TeamEvent): void => {
    if (event.kind === 'line') {
      if (!isTable) process.stdout.write(`[${event.agentId}] ${event.line}\n`)
      return
    }
    const text = `${new Date().toISOString().slice(11, 19)} ${event.agentId ? `${event.agentId}: ` : ''}${event.text}`
    if (isTable) notes.splice(0, Math.max(0, notes.push(text) - NOTES_SHOWN))
    else process.stdout.write(`[team] ${text}\n`)
  }
  const supervisor = new TeamSupervisor({ team, teamDir, env: ctx.env, onEvent })

  let stopSignal: NodeJS.Signals | undefined
  // Ctrl-C drains, the next stops now; a signal while stopping exits at once (on exit the runner
  // groups are SIGKILLed), as does SIGTERM after a stop-now.
  const offStop = onStopSignals(
    (signal) => {
      if (signal === 'SIGINT' && supervisor.mode === 'running') return supervisor.drain()
      if (supervisor.mode === 'stopping') process.exit(exitCodeOfSignal(signal))
      stopSignal = signal
      supervisor.stopNow()
    },
    { exitOn: Infinity },
  )
  const onDrain = (): void => supervisor.drain()
  process.on('SIGUSR2', onDrain)

  const poller = isTable
    ? new TeamServerPoller(
        client,
        team.agents.map((a) => a.agentId),
        Date.now(),
      )
    : undefined
  let drawnLines = 0
  const draw = (): void => {
    const lines = [
      ...renderTeamTable(supervisor.statuses(), poller?.latest() ?? new Map(), Date.now()),
      '',
      ...notes,
    ]
    process.stdout.write(
      `${drawnLines > 0 ? `\x1b[${drawnLines}A\x1b[0J` : ''}${lines.join('\n')}\n`,
    )
    drawnLines = lines.length
  }
  const redraw = isTable ? setInterval(draw, REDRAW_MS) : undefined
  try {
    const { started, heldElsewhere } = await supervisor.start()
    if (started.length === 0) {
      const holders = [...new Set(heldElsewhere.map((h) => h.supervisor_pid))].join(', ')
      process.stdout.write(
        `every agent of ${team.file} is already running (supervisor pid ${holders}); see \`hpm team status\`\n`,
      )
      return EXIT.ok
    }
    poller?.start(SERVER_POLL_MS)
    onEvent({
      kind: 'note',
      text: `${started.length} runner(s) started; logs in ${join(teamDir, 'logs')}; Ctrl-C drains, twice stops now`,
    })
    await supervisor.done
  } finally {
    clearInterval(redraw)
    poller?.stop()
    if (isTable) draw()
    offStop()
    process.off('SIGUSR2', onDrain)
  }
  if (stopSignal) return exitCodeOfSignal(stopSignal)
  if (supervisor.mode === 'draining') return EXIT.ok
  return supervisor
    .statuses()
    .every((s) => s.state === 'held_elsewhere' || s.lastExit?.startsWith('exit 0'))
    ? EXIT.ok
    : EXIT.failed
}

/** `hpm team status`: who runs (pid files, checked alive) and what each holds (the server). */
export async function teamStatus(
  ctx: TeamContext,
): Promise<{ team_file: string; server: string; agents: TeamAgentReport[] }> {
  const { team, teamDir, client } = await loadTeam(ctx)
  const report = await reportTeam(team, teamDir, client)
  return { team_file: team.file, ...report }
}

/** `hpm team down`: asks the supervisor(s) to drain, or with `now` to stop at once. */
export async function teamDown(
  ctx: TeamContext,
  options: { now?: boolean },
): Promise<TeamDownResult> {
  const { team, teamDir } = await loadTeam(ctx)
  const result = await signalTeamDown(team, teamDir, options.now === true)
  if (result.supervisors.length === 0 && result.runners.length === 0)
    throw new CommandFailedError(`no agent of ${team.file} is running`)
  return result
}

/** `hpm team logs`: prints an agent's log file; with `follow`, keeps printing what is appended until interrupted. */
export async function teamLogs(
  ctx: TeamContext,
  agentId: string,
  options: { follow?: boolean },
): Promise<number> {
  const { team, teamDir } = await loadTeam(ctx)
  if (!team.agents.some((a) => a.agentId === agentId)) {
    throw new CommandFailedError(
      `${team.file} has no agent ${agentId}; its agents: ${team.agents.map((a) => a.agentId).join(', ')}`,
    )
  }
  const path = join(teamDir, 'logs', `${agentId}.log`)
  let offset = 0
  try {
    offset = (await stat(path)).size
  } catch {
    if (!options.follow) throw new CommandFailedError(`no log yet for ${agentId} (${path})`)
  }
  await copyRange(path, 0, offset)
  if (!options.follow) return EXIT.ok
  const stop = new AbortController()
  const onInterrupt = (): void => stop.abort()
  process.once('SIGINT', onInterrupt)
  try {
    while (!stop.signal.aborted) {
      await pause(500, stop.signal)
      const size = await stat(path).then(
        (s) => s.size,
        () => offset,
      )
      if (size < offset) offset = 0
      if (size > offset) {
        await copyRange(path, offset, size)
        offset = size
      }
    }
  } finally {
    process.off('SIGINT', onInterrupt)
  }
  return EXIT.ok
}

async function copyRange(path: string, start: number, end: number): Promise<void> {
  if (end <= start) return
  await new Promise<void>((resolve, reject) => {
    createReadStream(path, { start, end: end - 1 })
      .on('error', reject)
      .on('end', resolve)
      .on('data', (chunk) => process.stdout.write(chunk))
  })
}

/** `hpm team status` for people: a line per agent. */
export function teamStatusView(data: {
  team_file: string
  server: string
  agents: TeamAgentReport[]
}): string {
  const header = [
    'agent',
    'role',
    'level',
    'state',
    'supervisor',
    'runner',
    'tasks',
    'phase',
    'tool',
  ]
  const rows = data.agents.map((a) => [
    a.agent_id,
    a.role,
    a.level,
    a.state,
    a.supervisor_pid === null ? '' : String(a.supervisor_pid),
    a.runner_pid === null ? '' : String(a.runner_pid),
    a.tasks.map((t) => `#${t}`).join(' '),
    a.phase ?? '',
    a.tool ?? '',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [`${data.team_file} (server ${data.server})`, line(header), ...rows.map(line)].join('\n')
}

/** `hpm team down` for people. */
export function teamDownView(data: TeamDownResult): string {
  return [
    ...data.supervisors.map((pid) => `signalled supervisor ${pid}`),
    ...data.runners.map(
      (r) => `signalled ${r.agent_id}'s runner ${r.pid} (its supervisor is gone)`,
    ),
  ].join('\n')
}
