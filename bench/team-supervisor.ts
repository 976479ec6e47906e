/**
 * What `hpm team up` itself costs while its runners wait for work: CPU (% of one core) and RSS of
 * the supervisor process alone (not its runners), with BENCH_TEAM_RUNNERS (default 10) idle runners
 * long-polling a real server, over BENCH_TEAM_SECONDS (default 30). The supervisor runs with the
 * table view (its redraw every second and its server poll every 3 s included), output to a pipe.
 * BENCH_TEAM_VIEW=lines measures the prefixed-lines view instead. `npx tsx bench/team-supervisor.ts`.
 * Linux only (reads /proc).
 */
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { childEnv, isProcessAlive, runProcess, spawnStreaming } from '../src/lib/index.js'
import {
  bounded,
  BENCH_API_KEY,
  BENCH_GIT_ENV,
  createRepo,
  FAKE_CLAUDE,
  HPM_BIN,
  log,
  machine,
  markdownTable,
  printReport,
  processCpuMs,
  sleep,
  startServerChild,
  summarize,
} from './bench-kit.js'
import type { Summary } from './bench-kit.js'

const RUNNERS = bounded('BENCH_TEAM_RUNNERS', 10, 30)
const SECONDS = bounded('BENCH_TEAM_SECONDS', 30, 300)
const READY_TIMEOUT_MS = 120_000
const VIEW = process.env.BENCH_TEAM_VIEW === 'lines' ? 'lines' : 'table'

export interface TeamSupervisorResult {
  runners: number
  seconds: number
  /** Supervisor CPU (user + system) over the window, % of one core. */
  cpuPercentOfOneCore: number
  /** Supervisor resident memory sampled once a second, MB. */
  rssMb: Summary
  /** Its private part (RssAnon): the rest is the node binary's pages, shared with the runners. */
  privateMb: Summary
}

/** CPU ms (user + system) and RSS (kB) of one process, from /proc. */
function sampleProcess(pid: number): { cpuMs: number; rssKb: number; anonKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string): number =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { cpuMs: processCpuMs(pid), rssKb: kb('VmRSS'), anonKb: kb('RssAnon') }
}

export async function benchTeamSupervisor(): Promise<TeamSupervisorResult> {
  const root = await mkdtemp(join(tmpdir(), 'hpm-bench-team-'))
  await mkdir(join(root, 'data'))
  const server = await startServerChild({
    dataDir: join(root, 'data'),
    timeoutMs: (SECONDS + 300) * 1000,
  })
  try {
    const repo = join(root, 'repo')
    await createRepo(repo)
    const file = join(root, 'headless-pm.team.json')
    await writeFile(
      file,
      JSON.stringify({ server: server.url, repo, agents: [{ role: 'architect', count: RUNNERS }] }),
    )
    const env = childEnv({
      ...BENCH_GIT_ENV,
      HOME: root,
      HEADLESS_PM_API_KEY: BENCH_API_KEY,
      HEADLESS_PM_CLAUDE_BIN: FAKE_CLAUDE,
      HEADLESS_PM_MIN_FREE_MB: '1',
    })
    const supervisor = await spawnStreaming(
      process.execPath,
      [HPM_BIN, 'team', 'up', file, '--view', VIEW],
      {
        cwd: repo,
        env,
        timeoutMs: (SECONDS + 300) * 1000,
        killGraceMs: 20_000,
        maxOutputBytes: 64 * 1024,
      },
    )
    try {
      log(`waiting for ${RUNNERS} runners to wait for work…`)
      const logs = join(repo, '.headless-pm', 'runner', 'team', 'logs')
      const readyBy = Date.now() + READY_TIMEOUT_MS
      for (;;) {
        const idle = Array.from({ length: RUNNERS }, (_, i) =>
          join(logs, `architect_${i + 1}.log`),
        ).filter((p) => existsSync(p) && readFileSync(p, 'utf8').includes('waiting for a'))
        if (idle.length === RUNNERS) break
        if (Date.now() > readyBy || !isProcessAlive(supervisor.pid))
          throw new Error(`only ${idle.length} of ${RUNNERS} runners came up`)
        await sleep(250)
      }
      log(`measuring the supervisor (pid ${supervisor.pid}) for ${SECONDS} s`)
      const first = sampleProcess(supervisor.pid)
      const startedAt = performance.now()
      const rss: number[] = []
      const anon: number[] = []
      for (let s = 0; s < SECONDS; s++) {
        await sleep(1000)
        const sample = sampleProcess(supervisor.pid)
        rss.push(sample.rssKb / 1024)
        anon.push(sample.anonKb / 1024)
      }
      const last = sampleProcess(supervisor.pid)
      const wallS = (performance.now() - startedAt) / 1000
      const cpuPercentOfOneCore =
        Math.round(((last.cpuMs - first.cpuMs) / 1000 / wallS) * 1000) / 10
      await runProcess(process.execPath, [HPM_BIN, 'team', 'down', file], {
        cwd: repo,
        env,
        timeoutMs: 30_000,
      })
      const ended = await supervisor.done
      if (ended.exitCode !== 0)
        throw new Error(`hpm team up exited ${ended.exitCode ?? ended.signal} after the drain`)
      return {
        runners: RUNNERS,
        seconds: SECONDS,
        cpuPercentOfOneCore,
        rssMb: summarize(rss),
        privateMb: summarize(anon),
      }
    } finally {
      supervisor.kill('bench done')
      await supervisor.done
    }
  } finally {
    await server.stop()
    await rm(root, { recursive: true, force: true })
  }
}

export function teamSupervisorTable(r: TeamSupervisorResult): string {
  return markdownTable(
    [`supervisor of ${r.runners} idle runners, ${r.seconds} s`, 'value'],
    [
      ['CPU, % of one core', r.cpuPercentOfOneCore],
      ['RSS MB, mean', r.rssMb.mean],
      ['RSS MB, max', r.rssMb.max],
      ['private (RssAnon) MB, mean', r.privateMb.mean],
      ['private (RssAnon) MB, max', r.privateMb.max],
    ],
  )
}

async function main(): Promise<void> {
  const result = await benchTeamSupervisor()
  printReport(
    `team supervisor overhead (${result.runners} idle runners)`,
    { machine: machine(), ...result },
    teamSupervisorTable(result),
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
