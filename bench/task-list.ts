/**
 * `GET /tasks` on a big board, against `hpm serve` (SQLite) in a child process: the whole list
 * (v1's answer) against one page of 200 (`limit=200`), first and deep in, and the size of each.
 *
 * `npx tsx bench/task-list.ts` (BENCH_LIST_TASKS, default 10,000; BENCH_LIST_ROUNDS, default 30).
 */
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
  printReport,
  startServerChild,
  summarize,
} from './bench-kit.js'
import type { Summary } from './bench-kit.js'

const PAGE = 200

export interface TaskListResult {
  tasks: number
  rounds: number
  whole: { ms: Summary; bytes: number }
  firstPage: { ms: Summary; bytes: number }
  deepPage: { ms: Summary; bytes: number }
}

async function timed(
  url: string,
  rounds: number,
): Promise<{ ms: Summary; bytes: number; next: string | null }> {
  const samples: number[] = []
  let bytes = 0
  let next: string | null = null
  for (let i = 0; i < rounds; i++) {
    const started = performance.now()
    const res = await fetch(url, { headers: { 'x-api-key': BENCH_API_KEY } })
    const text = await res.text()
    samples.push(performance.now() - started)
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${text.slice(0, 200)}`)
    bytes = text.length
    next = res.headers.get('x-next-cursor')
  }
  return { ms: summarize(samples), bytes, next }
}

export async function benchTaskList(): Promise<TaskListResult> {
  const count = bounded('BENCH_LIST_TASKS', 10_000, 50_000)
  const rounds = bounded('BENCH_LIST_ROUNDS', 30, 500)
  const dataDir = await mkdtemp(join(tmpdir(), 'hpm-bench-list-'))
  const server = await startServerChild({ dataDir, timeoutMs: 15 * 60_000 })
  try {
    const api = apiCaller(server.url, BENCH_API_KEY)
    await createBoard(api, 'pm_1', count)

    const base = `${server.url}/api/v1/tasks`
    const whole = await timed(base, Math.max(3, Math.round(rounds / 3)))
    const firstPage = await timed(`${base}?limit=${PAGE}`, rounds)
    // Half-way down the board: the cursor skips what the index has already ordered.
    let cursor = firstPage.next
    for (let page = 1; page < Math.floor(count / PAGE / 2) && cursor; page++) {
      cursor = (await timed(`${base}?limit=${PAGE}&cursor=${cursor}`, 1)).next
    }
    const deepPage = await timed(
      `${base}?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`,
      rounds,
    )
    return { tasks: count, rounds, whole, firstPage, deepPage }
  } finally {
    await server.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

export function taskListTable(result: TaskListResult): string {
  const row = (name: string, r: { ms: Summary; bytes: number }) => [
    name,
    r.ms.median,
    r.ms.p95,
    (r.bytes / 1024 / 1024).toFixed(2),
  ]
  return markdownTable(
    ['request', 'p50 ms', 'p95 ms', 'answer MB'],
    [
      row(`GET /tasks (all ${result.tasks})`, result.whole),
      row(`GET /tasks?limit=${PAGE}`, result.firstPage),
      row(`GET /tasks?limit=${PAGE}&cursor= (half-way)`, result.deepPage),
    ],
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchTaskList()
  printReport(
    `task list (${result.tasks} tasks)`,
    { machine: machine(), ...result },
    taskListTable(result),
  )
}
