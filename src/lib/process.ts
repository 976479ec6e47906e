import { existsSync } from 'node:fs'
import { execa } from 'execa'
import { childEnv } from './child-env.js'
import { reapGroup, signalGroup, trackGroup, untrackGroup } from './process-group.js'
import { TailBuffer } from './tail-buffer.js'

/** Why a child was killed: `timeout` and `abort` are set by this module, callers may pass others. */
export type KillReason = 'timeout' | 'abort' | (string & {})

/** What every finished child resolves to. A non-zero exit or a kill is a value, never a throw. */
export interface ProcessResult {
  /** `null` when the child ended by a signal. */
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
  /** Set when this module killed the group (`timeout`, `abort`, or the reason given to `kill`). */
  killReason: KillReason | null
  durationMs: number
}

export interface RunProcessOptions {
  cwd?: string
  /** The complete child environment. Defaults to `childEnv()`; the parent env is never merged in. */
  env?: Record<string, string | undefined>
  /** Wall-clock limit; the whole process group is killed after it. Default: none. */
  timeoutMs?: number
  /** Written to stdin, then stdin is closed. Without it stdin is /dev/null. */
  input?: string
  signal?: AbortSignal
  /** Time between SIGTERM and SIGKILL to the group. Default 2000 ms. */
  killGraceMs?: number
  /** stdout and stderr each keep at most this many characters (the tail). Default 16 MiB. */
  maxOutputBytes?: number
}

export interface SpawnStreamingOptions extends RunProcessOptions {
  /** Called for every stdout line (without the newline). Exceptions thrown by it are ignored. */
  onLine?: (line: string) => void
  /** Called with each stderr chunk as it arrives. */
  onStderr?: (chunk: string) => void
}

export interface StreamingProcess {
  readonly pid: number
  /** SIGTERM the whole process group, SIGKILL it after the grace period. Idempotent. */
  kill(reason: KillReason): void
  /** Resolves once the child has exited, its output is drained and, after a kill, its group is gone. */
  readonly done: Promise<ProcessResult>
}

export type ProcessStartErrorCode =
  'command_not_found' | 'cwd_not_found' | 'permission_denied' | 'spawn_failed'

/** The one error this module throws: the program could not be started at all. */
export class ProcessStartError extends Error {
  readonly code: ProcessStartErrorCode
  readonly command: string

  constructor(
    code: ProcessStartErrorCode,
    command: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'ProcessStartError'
    this.code = code
    this.command = command
  }
}

const DEFAULT_KILL_GRACE_MS = 2000
const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024

/** Runs a program to completion and resolves with its result. Throws only `ProcessStartError`. */
export async function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessResult> {
  const child = await spawnStreaming(command, args, options)
  return child.done
}

/**
 * Starts a program in its own process group and streams its stdout line by line.
 * Resolves once the program has started; throws `ProcessStartError` when it cannot start.
 */
export async function spawnStreaming(
  command: string,
  args: readonly string[],
  options: SpawnStreamingOptions = {},
): Promise<StreamingProcess> {
  const startedAt = performance.now()
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS
  const subprocess = execa(command, [...args], {
    cwd: options.cwd,
    env: options.env ?? childEnv(),
    extendEnv: false,
    detached: true,
    cleanup: false,
    buffer: false,
    reject: false,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
  })

  const spawned = await waitForSpawn(subprocess)
  if (!spawned.ok) {
    await subprocess
    throw startError(command, options.cwd, spawned.error)
  }
  const pid = subprocess.pid as number
  trackGroup(pid)

  const stdout = new TailBuffer(maxOutput)
  const stderr = new TailBuffer(maxOutput)
  subprocess.stderr?.setEncoding('utf8')
  subprocess.stderr?.on('data', (chunk: string) => {
    stderr.push(chunk)
    guarded(() => options.onStderr?.(chunk))
  })
  const emitLine = (line: string): void => guarded(() => options.onLine?.(line.replace(/\r$/, '')))
  let partialLine = ''
  const stdoutStream = subprocess.stdout
  stdoutStream.setEncoding('utf8')
  stdoutStream.on('data', (chunk: string) => {
    stdout.push(chunk)
    const parts = (partialLine + chunk).split('\n')
    partialLine = parts.pop() ?? ''
    for (const line of parts) emitLine(line)
    if (partialLine.length > maxOutput) partialLine = partialLine.slice(-maxOutput)
  })
  const stdoutEnded = new Promise<void>((resolve) => {
    stdoutStream.once('close', () => {
      if (partialLine !== '') emitLine(partialLine)
      resolve()
    })
  })

  if (options.input !== undefined && subprocess.stdin) {
    // A child that exits without reading its stdin must not crash us with EPIPE.
    subprocess.stdin.on('error', () => {})
    subprocess.stdin.end(options.input)
  }

  let killReason: KillReason | null = null
  let killTimer: NodeJS.Timeout | undefined
  let isFinished = false
  const kill = (reason: KillReason): void => {
    // Once finished, the group id may already belong to someone else.
    if (killReason !== null || isFinished) return
    killReason = reason
    signalGroup(pid, 'SIGTERM')
    killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs)
  }

  const timeoutTimer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => kill('timeout'), options.timeoutMs)
  const onAbort = (): void => kill('abort')
  if (options.signal?.aborted) onAbort()
  else options.signal?.addEventListener('abort', onAbort, { once: true })

  const done = (async (): Promise<ProcessResult> => {
    const result = await subprocess
    await stdoutEnded
    clearTimeout(timeoutTimer)
    options.signal?.removeEventListener('abort', onAbort)
    // After a kill, members that ignore SIGTERM may still hold resources: wait until the group is gone.
    if (killReason !== null) await reapGroup(pid, graceMs)
    clearTimeout(killTimer)
    isFinished = true
    untrackGroup(pid)
    return {
      exitCode: typeof result.exitCode === 'number' ? result.exitCode : null,
      signal: result.signal ?? null,
      stdout: stdout.text(),
      stderr: stderr.text(),
      timedOut: killReason === 'timeout',
      killReason,
      durationMs: Math.round(performance.now() - startedAt),
    }
  })()

  return { pid, kill, done }
}

type Spawned = { ok: true } | { ok: false; error: NodeJS.ErrnoException }

function waitForSpawn(subprocess: ReturnType<typeof execa>): Promise<Spawned> {
  return new Promise((resolve) => {
    subprocess.once('spawn', () => resolve({ ok: true }))
    subprocess.once('error', (error) => resolve({ ok: false, error }))
  })
}

function startError(
  command: string,
  cwd: string | undefined,
  error: NodeJS.ErrnoException,
): ProcessStartError {
  const make = (code: ProcessStartErrorCode, message: string): ProcessStartError =>
    new ProcessStartError(code, command, message, { cause: error })
  // spawn reports a missing cwd as ENOENT of the command, which sends people looking for the binary.
  if (error.code === 'ENOENT' && cwd !== undefined && !existsSync(cwd)) {
    return make('cwd_not_found', `working directory ${cwd} does not exist`)
  }
  if (error.code === 'ENOENT') return make('command_not_found', `command not found: ${command}`)
  if (error.code === 'EACCES' || error.code === 'ENOEXEC') {
    return make('permission_denied', `cannot execute ${command} (${error.code})`)
  }
  return make('spawn_failed', `cannot start ${command}: ${error.message}`)
}

function guarded(callback: () => void): void {
  try {
    callback()
  } catch {
    // A faulty observer must not take down the child's bookkeeping.
  }
}
