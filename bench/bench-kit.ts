import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'

import { childEnv, runProcess, spawnStreaming } from '../src/lib/index.js'
import type { StreamingProcess } from '../src/lib/index.js'

/** Shared pieces of the benchmarks: statistics, reports, a temp repo, a server child, raw HTTP. */

export const REPO_ROOT = join(import.meta.dirname, '..')
export const HPM_BIN = join(REPO_ROOT, 'bin', 'hpm.js')
export const FAKE_CLAUDE = join(REPO_ROOT, 'test', 'fixtures', 'fake-claude', 'claude')
export const BENCH_API_KEY = 'bench-key-0123456789'

/** Identity and isolation for every git call, so the figures do not depend on the machine's git config. */
export const BENCH_GIT_ENV = {
  GIT_AUTHOR_NAME: 'Headless PM Bench',
  GIT_AUTHOR_EMAIL: 'bench@headless-pm.invalid',
  GIT_COMMITTER_NAME: 'Headless PM Bench',
  GIT_COMMITTER_EMAIL: 'bench@headless-pm.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
}

export interface Summary {
  n: number
  mean: number
  median: number
  p95: number
  min: number
  max: number
}

/** Mean, median and nearest-rank p95 of `samples` (ms or whatever unit they carry), rounded to 0.1. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0)
    return {
      n,
      mean: Number.NaN,
      median: Number.NaN,
      p95: Number.NaN,
      min: Number.NaN,
      max: Number.NaN,
    }
  const at = (i: number): number => sorted[Math.min(n - 1, Math.max(0, i))] ?? Number.NaN
  const median = n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2
  const round = (x: number): number => Math.round(x * 10) / 10
  return {
    n,
    mean: round(sorted.reduce((a, b) => a + b, 0) / n),
    median: round(median),
    p95: round(at(Math.ceil(0.95 * n) - 1)),
    min: round(at(0)),
    max: round(at(n - 1)),
  }
}

/** The machine the figures come from; load average says how busy it was. */
export function machine(): {
  cpus: number
  cpuModel: string
  node: string
  platform: string
  loadavg1m: number
} {
  const list = cpus()
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadavg1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  }
}

export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const line = (cells: readonly (string | number)[]): string =>
    `| ${cells.map(String).join(' | ')} |`
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n')
}

/** Prints a benchmark's result: the JSON first (for tools), then the table (for people). */
export function printReport(name: string, data: unknown, table: string): void {
  process.stdout.write(
    `\n## ${name}\n\n\`\`\`json\n${JSON.stringify(data, null, 2)}\n\`\`\`\n\n${table}\n`,
  )
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Runs git with the bench identity; throws on failure (setup must not fail silently). */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await runProcess('git', args, {
    cwd,
    env: childEnv(BENCH_GIT_ENV),
    timeoutMs: 30_000,
  })
  if (result.exitCode !== 0)
    throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim()}`)
  return result.stdout.trim()
}

/** A git repo on `main` with one commit. */
export async function createRepo(repo: string): Promise<void> {
  await mkdir(repo, { recursive: true })
  await git(repo, 'init', '-q', '-b', 'main')
  await writeFile(join(repo, 'README.md'), '# bench project\n')
  await git(repo, 'add', 'README.md')
  await git(repo, 'commit', '-q', '-m', 'initial commit')
}

/** CPU time (user + system) `pid` has used so far, in ms, from /proc (Linux
 * counts it in USER_HZ ticks, which are 100 a second). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

export interface ApiReply {
  status: number
  body: any
}

/**
 * Raw HTTP against the API (no client-side schema parsing, so the figures measure the server). Uses
 * `node:http` with keep-alive sockets rather than `fetch`: on Node 20 `fetch` tops out near 1,000
 * requests/s on this machine, far below what the server answers.
 */
export function apiCaller(baseUrl: string, apiKey: string) {
  const base = new URL(baseUrl)
  const prefix = base.pathname.replace(/\/$/, '')
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 2_000 })
  return (method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<ApiReply> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body)
      const headers: Record<string, string | number> = { 'x-api-key': apiKey }
      if (payload !== undefined) {
        headers['content-type'] = 'application/json'
        headers['content-length'] = Buffer.byteLength(payload)
      }
      const req = httpRequest(
        {
          host: base.hostname,
          port: base.port,
          method,
          path: prefix + path,
          headers,
          agent,
          signal,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('error', reject)
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            try {
              resolve({
                status: res.statusCode ?? 0,
                body: text === '' ? undefined : (JSON.parse(text) as unknown),
              })
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)))
            }
          })
        },
      )
      req.on('error', reject)
      req.end(payload)
    })
}
export type Api = ReturnType<typeof apiCaller>

/** Throws unless the reply is 200: a benchmark over failing calls would measure nothing. */
export function ok(reply: ApiReply, what: string): any {
  if (reply.status !== 200)
    throw new Error(`${what}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body
}

/** An integer from environment variable `name`, at least 1 and at most `max`; else `fallback`. */
export function bounded(name: string, fallback: number, max: number): number {
  const value = Number(process.env[name] ?? fallback)
  return Number.isInteger(value) && value >= 1 ? Math.min(value, max) : fallback
}

/** Runs `work(0..count-1)` with at most `concurrency` at a time. */
export async function inParallel(
  count: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await work(next++)
    }),
  )
}

/**
 * A big board: pm `pmId`, its feature and `count` backend tasks with planner-sized descriptions,
 * created 20 at a time.
 */
export async function createBoard(api: Api, pmId: string, count: number): Promise<void> {
  const feature = await seedFeature(api, pmId)
  log(`creating ${count} tasks…`)
  await inParallel(count, 20, async (n) => {
    ok(
      await api('POST', `/api/v1/tasks/create?agent_id=${pmId}`, {
        feature_id: feature.id,
        title: `task ${n}`,
        description:
          'A description of the kind a planner writes: a goal, a few steps, how to check it. '.repeat(
            4,
          ),
        target_role: 'backend_dev',
        difficulty: 'junior',
        branch: 'b',
      }),
      'create',
    )
  })
}

/** Registers pm `pmId` and makes the epic and feature every task needs; returns the feature. */
export async function seedFeature(api: Api, pmId: string): Promise<{ id: number }> {
  ok(
    await api('POST', '/api/v1/register', { agent_id: pmId, role: 'pm', level: 'principal' }),
    'register pm',
  )
  const epic = ok(
    await api('POST', `/api/v1/epics?agent_id=${pmId}`, { name: 'Bench', description: '' }),
    'create epic',
  )
  return ok(
    await api('POST', `/api/v1/features?agent_id=${pmId}`, {
      epic_id: epic.id,
      name: 'Bench',
      description: '',
    }),
    'create feature',
  )
}

export interface ServerChild {
  url: string
  process: StreamingProcess
  stop: () => Promise<void>
}

/**
 * `hpm serve` as a child on a free loopback port. A separate process, so the server gets its own
 * core and the load generator's CPU does not count as server time.
 */
export async function startServerChild(options: {
  dataDir: string
  databaseUrl?: string
  timeoutMs: number
}): Promise<ServerChild> {
  // BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the server (written when it stops).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const args = [
    ...nodeArgs,
    HPM_BIN,
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--data-dir',
    options.dataDir,
  ]
  if (options.databaseUrl) args.push('--database-url', options.databaseUrl)
  let stderr = ''
  let announce: ((url: string) => void) | undefined
  const announced = new Promise<string>((resolve) => (announce = resolve))
  const child = await spawnStreaming(process.execPath, args, {
    cwd: options.dataDir,
    timeoutMs: options.timeoutMs,
    env: childEnv({
      HEADLESS_PM_API_KEY: BENCH_API_KEY,
      HPM_LOG_LEVEL: 'warn',
      HPM_SERVICE_PING_INTERVAL: '0',
    }),
    onStderr: (chunk) => {
      stderr += chunk
      const url = /listening on \S*?(http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1]
      if (url) announce?.(url)
    },
  })
  const exited = child.done.then((r) => {
    throw new Error(
      `hpm serve exited ${r.exitCode ?? r.signal} before listening: ${r.stderr.trim()}`,
    )
  })
  const url = await Promise.race([announced, exited])
  exited.catch(() => {})
  return {
    url,
    process: child,
    stop: async () => {
      child.kill('bench done')
      await child.done
    },
  }
}
