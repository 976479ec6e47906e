import { constants } from 'node:fs'
import { access, readdir, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { childEnv, ProcessStartError, runProcess } from '../../lib/index.js'

export const HOOK_NAMES = ['pre_task', 'post_task', 'health_check'] as const
export type HookName = (typeof HOOK_NAMES)[number]

export interface HookRunnerOptions {
  /** Directory holding the hook executables (`pre_task`, `post_task.sh`, `health_check.js`, ...). */
  hooksDir: string
  /** Limit per hook run; the hook's whole process group is killed after it. */
  timeoutMs: number
  /** Agent id passed to hooks as HEADLESS_PM_AGENT_ID. */
  agentId: string
  /** Extra environment for hooks (on top of the `childEnv` allowlist). */
  env?: Record<string, string>
  killGraceMs?: number
  /** Output kept per stream. Default 64 KiB. */
  maxOutputBytes?: number
}

/** The minimum a hook needs to know about the task. Everything else in it is passed along as is. */
export interface HookTask {
  id: number | string
  status?: string
  [key: string]: unknown
}

export interface HookContext {
  /** The worktree (or repository) the hook runs in. */
  cwd: string
  task?: HookTask
}

/** What running a hook did. Never thrown: a failing hook is a value the runner decides about. */
export interface HookResult {
  hook: HookName
  /** False when there is no hook of that name (then `ok` is true). */
  ran: boolean
  ok: boolean
  exitCode: number | null
  timedOut: boolean
  stdout: string
  stderr: string
  durationMs: number
  /** Path of the hook that ran (or was found but could not run). */
  path: string | null
  /** Why the hook failed, in one line; null when ok. */
  message: string | null
}

/**
 * Runs the global hooks. pre_task gets the task JSON on stdin, post_task `{ task, result }`,
 * health_check nothing. A missing hook counts as passing; a hook that exists but cannot run fails.
 */
export class HookRunner {
  readonly #options: HookRunnerOptions

  constructor(options: HookRunnerOptions) {
    this.#options = options
  }

  runPreTask(context: HookContext & { task: HookTask }): Promise<HookResult> {
    return this.run('pre_task', context, context.task)
  }

  runPostTask(context: HookContext & { task: HookTask }, result: unknown): Promise<HookResult> {
    return this.run('post_task', context, { task: context.task, result })
  }

  runHealthCheck(context: HookContext): Promise<HookResult> {
    return this.run('health_check', context, undefined)
  }

  async run(hook: HookName, context: HookContext, payload: unknown): Promise<HookResult> {
    const found = await findHook(this.#options.hooksDir, hook)
    if (found.kind === 'missing') return skipped(hook)
    if (found.kind === 'not_executable') {
      return failed(hook, found.path, `hook ${found.path} is not executable (chmod +x it)`)
    }
    const task = context.task
    const env = childEnv({
      ...this.#options.env,
      HEADLESS_PM_HOOK: hook,
      HEADLESS_PM_AGENT_ID: this.#options.agentId,
      HEADLESS_PM_WORKTREE: context.cwd,
      HEADLESS_PM_TASK_ID: task === undefined ? undefined : String(task.id),
      HEADLESS_PM_TASK_STATUS: typeof task?.status === 'string' ? task.status : undefined,
    })
    try {
      const result = await runProcess(found.path, [], {
        cwd: context.cwd,
        env,
        input: payload === undefined ? '' : `${JSON.stringify(payload)}\n`,
        timeoutMs: this.#options.timeoutMs,
        killGraceMs: this.#options.killGraceMs,
        maxOutputBytes: this.#options.maxOutputBytes ?? 64 * 1024,
      })
      const ok = result.exitCode === 0 && result.killReason === null
      return {
        hook,
        ran: true,
        ok,
        exitCode: result.exitCode,
        timedOut: result.timedOut,
        stdout: result.stdout,
        stderr: result.stderr,
        durationMs: result.durationMs,
        path: found.path,
        message: ok ? null : failureMessage(hook, this.#options.timeoutMs, result),
      }
    } catch (error) {
      const reason = error instanceof ProcessStartError ? error.message : String(error)
      return failed(hook, found.path, `hook ${hook} could not start: ${reason}`)
    }
  }
}

type FoundHook =
  | { kind: 'missing' }
  | { kind: 'executable'; path: string }
  | { kind: 'not_executable'; path: string }

/**
 * The file whose name without extension is `hook`. An exact name wins over `hook.ext`; among several
 * candidates an executable one wins, so a `pre_task.sample` beside `pre_task.sh` does no harm.
 */
async function findHook(hooksDir: string, hook: HookName): Promise<FoundHook> {
  let entries: string[]
  try {
    entries = await readdir(hooksDir)
  } catch {
    return { kind: 'missing' }
  }
  const candidates = entries
    .filter((name) => name === hook || isHookWithExtension(name, hook))
    .sort((a, b) => (a === hook ? -1 : b === hook ? 1 : a.localeCompare(b)))
  let notExecutable: string | undefined
  for (const name of candidates) {
    const path = join(hooksDir, name)
    const info = await stat(path).catch(() => undefined)
    if (!info?.isFile()) continue
    if (await isExecutable(path)) return { kind: 'executable', path }
    notExecutable ??= path
  }
  return notExecutable === undefined
    ? { kind: 'missing' }
    : { kind: 'not_executable', path: notExecutable }
}

// Extensions of files that sit beside hooks without being hooks (git's `.sample`, editor backups).
const INERT_EXTENSIONS = new Set(['.sample', '.bak', '.orig', '.disabled', '.md', '.txt', '.json'])

function isHookWithExtension(name: string, hook: HookName): boolean {
  const extension = extname(name)
  return name === `${hook}${extension}` && extension !== '' && !INERT_EXTENSIONS.has(extension)
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK)
    // root passes X_OK for any file with at least one x bit; a file with none is still not runnable.
    return ((await stat(path)).mode & 0o111) !== 0
  } catch {
    return false
  }
}

function failureMessage(
  hook: HookName,
  timeoutMs: number,
  result: {
    exitCode: number | null
    signal: string | null
    timedOut: boolean
    stderr: string
    stdout: string
  },
): string {
  const why = result.timedOut
    ? `timed out after ${timeoutMs} ms`
    : result.exitCode === null
      ? `was killed by ${result.signal ?? 'a signal'}`
      : `exited with code ${result.exitCode}`
  const lastLine = (result.stderr.trim() || result.stdout.trim()).split('\n').at(-1)
  return lastLine ? `hook ${hook} ${why}: ${lastLine}` : `hook ${hook} ${why}`
}

function skipped(hook: HookName): HookResult {
  return {
    hook,
    ran: false,
    ok: true,
    exitCode: null,
    timedOut: false,
    stdout: '',
    stderr: '',
    durationMs: 0,
    path: null,
    message: null,
  }
}

function failed(hook: HookName, path: string, message: string): HookResult {
  return { ...skipped(hook), ok: false, path, message }
}
