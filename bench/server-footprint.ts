/**
 * What `hpm serve` (SQLite) costs to start and to keep: cold start (spawn to the first 200 on
 * `GET /health`, on a fresh data directory, so migrations included), idle RSS (after 5 s of nothing)
 * and RSS with a 10,000-task board after its whole list was asked for once. Median of 5 starts.
 *
 * `npx tsx bench/server-footprint.ts` (BENCH_FOOTPRINT_STARTS, default 5; BENCH_FOOTPRINT_TASKS,
 * default 10,000). Linux only (reads /proc).
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import {
  apiCaller,
  bounded,
  createBoard,
  BENCH_API_KEY,
  machine,
  markdownTable,
  ok,
  printReport,
  sleep,
  startServerChild,
  summarize,
} from './bench-kit.js'
import type { Summary } from './bench-kit.js'

const SERVER_TIMEOUT_MS = 10 * 60_000
const IDLE_MS = 5_000

/** A /proc/<pid>/status size (VmRSS, VmHWM) in MB. */
function procMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1])
  return Math.round((kb / 1024) * 10) / 10
}

export interface ServerFootprintResult {
  starts: number
  coldStartMs: Summary
  idleRssMb: Summary
  tasks: number
  /** RSS once the board is loaded and its whole list was served once. */
  rssWithTasksMb: number
  /** The highest RSS the process reached on the way (VmHWM). */
  peakRssWithTasksMb: number
}

async function oneStart(): Promise<{ coldStartMs: number; idleRssMb: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hpm-bench-footprint-'))
  try {
    const started = performance.now()
    const server = await startServerChild({ dataDir, timeoutMs: SERVER_TIMEOUT_MS })
    try {
      ok(await apiCaller(server.url, BENCH_API_KEY)('GET', '/health'), 'GET /health')
      const coldStartMs = performance.now() - started
      await sleep(IDLE_MS)
      return { coldStartMs, idleRssMb: procMb(server.process.pid, 'VmRSS') }
    } finally {
      await server.stop()
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
}

async function withBoard(taskCount: number) {
  const dataDir = await mkdtemp(join(tmpdir(), 'hpm-bench-footprint-'))
  try {
    const server = await startServerChild({ dataDir, timeoutMs: SERVER_TIMEOUT_MS })
    try {
      const api = apiCaller(server.url, BENCH_API_KEY)
      await createBoard(api, 'pm', taskCount)
      ok(await api('GET', '/api/v1/tasks'), 'GET /tasks')
      await sleep(IDLE_MS)
      return {
        rssWithTasksMb: procMb(server.process.pid, 'VmRSS'),
        peakRssWithTasksMb: procMb(server.process.pid, 'VmHWM'),
      }
    } finally {
      await server.stop()
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
}

export async function benchServerFootprint(): Promise<ServerFootprintResult> {
  const starts = bounded('BENCH_FOOTPRINT_STARTS', 5, 20)
  const tasks = bounded('BENCH_FOOTPRINT_TASKS', 10_000, 50_000)
  const samples: { coldStartMs: number; idleRssMb: number }[] = []
  for (let i = 0; i < starts; i++) samples.push(await oneStart())
  return {
    starts,
    coldStartMs: summarize(samples.map((s) => s.coldStartMs)),
    idleRssMb: summarize(samples.map((s) => s.idleRssMb)),
    tasks,
    ...(await withBoard(tasks)),
  }
}

export function serverFootprintTable(r: ServerFootprintResult): string {
  return markdownTable(
    [
      'cold start to first 200, p50 / max ms',
      'idle RSS p50 / max MB',
      `RSS with ${r.tasks} tasks (peak) MB`,
    ],
    [
      [
        `${r.coldStartMs.median} / ${r.coldStartMs.max}`,
        `${r.idleRssMb.median} / ${r.idleRssMb.max}`,
        `${r.rssWithTasksMb} (${r.peakRssWithTasksMb})`,
      ],
    ],
  )
}

async function main(): Promise<void> {
  const result = await benchServerFootprint()
  printReport(
    `server footprint (${result.starts} starts)`,
    { machine: machine(), ...result },
    serverFootprintTable(result),
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
