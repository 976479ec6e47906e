import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import pc from 'picocolors'

import { ApiError, ApiUnavailableError, HeadlessPMClient } from '../../client/index.js'
import type { ChangelogResponse, RunResponse } from '../../contract/index.js'
import { loadServerConfig } from '../../config/index.js'
import {
  HELLO_DEV_SCENARIO,
  HELLO_QA_SCENARIO,
  HELLO_TASK,
  SCRIPTED_CLAUDE_BIN,
} from '../../demo/index.js'
import type { ClaudeScript } from '../../demo/index.js'
import {
  childEnv,
  createLogger,
  onStopSignals,
  PACKAGE_ROOT,
  ProcessStartError,
  runProcess,
  spawnStreaming,
} from '../../lib/index.js'
import type { ProcessResult } from '../../lib/index.js'
import { startServer } from '../../server/main.js'
import type { RunningServer } from '../../server/main.js'
import { EXIT } from '../exit-codes.js'

const HPM_BIN = join(PACKAGE_ROOT, 'bin', 'hpm.js')
const RUNNER_TIMEOUT_MS = 90_000
const GIT_TIMEOUT_MS = 30_000
const STEPS = 6

/**
 * Identity and isolation for every git call of the demo (ours, the runners', the fake Claude's):
 * machines without a git identity work, and a user's signing or hook config cannot break the flow.
 */
const DEMO_GIT_ENV = {
  GIT_AUTHOR_NAME: 'Headless PM Demo',
  GIT_AUTHOR_EMAIL: 'demo@headless-pm.invalid',
  GIT_COMMITTER_NAME: 'Headless PM Demo',
  GIT_COMMITTER_EMAIL: 'demo@headless-pm.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
}

export interface DemoOptions {
  /** Keep the temp directory (server data, repo, runner logs) and print where it is. */
  keep?: boolean
}

/** A demo step that did not turn out as expected; its message is shown as is. */
class DemoStepError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DemoStepError'
  }
}

interface DemoWorld {
  root: string
  repo: string
  server: RunningServer
  client: HeadlessPMClient
  apiKey: string
  signal: AbortSignal
}

const say = (text = ''): void => {
  process.stdout.write(`${text}\n`)
}
/** The step under way, so a failure can say where it happened. */
let currentStep = ''
const step = (n: number, title: string): void => {
  currentStep = `step ${n} (${title.split(':')[0] ?? title})`
  say(`\n${pc.bold(pc.cyan(`[${n}/${STEPS}]`))} ${pc.bold(title)}`)
}
const detail = (text: string): void => say(`      ${text}`)

/**
 * `hpm demo`: a server over SQLite in a temp dir, a sample repo, a plan with one task, then a dev
 * runner and a QA runner driving the bundled fake Claude, so the whole flow shows in seconds with
 * no Claude account. Returns the exit code.
 */
export async function demoCommand(options: DemoOptions = {}): Promise<number> {
  const startedAt = performance.now()
  const root = await mkdtemp(join(tmpdir(), 'hpm-demo-'))
  const stop = new AbortController()
  // A second Ctrl-C means now; the exit hook of lib/process still kills the runner's group.
  const offStop = onStopSignals(() => stop.abort())

  say(
    pc.bold('Headless PM demo') +
      pc.dim(' — a dev agent and a QA agent take one task to committed, with a fake Claude'),
  )
  let server: RunningServer | undefined
  try {
    step(1, 'coordination server')
    server = await startDemoServer(root)
    const apiKey = server.apiKeys[0] ?? ''
    detail(
      `listening on ${pc.cyan(server.url)} (SQLite in ${join(root, 'server')}, generated API key)`,
    )
    const world: DemoWorld = {
      root,
      repo: join(root, 'repo'),
      server,
      client: new HeadlessPMClient({ baseUrl: server.url, apiKey }),
      apiKey,
      signal: stop.signal,
    }
    await runDemo(world)
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1)
    say(
      `\n${pc.green('✓')} ${pc.bold(`demo finished in ${seconds} s`)}: one task went created → dev → QA → committed on main.`,
    )
    printNextSteps()
    return EXIT.ok
  } catch (error) {
    if (stop.signal.aborted) {
      say(`\n${pc.yellow('!')} demo interrupted`)
      return EXIT.interrupted
    }
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`\n${pc.red('error:')} demo failed at ${currentStep}: ${message}\n`)
    if (!isExpectedFailure(error) && error instanceof Error && error.stack) {
      process.stderr.write(
        `${pc.dim(error.stack)}\nthis is a bug in hpm; please report it with the output above\n`,
      )
    }
    if (!options.keep)
      process.stderr.write(
        '(run `hpm demo --keep` to keep the server data, repo and runner logs for a look)\n',
      )
    return EXIT.failed
  } finally {
    offStop()
    await server?.close().catch(() => {})
    if (options.keep) {
      say(`\nkept ${pc.cyan(root)}:`)
      detail(
        `server data  ${join(root, 'server')}  (look again: hpm serve --data-dir ${join(root, 'server')})`,
      )
      detail(
        `repository   ${join(root, 'repo')}  (runner lock files and Claude logs in .headless-pm/runner/)`,
      )
    } else {
      await rm(root, { recursive: true, force: true })
    }
  }
}

async function startDemoServer(root: string): Promise<RunningServer> {
  const dataDir = join(root, 'server')
  // A fixed environment and database, not the user's: a DATABASE_URL or key in the shell must not leak into the demo.
  const config = loadServerConfig({
    flags: {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      databaseUrl: `sqlite:${join(dataDir, 'headless-pm.db')}`,
    },
    env: { HPM_LOG_LEVEL: 'silent', HPM_SERVICE_PING_INTERVAL: '0' },
    cwd: root,
  })
  return startServer(config, createLogger({ level: 'silent' }), root)
}

async function runDemo(world: DemoWorld): Promise<void> {
  const { client, repo } = world

  step(2, 'sample git repository')
  await createSampleRepo(repo)
  detail(
    `${repo}: branch main, one commit ("${await git(repo, 'log', '-1', '--format=%s')}") with README.md`,
  )

  step(3, 'plan: a pm, an epic, a feature and a task')
  await client.registerAgent({ agent_id: 'demo_pm', role: 'pm', level: 'principal' })
  const epic = await client.createEpic(
    { name: 'Demo epic', description: 'Show the Headless PM flow end to end' },
    'demo_pm',
  )
  const feature = await client.createFeature(
    { epic_id: epic.id, name: 'Greeting', description: 'Say hello' },
    'demo_pm',
  )
  const created = await client.createTask({ feature_id: feature.id, ...HELLO_TASK }, 'demo_pm')
  detail(
    `pm demo_pm registered; epic #${epic.id} "${epic.name}"; feature #${feature.id} "${feature.name}"`,
  )
  detail(
    `task #${created.id} "${created.title}" (${created.target_role}, ${created.difficulty}, ${created.complexity}) is ${status(created.status)}`,
  )
  const taskId = created.id

  step(
    4,
    'dev runner: claims the task, works on it in a worktree with (fake) Claude, reports dev_done',
  )
  const dev = await runRunner(world, {
    label: 'dev',
    role: 'backend_dev',
    agentId: 'demo_dev',
    scenario: HELLO_DEV_SCENARIO,
  })
  const afterDev = await client.getTask(taskId)
  detail(
    `runner exited ${dev.exitCode} after ${(dev.durationMs / 1000).toFixed(1)} s; task #${taskId} is ${status(afterDev.status)}`,
  )
  if (dev.exitCode !== 0)
    throw new DemoStepError(
      `the dev runner exited ${dev.exitCode ?? dev.signal}${dev.timedOut ? ' (timed out)' : ''}`,
    )
  if (afterDev.status !== 'dev_done')
    throw new DemoStepError(
      `task #${taskId} is ${afterDev.status} after the dev runner, expected dev_done`,
    )
  const branch = afterDev.branch || `feature/task-${taskId}`
  detail(
    `branch ${branch}: ${await git(repo, 'log', '-1', '--format=%h %s', branch)}; hello.txt = "${await git(repo, 'show', `${branch}:hello.txt`)}"`,
  )

  step(
    5,
    'QA runner: claims the dev_done task, checks it, passes it; the runner merges the minor task',
  )
  const qa = await runRunner(world, {
    label: 'qa',
    role: 'qa',
    agentId: 'demo_qa',
    scenario: HELLO_QA_SCENARIO,
  })
  const afterQa = await client.getTask(taskId)
  detail(
    `runner exited ${qa.exitCode} after ${(qa.durationMs / 1000).toFixed(1)} s; task #${taskId} is ${status(afterQa.status)}`,
  )
  if (qa.exitCode !== 0)
    throw new DemoStepError(
      `the QA runner exited ${qa.exitCode ?? qa.signal}${qa.timedOut ? ' (timed out)' : ''}`,
    )
  if (afterQa.status !== 'committed')
    throw new DemoStepError(
      `task #${taskId} is ${afterQa.status} after the QA runner, expected committed`,
    )

  step(6, 'what the server and the repo now hold')
  detail(
    `main: ${await git(repo, 'log', '-1', '--format=%h %s', 'main')}; hello.txt on main = "${await git(repo, 'show', 'main:hello.txt')}"`,
  )
  detail('changelog of the task (oldest first):')
  const changelog = (await client.listChangelog(100))
    .filter((row) => row.task_id === taskId)
    .reverse()
  for (const row of changelog) detail(`  ${formatChange(row)}`)
  detail('runner attempts recorded (POST /tasks/{id}/runs):')
  for (const run of await client.listRuns(taskId)) detail(`  ${formatRun(run)}`)
}

async function createSampleRepo(repo: string): Promise<void> {
  await mkdir(repo, { recursive: true })
  await git(repo, 'init', '-q', '-b', 'main')
  await writeFile(
    join(repo, 'README.md'),
    '# sample project\n\nA repository for the Headless PM demo.\n',
  )
  await git(repo, 'add', 'README.md')
  await git(repo, 'commit', '-q', '-m', 'initial commit')
}

/** Runs git in `cwd` with the demo's identity; returns trimmed stdout, throws DemoStepError on failure. */
async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await runProcess('git', args, {
    cwd,
    env: childEnv(DEMO_GIT_ENV),
    timeoutMs: GIT_TIMEOUT_MS,
  })
  if (result.exitCode !== 0)
    throw new DemoStepError(
      `git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim() || `exit ${result.exitCode}`}`,
    )
  return result.stdout.trim()
}

interface RunnerSpec {
  label: string
  role: string
  agentId: string
  scenario: ClaudeScript
}

/** `hpm run --single-task` as a child, exactly as an operator would start it, output shown with a prefix. */
async function runRunner(world: DemoWorld, spec: RunnerSpec): Promise<ProcessResult> {
  const args = [
    HPM_BIN,
    'run',
    '--role',
    spec.role,
    '--agent-id',
    spec.agentId,
    '--level',
    'junior',
    '--single-task',
    '--repo',
    world.repo,
  ]
  detail(pc.dim(`$ hpm ${args.slice(1).join(' ')}`))
  const prefix = pc.dim(`  ${spec.label.padStart(3)} │ `)
  const print = (line: string): void => say(`${prefix}${line}`)
  const stderrLines = new LineSplitter(print)
  const child = await spawnStreaming(process.execPath, args, {
    cwd: world.repo,
    timeoutMs: RUNNER_TIMEOUT_MS,
    signal: world.signal,
    onLine: print,
    onStderr: (chunk) => stderrLines.push(chunk),
    env: childEnv({
      ...DEMO_GIT_ENV,
      // The runner's HOME stays in the temp dir, so nothing of the user's Claude or git setup is touched.
      HOME: world.root,
      HEADLESS_PM_API_URL: world.server.url,
      HEADLESS_PM_API_KEY: world.apiKey,
      HEADLESS_PM_CLAUDE_BIN: SCRIPTED_CLAUDE_BIN,
      HEADLESS_PM_CLAIM_WAIT: '10',
      // The demo answers stuck prompts itself: stop rather than wait for an operator who is watching.
      HEADLESS_PM_ON_STUCK: 'quit',
      // The example pre_task hook wants 1 GB free by default; the demo writes a few bytes.
      HEADLESS_PM_MIN_FREE_MB: '50',
      CLAUDE_FAKE_SCENARIO: JSON.stringify(spec.scenario),
    }),
  })
  const result = await child.done
  stderrLines.flush()
  return result
}

/** Turns stderr chunks into whole lines for the prefixed echo. */
class LineSplitter {
  readonly #emit: (line: string) => void
  #partial = ''

  constructor(emit: (line: string) => void) {
    this.#emit = emit
  }

  push(chunk: string): void {
    const parts = (this.#partial + chunk).split('\n')
    this.#partial = parts.pop() ?? ''
    for (const line of parts) this.#emit(line.replace(/\r$/, ''))
  }

  flush(): void {
    if (this.#partial !== '') this.#emit(this.#partial)
    this.#partial = ''
  }
}

/** Failures with a message that already says what went wrong; anything else is a bug and shows its stack. */
function isExpectedFailure(error: unknown): boolean {
  return (
    error instanceof DemoStepError ||
    error instanceof ProcessStartError ||
    error instanceof ApiError ||
    error instanceof ApiUnavailableError
  )
}

function status(value: string): string {
  return pc.bold(value)
}

function formatChange(row: ChangelogResponse): string {
  const notes = row.notes ? pc.dim(`  ${row.notes.split('\n')[0]?.slice(0, 70) ?? ''}`) : ''
  return `${row.changed_at}  ${(row.old_status ?? '—').padEnd(10)} → ${(row.new_status ?? '—').padEnd(10)} by ${row.changed_by}${notes}`
}

function formatRun(run: RunResponse): string {
  const cost = run.cost_usd === null ? 'cost n/a' : `$${run.cost_usd.toFixed(4)}`
  const tokens =
    run.input_tokens === null
      ? ''
      : `, ${run.input_tokens} in / ${run.output_tokens ?? 0} out tokens`
  return `${run.agent_id} attempt ${run.attempt}: ${run.outcome}, model ${run.model ?? 'n/a'}, session ${run.session_id ?? 'n/a'}, ${cost}${tokens}, ${(run.duration_ms / 1000).toFixed(1)} s`
}

function printNextSteps(): void {
  say(`\n${pc.bold('Run it for real')} (needs the \`claude\` CLI, logged in):`)
  detail(
    `1. ${pc.cyan('hpm serve')}                      start the server (prints the URL and the API key to export)`,
  )
  detail(
    `2. ${pc.cyan('hpm init')}                       in your project repo: writes .env with the URL and key`,
  )
  detail(
    `3. ${pc.cyan('hpm register --agent-id pm_1 --role pm --level principal')}, then epics/features/tasks create`,
  )
  detail(
    `4. ${pc.cyan('hpm run --role backend_dev --agent-id dev_001 --level senior')}   one per agent, in the repo`,
  )
  detail(
    `   ${pc.cyan('hpm run --role qa --agent-id qa_001')}                              QA picks up dev_done tasks`,
  )
  detail(
    pc.dim('As root, the runner sets IS_SANDBOX=1 for Claude; only do that inside a real sandbox.'),
  )
}
