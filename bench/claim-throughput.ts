/**
 * Claim throughput and long-poll wake latency of `POST /tasks/claim`, against `hpm serve` in a child
 * process on loopback: SQLite always, PostgreSQL too when HPM_TEST_PG_URL names a server (a fresh
 * database is created and dropped).
 *
 * - throughput: 50 concurrent clients claim 500 tasks (`timeout: 0`); each claim is followed by the
 *   holder's `dev_done`, since an agent that holds a task is given the same task again.
 * - v1 pair: the same clients as v1 agents, `GET /tasks/next` (no agent id, as v1 clients send it)
 *   then `POST /tasks/{id}/lock`, over as many fresh tasks; a 409 (someone locked it first) sends
 *   the agent back to `next`. Reported beside the claim path's rate from the same run.
 * - wake latency: 100 agents wait in `POST /tasks/claim`; one task is created; the time from sending
 *   the create until the first claim answers. Median over 20 rounds.
 *
 * `npx tsx bench/claim-throughput.ts` (BENCH_CLAIM_TASKS, BENCH_CLAIM_CLIENTS, BENCH_WAITERS,
 * BENCH_WAKE_ROUNDS override the counts, each bounded).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { createTestDatabase } from '../test/helpers/pg-database.js'
import {
  apiCaller,
  bounded,
  inParallel,
  BENCH_API_KEY,
  log,
  machine,
  markdownTable,
  ok,
  printReport,
  processCpuMs,
  sleep,
  seedFeature,
  startServerChild,
  summarize,
} from './bench-kit.js'
import type { Api, Summary } from './bench-kit.js'

const SERVER_TIMEOUT_MS = 10 * 60_000
const WAKE_GIVE_UP_MS = 15_000
const WAITER_TIMEOUT_S = 120

export interface ClaimThroughputResult {
  database: 'sqlite' | 'postgresql'
  tasks: number
  clients: number
  createTasksPerSecond: number
  claimed: number
  duplicates: number
  claimPhaseMs: number
  claimsPerSecond: number
  claimLatencyMs: Summary
  /** Server CPU (user + system) over the claim phase per claim; each claim includes its `dev_done`. */
  serverCpuMsPerClaim: number
  v1: V1PairResult
  /** v1 pair claims/s as a share of the claim path's, same run. */
  v1ShareOfClaimPath: number
  /** `GET /health` with the same concurrency: the floor set by HTTP, auth and one `select 1`. */
  healthRequestsPerSecond: number
  /** claims/s as a share of `GET /health` req/s, same run (each claim is two writes: claim and dev_done). */
  claimShareOfHealth: number
  /** A bare node:http server answering `{}` in the bench process, same client: what this machine allows at all. */
  loopbackFloorRequestsPerSecond: number
  waiters: number
  rounds: number
  wakeLatencyMs: Summary
  createLatencyMs: Summary
}

export async function benchClaimThroughput(
  database: 'sqlite' | 'postgresql',
): Promise<ClaimThroughputResult> {
  const taskCount = bounded('BENCH_CLAIM_TASKS', 500, 5000)
  const clientCount = bounded('BENCH_CLAIM_CLIENTS', 50, 200)
  const waiterCount = bounded('BENCH_WAITERS', 100, 500)
  const rounds = bounded('BENCH_WAKE_ROUNDS', 20, 100)
  const dataDir = await mkdtemp(join(tmpdir(), 'hpm-bench-claims-'))
  const pg = database === 'postgresql' ? await createTestDatabase() : undefined
  try {
    const server = await startServerChild({
      dataDir,
      databaseUrl: pg?.url,
      timeoutMs: SERVER_TIMEOUT_MS,
    })
    try {
      const api = apiCaller(server.url, BENCH_API_KEY)
      const feature = await seedFeature(api, 'bench_pm')
      const createTask = (title: string, targetRole: string) =>
        api('POST', '/api/v1/tasks/create?agent_id=bench_pm', {
          feature_id: feature.id,
          title,
          description: '',
          target_role: targetRole,
          difficulty: 'junior',
          complexity: 'minor',
          branch: '',
        })

      log(`${database}: creating ${taskCount} tasks`)
      const createStarted = performance.now()
      await inParallel(
        taskCount,
        10,
        async (i) => void ok(await createTask(`claim bench ${i}`, 'backend_dev'), 'create task'),
      )
      const createTasksPerSecond = Math.round(
        taskCount / ((performance.now() - createStarted) / 1000),
      )
      const healthRequestsPerSecond = await healthRate(api, clientCount, taskCount)
      const loopbackFloorRequestsPerSecond = await loopbackFloor(clientCount, taskCount)
      const cpuBefore = processCpuMs(server.process.pid)
      const throughput = await claimAll(api, clientCount)
      const serverCpuMsPerClaim =
        Math.round(
          ((processCpuMs(server.process.pid) - cpuBefore) / Math.max(1, throughput.claimed)) * 100,
        ) / 100
      log(`${database}: ${throughput.claimed} claims in ${Math.round(throughput.claimPhaseMs)} ms`)
      log(`${database}: creating ${taskCount} tasks for the v1 pair`)
      await inParallel(
        taskCount,
        10,
        async (i) => void ok(await createTask(`v1 bench ${i}`, 'backend_dev'), 'create task'),
      )
      const v1 = await v1PairAll(api, clientCount, taskCount)
      log(`${database}: v1 pair ${v1.claimed} locks, ${v1.lockConflicts} lock 409s`)
      const wake = await wakeLatency(api, waiterCount, rounds, (title) =>
        createTask(title, 'frontend_dev'),
      )
      return {
        database,
        tasks: taskCount,
        clients: clientCount,
        createTasksPerSecond,
        healthRequestsPerSecond,
        loopbackFloorRequestsPerSecond,
        ...throughput,
        serverCpuMsPerClaim,
        claimShareOfHealth:
          Math.round((throughput.claimsPerSecond / Math.max(1, healthRequestsPerSecond)) * 1000) /
          1000,
        v1,
        v1ShareOfClaimPath:
          Math.round((v1.claimsPerSecond / Math.max(1, throughput.claimsPerSecond)) * 100) / 100,
        waiters: waiterCount,
        rounds,
        ...wake,
      }
    } finally {
      await server.stop()
    }
  } finally {
    await pg?.drop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

async function healthRate(api: Api, concurrency: number, count: number): Promise<number> {
  const started = performance.now()
  await inParallel(
    count,
    concurrency,
    async () => void ok(await api('GET', '/health'), 'GET /health'),
  )
  return Math.round(count / ((performance.now() - started) / 1000))
}

async function loopbackFloor(concurrency: number, count: number): Promise<number> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json')
    response.end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = server.address() as { port: number }
    return await healthRate(
      apiCaller(`http://127.0.0.1:${port}`, BENCH_API_KEY),
      concurrency,
      count,
    )
  } finally {
    server.closeAllConnections()
    server.close()
  }
}

/** Registers `count` agents named `<prefix>000`… of `role` at senior level. */
async function registerAgents(
  api: Api,
  prefix: string,
  count: number,
  role: string,
): Promise<string[]> {
  const agents = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`)
  await inParallel(count, 10, async (i) => {
    ok(
      await api('POST', '/api/v1/register', { agent_id: agents[i], role, level: 'senior' }),
      `register ${agents[i]}`,
    )
  })
  return agents
}

async function claimAll(api: Api, clientCount: number) {
  const agents = await registerAgents(api, 'bench_dev_', clientCount, 'backend_dev')
  const latencies: number[] = []
  const claimedIds: number[] = []
  const started = performance.now()
  await Promise.all(
    agents.map(async (agentId) => {
      for (;;) {
        const t0 = performance.now()
        const task = ok(
          await api('POST', '/api/v1/tasks/claim', { agent_id: agentId, timeout: 0 }),
          'claim',
        ) as { id: number } | null
        latencies.push(performance.now() - t0)
        if (!task) return
        claimedIds.push(task.id)
        ok(
          await api('PUT', `/api/v1/tasks/${task.id}/status?agent_id=${agentId}`, {
            status: 'dev_done',
          }),
          'dev_done',
        )
      }
    }),
  )
  const claimPhaseMs = performance.now() - started
  return {
    claimed: claimedIds.length,
    duplicates: claimedIds.length - new Set(claimedIds).size,
    claimPhaseMs: Math.round(claimPhaseMs),
    claimsPerSecond: Math.round(claimedIds.length / (claimPhaseMs / 1000)),
    claimLatencyMs: summarize(latencies),
  }
}

export interface V1PairResult {
  claimed: number
  duplicates: number
  /** Locks refused with 409 because another agent locked the offered task first. */
  lockConflicts: number
  claimsPerSecond: number
  /** From the `next` request to the lock's answer, per task won. */
  claimLatencyMs: Summary
}

async function v1PairAll(api: Api, clientCount: number, taskCount: number): Promise<V1PairResult> {
  const agents = await registerAgents(api, 'bench_v1_', clientCount, 'backend_dev')
  // A server that kept offering taken tasks would loop here for ever: give up far past any sane count.
  const conflictLimit = taskCount * clientCount * 10
  const latencies: number[] = []
  const claimedIds: number[] = []
  let lockConflicts = 0
  const started = performance.now()
  await Promise.all(
    agents.map(async (agentId) => {
      let t0 = performance.now()
      for (;;) {
        const offered = ok(
          await api('GET', '/api/v1/tasks/next?role=backend_dev&level=senior&simulate=true'),
          'next',
        ) as { id: number } | null
        if (!offered) return
        const lock = await api('POST', `/api/v1/tasks/${offered.id}/lock?agent_id=${agentId}`)
        if (lock.status === 409) {
          if (++lockConflicts > conflictLimit) throw new Error(`over ${conflictLimit} lock 409s`)
          continue
        }
        ok(lock, 'lock')
        latencies.push(performance.now() - t0)
        claimedIds.push(offered.id)
        ok(
          await api('PUT', `/api/v1/tasks/${offered.id}/status?agent_id=${agentId}`, {
            status: 'dev_done',
          }),
          'dev_done',
        )
        t0 = performance.now()
      }
    }),
  )
  const phaseMs = performance.now() - started
  return {
    claimed: claimedIds.length,
    duplicates: claimedIds.length - new Set(claimedIds).size,
    lockConflicts,
    claimsPerSecond: Math.round(claimedIds.length / (phaseMs / 1000)),
    claimLatencyMs: summarize(latencies),
  }
}

/**
 * `waiterCount` agents park in `POST /tasks/claim`; each round creates one task and times the first
 * answer. The winner reports dev_done and parks again, so every round starts with all agents waiting.
 */
async function wakeLatency(
  api: Api,
  waiterCount: number,
  rounds: number,
  createTask: (title: string) => Promise<{ status: number; body: any }>,
) {
  const agents = await registerAgents(api, 'bench_wait_', waiterCount, 'frontend_dev')
  const stop = new AbortController()
  let onWin: ((win: { agentId: string; taskId: number; atMs: number }) => void) | undefined
  const park = (agentId: string): void => {
    api(
      'POST',
      '/api/v1/tasks/claim',
      { agent_id: agentId, timeout: WAITER_TIMEOUT_S },
      stop.signal,
    )
      .then((reply) => {
        const atMs = performance.now()
        const task = ok(reply, 'claim') as { id: number } | null
        if (task) onWin?.({ agentId, taskId: task.id, atMs })
        else if (!stop.signal.aborted) park(agentId)
      })
      .catch((error: unknown) => {
        if (!stop.signal.aborted) log(`waiter ${agentId} failed: ${String(error)}`)
      })
  }
  try {
    for (const agentId of agents) park(agentId)
    // No waiter count is exposed, so give every request time to reach its waiting state.
    await sleep(1500)
    const wakes: number[] = []
    const creates: number[] = []
    for (let round = 0; round < rounds; round++) {
      const won = new Promise<{ agentId: string; taskId: number; atMs: number }>(
        (resolve, reject) => {
          onWin = resolve
          setTimeout(
            () =>
              reject(new Error(`round ${round}: no waiter answered within ${WAKE_GIVE_UP_MS} ms`)),
            WAKE_GIVE_UP_MS,
          ).unref()
        },
      )
      const t0 = performance.now()
      ok(await createTask(`wake bench ${round}`), 'create task')
      creates.push(performance.now() - t0)
      const win = await won
      wakes.push(win.atMs - t0)
      ok(
        await api('PUT', `/api/v1/tasks/${win.taskId}/status?agent_id=${win.agentId}`, {
          status: 'dev_done',
        }),
        'dev_done',
      )
      park(win.agentId)
      await sleep(200)
    }
    return { wakeLatencyMs: summarize(wakes), createLatencyMs: summarize(creates) }
  } finally {
    stop.abort()
  }
}

export function claimThroughputTable(results: readonly ClaimThroughputResult[]): string {
  return markdownTable(
    [
      'database',
      'claims/s (share of GET /health)',
      'claim p50 / p95 ms',
      'server CPU ms per claim',
      'claimed / dupes',
      'v1 next+lock claims/s (share), lock 409s, dupes',
      'create tasks/s',
      'GET /health req/s (bare node:http)',
      'wake p50 / p95 ms',
      'create p50 ms',
    ],
    results.map((r) => [
      `${r.database} (${r.clients} clients, ${r.tasks} tasks, ${r.waiters} waiters)`,
      `${r.claimsPerSecond} (${r.claimShareOfHealth})`,
      `${r.claimLatencyMs.median} / ${r.claimLatencyMs.p95}`,
      r.serverCpuMsPerClaim,
      `${r.claimed} / ${r.duplicates}`,
      `${r.v1.claimsPerSecond} (${r.v1ShareOfClaimPath}), ${r.v1.lockConflicts}, ${r.v1.duplicates}`,
      r.createTasksPerSecond,
      `${r.healthRequestsPerSecond} (${r.loopbackFloorRequestsPerSecond})`,
      `${r.wakeLatencyMs.median} / ${r.wakeLatencyMs.p95}`,
      r.createLatencyMs.median,
    ]),
  )
}

export async function benchAllDatabases(): Promise<ClaimThroughputResult[]> {
  const results = [await benchClaimThroughput('sqlite')]
  if (process.env.HPM_TEST_PG_URL) results.push(await benchClaimThroughput('postgresql'))
  else log('PostgreSQL skipped: HPM_TEST_PG_URL is not set')
  return results
}

async function main(): Promise<void> {
  const results = await benchAllDatabases()
  printReport(
    'claim throughput and long-poll wake latency',
    { machine: machine(), results },
    claimThroughputTable(results),
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
