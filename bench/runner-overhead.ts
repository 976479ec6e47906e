/**
 * The runner's own overhead per task: wall time of `hpm run --single-task` for one task, with a fake
 * Claude that writes one file and exits, minus the time of that same fake Claude run directly with
 * the same prompt and flags. What is left is everything the runner adds: process start, config,
 * registration, reconcile, claim, lock file, worktree, hooks, commit, status report, run record,
 * cleanup. A second pass runs one continuous runner over the same number of tasks, where the process
 * start is paid once. The repository holds 5,000 files in 50 folders, so each worktree costs what a
 * real project's does. `npx tsx bench/runner-overhead.ts` (BENCH_TASKS, default 5, at most 20;
 * BENCH_REPO_FILES, default 5,000, at most 50,000).
 */
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { loadServerConfig } from '../src/config/index.js'
import { childEnv, createLogger, runProcess, spawnStreaming } from '../src/lib/index.js'
import type { ProcessResult } from '../src/lib/index.js'
import { startServer } from '../src/server/main.js'
import {
  bounded,
  apiCaller,
  BENCH_API_KEY,
  BENCH_GIT_ENV,
  createRepo,
  FAKE_CLAUDE,
  git,
  HPM_BIN,
  log,
  machine,
  markdownTable,
  ok,
  printReport,
  seedFeature,
  summarize,
} from './bench-kit.js'
import type { Api, Summary } from './bench-kit.js'

const RUNNER_TIMEOUT_MS = 60_000
const CLAUDE_TIMEOUT_MS = 30_000

/** Writes one file and ends: the runner commits it and reports dev_done, so no `hpm` call happens inside "Claude". */
const MINIMAL_SCENARIO = {
  steps: [{ write: { path: 'bench.txt', content: 'bench\n' } }],
  result: 'done',
}

/**
 * Where the runner's time goes, from the arrival time of its own progress lines (ms after spawn).
 * Each phase ends at the first line matching its pattern.
 */
const PHASES = [
  { name: 'start: node + tsx, config, git/claude probes, prune, register', end: /registered with/ },
  { name: 'reconcile + claim', end: /claimed task/ },
  { name: 'lock file + worktree', end: /(created|reusing) worktree/ },
  { name: 'pre_task hook + under_work', end: /attempt \d+: claude/ },
  { name: 'claude + verify + commit + report', end: /reported dev_done/ },
  { name: 'run record + post_task hook + worktree removal', end: /done here/ },
  { name: 'lock file removal + process exit', end: undefined },
] as const

interface Recorded {
  argv: string[]
  prompt: string
}

interface Setup {
  root: string
  repo: string
  api: Api
  serverUrl: string
  featureId: number
  recordFile: string
  fakeEnv: Record<string, string>
}

export interface RunnerOverheadResult {
  tasks: number
  runnerWallMs: Summary
  fakeClaudeDirectMs: Summary
  overheadMs: Summary
  claudeAsSeenByRunnerMs: Summary
  phasesMs: { phase: string; ms: Summary }[]
  /** One runner without --single-task: time from one task's end to the next one's, process start excluded. */
  continuous: { perTaskMs: Summary; overheadMs: Summary }
  perTask: {
    taskId: number
    runnerWallMs: number
    fakeClaudeDirectMs: number
    overheadMs: number
    status: string
  }[]
}

export async function benchRunnerOverhead(): Promise<RunnerOverheadResult> {
  const taskCount = bounded('BENCH_TASKS', 5, 20)
  const root = await mkdtemp(join(tmpdir(), 'hpm-bench-runner-'))
  const config = loadServerConfig({
    flags: { host: '127.0.0.1', port: 0, dataDir: join(root, 'server') },
    env: {
      HEADLESS_PM_API_KEY: BENCH_API_KEY,
      HPM_LOG_LEVEL: 'silent',
      HPM_SERVICE_PING_INTERVAL: '0',
    },
    cwd: root,
  })
  // In-process is fair here: the bench process idles while the runner child works.
  const server = await startServer(config, createLogger({ level: 'silent' }), root)
  try {
    const api = apiCaller(server.url, BENCH_API_KEY)
    const repo = join(root, 'repo')
    await createRepo(repo)
    await addFiles(repo, bounded('BENCH_REPO_FILES', 5_000, 50_000))
    const feature = await seedFeature(api, 'bench_pm')
    const setup: Setup = {
      root,
      repo,
      api,
      serverUrl: server.url,
      featureId: feature.id,
      recordFile: join(root, 'claude-record.jsonl'),
      fakeEnv: {
        CLAUDE_FAKE_SCENARIO: JSON.stringify(MINIMAL_SCENARIO),
        CLAUDE_FAKE_STATE_DIR: join(root, 'fake-state'),
      },
    }

    const perTask: RunnerOverheadResult['perTask'] = []
    const claudeInRunner: number[] = []
    const phaseSamples: number[][] = PHASES.map(() => [])
    for (let i = 0; i < taskCount; i++) {
      const taskId = await createTask(setup, `single-task run ${i + 1}`)
      const { result: runner, marks } = await runRunner(
        setup,
        ['--single-task'],
        PHASES.map((p) => p.end),
      )
      if (runner.exitCode !== 0)
        throw new Error(
          `hpm run exited ${runner.exitCode ?? runner.signal} for task ${taskId}:\n${runner.stdout}${runner.stderr}`,
        )
      let previous = 0
      for (const [j, at] of [...marks.slice(0, -1), runner.durationMs].entries()) {
        if (at === undefined) continue
        phaseSamples[j]?.push(at - previous)
        previous = at
      }
      const after = ok(await api('GET', `/api/v1/tasks/${taskId}`), 'get task')
      const runs = ok(await api('GET', `/api/v1/tasks/${taskId}/runs`), 'list runs') as {
        duration_ms: number
      }[]
      for (const run of runs) claudeInRunner.push(run.duration_ms)

      const direct = await runFakeClaudeDirectly(
        setup,
        `direct-${i}`,
        await lastRecord(setup.recordFile),
      )
      perTask.push({
        taskId,
        runnerWallMs: runner.durationMs,
        fakeClaudeDirectMs: direct,
        overheadMs: runner.durationMs - direct,
        status: after.status,
      })
      log(
        `task ${taskId}: runner ${runner.durationMs} ms, fake claude alone ${direct} ms, status ${after.status}`,
      )
    }

    const continuous = await continuousPass(
      setup,
      taskCount,
      summarize(perTask.map((t) => t.fakeClaudeDirectMs)).median,
    )
    return {
      tasks: taskCount,
      runnerWallMs: summarize(perTask.map((t) => t.runnerWallMs)),
      fakeClaudeDirectMs: summarize(perTask.map((t) => t.fakeClaudeDirectMs)),
      overheadMs: summarize(perTask.map((t) => t.overheadMs)),
      claudeAsSeenByRunnerMs: summarize(claudeInRunner),
      phasesMs: PHASES.map((p, j) => ({ phase: p.name, ms: summarize(phaseSamples[j] ?? []) })),
      continuous,
      perTask,
    }
  } finally {
    await server.close()
    await rm(root, { recursive: true, force: true })
  }
}

/**
 * One runner in its normal continuous mode over `count` tasks created up front. Per task = the time
 * between consecutive "done here" lines (the first counted from "registered"), so the process start
 * is left out; stopped with SIGTERM once the last task is done.
 */
async function continuousPass(
  setup: Setup,
  count: number,
  directMedianMs: number,
): Promise<RunnerOverheadResult['continuous']> {
  for (let i = 0; i < count; i++) await createTask(setup, `continuous run ${i + 1}`)
  const doneAt: number[] = []
  let registeredAt: number | undefined
  const { result } = await runRunner(setup, [], [], (line, atMs, stop) => {
    if (registeredAt === undefined && /registered with/.test(line)) registeredAt = atMs
    if (/done here/.test(line)) doneAt.push(atMs)
    if (doneAt.length === count) stop()
  })
  if (doneAt.length < count || registeredAt === undefined) {
    throw new Error(
      `continuous runner finished ${doneAt.length} of ${count} tasks (exit ${result.exitCode ?? result.signal}):\n${result.stdout}${result.stderr}`,
    )
  }
  const perTask = doneAt.map((at, i) => at - (i === 0 ? (registeredAt ?? 0) : (doneAt[i - 1] ?? 0)))
  log(`continuous runner: ${perTask.map((ms) => Math.round(ms)).join(', ')} ms per task`)
  return {
    perTaskMs: summarize(perTask),
    overheadMs: summarize(perTask.map((ms) => ms - directMedianMs)),
  }
}

/** `count` small files in 50 folders, committed. */
async function addFiles(repo: string, count: number): Promise<void> {
  log(`committing ${count} files to the repository`)
  for (let folder = 0; folder < 50; folder++)
    await mkdir(join(repo, 'src', `m${folder}`), { recursive: true })
  for (let i = 0; i < count; i += 500)
    await Promise.all(
      Array.from({ length: Math.min(500, count - i) }, (_, j) =>
        writeFile(
          join(repo, 'src', `m${(i + j) % 50}`, `f${i + j}.ts`),
          `export const f${i + j} = ${i + j}\n`,
        ),
      ),
    )
  await git(repo, 'add', '-A')
  await git(repo, 'commit', '-q', '-m', `${count} files`)
}

async function createTask(setup: Setup, title: string): Promise<number> {
  const task = ok(
    await setup.api('POST', '/api/v1/tasks/create?agent_id=bench_pm', {
      feature_id: setup.featureId,
      title,
      description: 'write bench.txt',
      target_role: 'backend_dev',
      difficulty: 'junior',
      complexity: 'minor',
      branch: '',
    }),
    'create task',
  )
  return task.id as number
}

/**
 * `hpm run` as a child. Returns its result and, for each pattern, when its first matching line
 * arrived (ms after spawn). `onLine` may stop the runner (SIGTERM to its group).
 */
async function runRunner(
  setup: Setup,
  extraArgs: string[],
  patterns: readonly (RegExp | undefined)[],
  onLine?: (line: string, atMs: number, stop: () => void) => void,
): Promise<{ result: ProcessResult; marks: (number | undefined)[] }> {
  const marks: (number | undefined)[] = patterns.map(() => undefined)
  const startedAt = performance.now()
  const child = await spawnStreaming(
    process.execPath,
    [
      HPM_BIN,
      'run',
      '--role',
      'backend_dev',
      '--agent-id',
      'bench_dev',
      '--level',
      'junior',
      '--repo',
      setup.repo,
      ...extraArgs,
    ],
    {
      cwd: setup.repo,
      timeoutMs: RUNNER_TIMEOUT_MS * 2,
      onLine: (line) => {
        const atMs = performance.now() - startedAt
        const i = patterns.findIndex((p, j) => marks[j] === undefined && p?.test(line))
        if (i >= 0) marks[i] = atMs
        onLine?.(line, atMs, () => child.kill('bench done'))
      },
      env: childEnv({
        ...BENCH_GIT_ENV,
        ...setup.fakeEnv,
        HOME: setup.root,
        HEADLESS_PM_API_URL: setup.serverUrl,
        HEADLESS_PM_API_KEY: BENCH_API_KEY,
        HEADLESS_PM_CLAUDE_BIN: FAKE_CLAUDE,
        HEADLESS_PM_CLAIM_WAIT: '5',
        HEADLESS_PM_ON_STUCK: 'quit',
        HEADLESS_PM_MIN_FREE_MB: '1',
        CLAUDE_FAKE_RECORD: setup.recordFile,
      }),
    },
  )
  return { result: await child.done, marks }
}

/** The invocation the runner made, as the fake recorded it (argv and the prompt on stdin). */
async function lastRecord(file: string): Promise<Recorded> {
  const lines = (await readFile(file, 'utf8')).trim().split('\n')
  const last = JSON.parse(lines[lines.length - 1] ?? '{}') as Partial<Recorded>
  if (!Array.isArray(last.argv) || typeof last.prompt !== 'string')
    throw new Error(`unexpected record in ${file}`)
  return { argv: last.argv, prompt: last.prompt }
}

/** The same fake Claude, same flags, same prompt, in a fresh directory: the part that is not the runner. */
async function runFakeClaudeDirectly(
  setup: Setup,
  dirName: string,
  recorded: Recorded,
): Promise<number> {
  const cwd = join(setup.root, dirName)
  await mkdir(cwd)
  // A session id names one conversation: the replay starts a new one, as a fresh launch would.
  const argv = recorded.argv.map((arg, i) =>
    recorded.argv[i - 1] === '--session-id' ? randomUUID() : arg,
  )
  const result = await runProcess(FAKE_CLAUDE, argv, {
    cwd,
    input: recorded.prompt,
    timeoutMs: CLAUDE_TIMEOUT_MS,
    env: childEnv({ ...setup.fakeEnv, HOME: setup.root, IS_SANDBOX: '1' }),
  })
  if (result.exitCode !== 0)
    throw new Error(`fake claude exited ${result.exitCode ?? result.signal}: ${result.stderr}`)
  return result.durationMs
}

export function runnerOverheadTable(r: RunnerOverheadResult): string {
  const row = (name: string, s: Summary) => [name, s.mean, s.median, s.p95, s.min, s.max]
  return markdownTable(
    ['per task (ms)', 'mean', 'median', 'p95', 'min', 'max'],
    [
      row('`hpm run --single-task` wall time', r.runnerWallMs),
      row('fake claude run directly', r.fakeClaudeDirectMs),
      row('**runner overhead, --single-task** (difference)', r.overheadMs),
      row('claude run as timed inside the runner', r.claudeAsSeenByRunnerMs),
      row('continuous runner, one task to the next', r.continuous.perTaskMs),
      row('**runner overhead, continuous** (minus direct median)', r.continuous.overheadMs),
    ],
  )
}

export function runnerPhasesTable(r: RunnerOverheadResult): string {
  return markdownTable(
    ['--single-task phase (ms, from its progress lines)', 'mean', 'median', 'p95'],
    r.phasesMs.map((p) => [p.phase, p.ms.mean, p.ms.median, p.ms.p95]),
  )
}

async function main(): Promise<void> {
  const result = await benchRunnerOverhead()
  printReport(
    `runner overhead (${result.tasks} tasks)`,
    { machine: machine(), ...result },
    `${runnerOverheadTable(result)}\n\n${runnerPhasesTable(result)}`,
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
