import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { join } from 'node:path'
import {
  passThroughEnv,
  ProcessStartError,
  spawnStreaming,
  type ProcessResult,
  type StreamingProcess,
} from '../../lib/index.js'
import { parseStreamLine, type ClaudeEvent, type TokenUsage } from './claude-stream.js'
import { judge, notStarted, type ClaudeOutcome, type RunObservation } from './claude-outcome.js'
import { slug } from './slug.js'

export type { ClaudeOutcome } from './claude-outcome.js'

export interface ClaudeExecutorOptions {
  /** Path or name of the claude binary. */
  claudeBin: string
  /** Wall-clock limit per run. */
  timeoutMs: number
  /** Kill the run when stdout is silent this long (no event at all). */
  stallTimeoutMs: number
  /** Raw logs go to `<logDir>/task-<id>-<session>-attempt-<n>.jsonl` and `.stderr.log`. */
  logDir: string
  /** Extra environment for claude, e.g. HEADLESS_PM_API_URL/KEY so its `hpm` calls work. */
  env?: Record<string, string>
  /**
   * Names or `PREFIX*` patterns kept out of the environment claude inherits, on top of the runner's
   * own secrets and settings (`HEADLESS_PM_CLAUDE_ENV_DENY`).
   */
  envDeny?: readonly string[]
  /** Names or `PREFIX*` patterns claude inherits even when denied (`HEADLESS_PM_CLAUDE_ENV_PASS`). */
  envPass?: readonly string[]
  /** Extra CLI arguments (e.g. `--max-turns`, `--append-system-prompt`). */
  extraArgs?: readonly string[]
  killGraceMs?: number
  /** How long claude may linger after its `result` line before it is killed. Default 10 s. */
  exitAfterResultMs?: number
  /**
   * GNU `timeout` to run claude under, so a run outlives no runner by more than its own limit: a
   * runner killed with SIGKILL cannot stop its Claude, but `timeout` still does (the whole process
   * group, a tenth past `timeoutMs` (1–30 s), then SIGKILL). Unset: no guard (`timeout` is missing).
   */
  guardBin?: string
}

/**
 * Runs claude (its arguments come as "$@", never through the shell's parser) and, when it exits,
 * stops what it left running in its process group: `timeout` signals the group only when its time
 * runs out, so a claude that dies early (a killed runner's pipe breaks under it) would orphan the
 * commands it started. The shell spares itself and `timeout` ($PPID), then ends as claude did: with
 * its exit code, or killed by the same signal.
 */
const GROUP_SWEEP = [
  '"$@"; status=$?',
  'for p in $(pgrep -g 0); do [ "$p" = "$$" ] || [ "$p" = "$PPID" ] || kill -TERM "$p" 2>/dev/null; done',
  'if [ "$status" -gt 128 ]; then trap - TERM INT HUP; kill -s "$((status - 128))" "$$"; fi',
  'exit "$status"',
].join('\n')

/** Slack for the guard: the runner's own timeout always comes first while the runner lives. */
function guardSlackSeconds(timeoutMs: number): number {
  return Math.min(30, Math.max(1, Math.ceil(timeoutMs / 10_000)))
}

export interface ClaudeRunInput {
  prompt: string
  model: string
  /** The task's worktree. */
  cwd: string
  resumeSessionId?: string | null
  /** Start a new session with this id (`--session-id`); ignored when resuming. */
  newSessionId?: string | null
  /** `--max-budget-usd`: Claude stops once this run has spent that much. */
  maxBudgetUsd?: number | null
  taskId: number | string
  attempt: number
  onEvent?: (event: ClaudeEvent) => void
  /** Called with the pid (= process group id) once claude has started. */
  onSpawn?: (pid: number) => void
  signal?: AbortSignal
}

export interface ClaudeRunResult {
  outcome: ClaudeOutcome
  /** From the latest event that carried one; may differ from the id that was resumed. */
  sessionId: string | null
  model: string | null
  exitCode: number | null
  isError: boolean
  errorMessage: string | null
  costUsd: number | null
  usage: TokenUsage | null
  numTurns: number | null
  durationMs: number
  logPath: string
  stderrPath: string
  lastResultText: string | null
  /** The last thing Claude said (assistant text), shown when an attempt fails. */
  lastText: string | null
}

/**
 * Runs `claude -p` headless in a worktree with stream-json output, a wall-clock and a stall timeout,
 * and returns a `ClaudeRunResult` value for every ending (never throws for a failed run).
 */
export class ClaudeExecutor {
  readonly #options: ClaudeExecutorOptions
  readonly #running = new Set<StreamingProcess>()

  constructor(options: ClaudeExecutorOptions) {
    this.#options = options
  }

  /** Where the raw event stream of one attempt is kept (also read back after a crash). */
  logPathFor(taskId: number | string, attempt: number, sessionId?: string | null): string {
    // The session names the claim: attempt numbers start again with each claim, and dev, QA and
    // every agent of a repository share one log directory.
    const session = sessionId ? `-${slug(sessionId).slice(0, 8)}` : ''
    return join(this.#options.logDir, `task-${slug(taskId)}${session}-attempt-${attempt}.jsonl`)
  }

  /** Interrupts every run in progress; each resolves with outcome `interrupted`. */
  abort(): void {
    for (const child of this.#running) child.kill('abort')
  }

  async run(input: ClaudeRunInput): Promise<ClaudeRunResult> {
    const options = this.#options
    const logPath = this.logPathFor(
      input.taskId,
      input.attempt,
      input.resumeSessionId ?? input.newSessionId,
    )
    const stderrPath = logPath.replace(/\.jsonl$/, '.stderr.log')
    try {
      mkdirSync(options.logDir, { recursive: true })
    } catch {
      // Without a log directory the run still happens; only its raw log is lost.
    }
    const log = openLog(logPath)
    const stderrLog = openLog(stderrPath)
    const state: RunState = {
      sessionId: input.resumeSessionId ?? input.newSessionId ?? null,
      model: null,
      result: null,
      hasAuthError: false,
      lastEvent: null,
      lastText: null,
    }
    const emit = (event: ClaudeEvent): void => {
      try {
        input.onEvent?.(event)
      } catch {
        // The UI's problems must not end the agent's run.
      }
    }

    let child: StreamingProcess | undefined
    let stallTimer: NodeJS.Timeout | undefined
    let exitTimer: NodeJS.Timeout | undefined
    const armStall = (): void => {
      clearTimeout(stallTimer)
      if (state.result !== null) return
      stallTimer = setTimeout(() => child?.kill('stall'), options.stallTimeoutMs)
    }
    const onLine = (line: string): void => {
      log.write(`${line}\n`)
      armStall()
      const parsed = parseStreamLine(line, input.cwd)
      state.sessionId = parsed.sessionId ?? state.sessionId
      if (parsed.errorTag === 'authentication_failed') state.hasAuthError = true
      for (const event of parsed.events) {
        if (event.type === 'init') state.model = event.model ?? state.model
        if (event.type === 'result') {
          state.result = event
          clearTimeout(stallTimer)
          // Claude sometimes lingers after its result (open MCP servers); the work is done by then.
          exitTimer = setTimeout(
            () => child?.kill('after_result'),
            options.exitAfterResultMs ?? 10_000,
          )
        }
        if (event.type !== 'invalid_line') state.lastEvent = event.type
        if (event.type === 'text') state.lastText = event.text
        emit(event)
      }
    }

    const args = ['-p', '--model', input.model, '--output-format', 'stream-json', '--verbose']
    args.push('--dangerously-skip-permissions', ...(options.extraArgs ?? []))
    if (input.resumeSessionId) args.push('--resume', input.resumeSessionId)
    else if (input.newSessionId) args.push('--session-id', input.newSessionId)
    if (input.maxBudgetUsd != null) args.push('--max-budget-usd', String(input.maxBudgetUsd))
    const startedAt = performance.now()
    let processResult: ProcessResult | undefined
    let startError: ProcessStartError | undefined
    try {
      const slack = guardSlackSeconds(options.timeoutMs)
      const [command, argv] = options.guardBin
        ? [
            options.guardBin,
            [
              `--kill-after=${slack}`,
              String(Math.ceil(options.timeoutMs / 1000) + slack),
              'sh',
              '-c',
              GROUP_SWEEP,
              'claude-guard',
              options.claudeBin,
              ...args,
            ],
          ]
        : [options.claudeBin, args]
      child = await spawnStreaming(command, argv, {
        cwd: input.cwd,
        env: this.#childEnv(),
        input: input.prompt,
        timeoutMs: options.timeoutMs,
        signal: input.signal,
        killGraceMs: options.killGraceMs,
        maxOutputBytes: 256 * 1024,
        onLine,
        onStderr: (chunk) => stderrLog.write(chunk),
      })
      this.#running.add(child)
      try {
        input.onSpawn?.(child.pid)
      } catch {
        // Bookkeeping only; the run goes on.
      }
      armStall()
      processResult = await child.done
    } catch (error) {
      if (!(error instanceof ProcessStartError)) throw error
      startError = error
    } finally {
      clearTimeout(stallTimer)
      clearTimeout(exitTimer)
      if (child) this.#running.delete(child)
      await Promise.all([closeLog(log), closeLog(stderrLog)])
    }

    const verdict = startError
      ? notStarted(startError, options.claudeBin)
      : judge(processResult!, state, options)
    const result = state.result
    return {
      outcome: verdict.outcome,
      sessionId: state.sessionId,
      model: state.model ?? input.model,
      exitCode: processResult?.exitCode ?? null,
      isError: verdict.outcome !== 'succeeded',
      errorMessage: verdict.message,
      costUsd: result?.costUsd ?? null,
      usage: result?.usage ?? null,
      numTurns: result?.numTurns ?? null,
      durationMs: Math.round(performance.now() - startedAt),
      logPath,
      stderrPath,
      lastResultText: result?.text ?? null,
      lastText: state.lastText,
    }
  }

  #childEnv(): Record<string, string> {
    const extra = this.#options.env ?? {}
    // As root, claude refuses --dangerously-skip-permissions unless told it runs in a sandbox.
    const isRoot = process.getuid?.() === 0
    const sandbox = isRoot && extra.IS_SANDBOX === undefined ? { IS_SANDBOX: '1' } : {}
    // The user's environment (cloud credentials, CA bundles, toolchains) minus the runner's secrets.
    return passThroughEnv(
      { ...extra, ...sandbox },
      { deny: this.#options.envDeny, pass: this.#options.envPass },
    )
  }
}

interface RunState extends RunObservation {
  sessionId: string | null
  model: string | null
  lastText: string | null
}

function openLog(path: string): WriteStream {
  // One file per run: a log never mixes two runs, so reading it back after a crash is exact.
  const stream = createWriteStream(path, { flags: 'w', mode: 0o600 })
  // A full disk or vanished log dir must not end the run; the run result still reports the outcome.
  stream.on('error', () => {})
  return stream
}

function closeLog(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) return resolve()
    stream.end(() => resolve())
    stream.once('error', () => resolve())
  })
}
