import { existsSync, realpathSync } from 'node:fs'
import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { childEnv, ProcessStartError, runProcess } from '../../lib/index.js'

/** Why a git operation did not happen; the runner maps these to `workspace_invalid` or `git_failed`. */
export type GitErrorCode =
  | 'git_not_found'
  | 'not_a_repository'
  | 'no_commits'
  | 'invalid_name'
  | 'branch_in_use'
  | 'branch_not_found'
  | 'base_not_found'
  | 'path_outside_base'
  | 'not_a_worktree'
  | 'dirty'
  | 'base_checkout_busy'
  | 'base_moved'
  | 'fetch_failed'
  | 'push_failed'
  | 'git_failed'

export interface GitFailure {
  ok: false
  conflict?: false
  code: GitErrorCode
  message: string
}

export interface GitOutput {
  ok: boolean
  exitCode: number | null
  stdout: string
  stderr: string
}

export interface GitOptions {
  /** Extra environment for every git call (e.g. GIT_AUTHOR_NAME); the rest comes from `childEnv`. */
  env?: Record<string, string>
  /** Limit per git command. Default 60 s. */
  timeoutMs?: number
  killGraceMs?: number
}

/** One entry of `git worktree list --porcelain`. */
export interface WorktreeEntry {
  path: string
  head: string | null
  /** Full ref name, e.g. `refs/heads/feature/task-1`; `null` when detached. */
  branch: string | null
  isBare: boolean
  isPrunable: boolean
  /** `git worktree lock`ed: someone asked git to leave it where it is. */
  isLocked: boolean
}

const FALLBACK_IDENTITY = ['-c', 'user.name=Headless PM', '-c', 'user.email=headless-pm@localhost']

/** Runs git with argv arrays, a timeout and a filtered environment. Never throws. */
export class Git {
  readonly #env: Record<string, string>
  readonly #timeoutMs: number
  readonly #killGraceMs: number | undefined

  constructor(options: GitOptions = {}) {
    // A credential prompt would wait forever for a human who is not there.
    this.#env = childEnv({ GIT_TERMINAL_PROMPT: '0', ...options.env })
    this.#timeoutMs = options.timeoutMs ?? 60_000
    this.#killGraceMs = options.killGraceMs
  }

  async run(cwd: string, args: readonly string[]): Promise<GitOutput> {
    try {
      const result = await runProcess('git', args, {
        cwd,
        env: this.#env,
        timeoutMs: this.#timeoutMs,
        killGraceMs: this.#killGraceMs,
      })
      const stderr = result.timedOut
        ? `git ${args[0] ?? ''} timed out after ${this.#timeoutMs} ms\n${result.stderr}`
        : result.stderr
      return { ok: result.exitCode === 0, exitCode: result.exitCode, stdout: result.stdout, stderr }
    } catch (error) {
      const message = error instanceof ProcessStartError ? error.message : String(error)
      return { ok: false, exitCode: null, stdout: '', stderr: message }
    }
  }

  /** `-c user.*` arguments when no identity is configured, so commits never fail for want of one. */
  async identityArgs(cwd: string): Promise<string[]> {
    const hasEnvIdentity = this.#env.GIT_AUTHOR_EMAIL && this.#env.GIT_COMMITTER_EMAIL
    if (hasEnvIdentity) return []
    const configured = await this.run(cwd, ['config', 'user.email'])
    return configured.ok && configured.stdout.trim() ? [] : FALLBACK_IDENTITY
  }

  async worktrees(repoDir: string): Promise<WorktreeEntry[] | GitFailure> {
    const listed = await this.run(repoDir, ['worktree', 'list', '--porcelain'])
    if (!listed.ok) return gitFailure('git_failed', 'cannot list worktrees', listed)
    return parseWorktreeList(listed.stdout)
  }

  /** The commit a ref points at, or `undefined` when it does not resolve. */
  async resolveCommit(cwd: string, ref: string): Promise<string | undefined> {
    const resolved = await this.run(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
    return resolved.ok ? resolved.stdout.trim() : undefined
  }

  async isValidBranchName(cwd: string, branch: string): Promise<boolean> {
    return (await this.run(cwd, ['check-ref-format', '--branch', branch])).ok
  }
}

export function parseWorktreeList(porcelain: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = []
  for (const block of porcelain.split(/\n\n+/)) {
    const lines = block.split('\n').filter(Boolean)
    const path = lines.find((line) => line.startsWith('worktree '))?.slice('worktree '.length)
    if (path === undefined) continue
    const field = (name: string): string | undefined =>
      lines.find((line) => line.startsWith(`${name} `))?.slice(name.length + 1)
    entries.push({
      path,
      head: field('HEAD') ?? null,
      branch: field('branch') ?? null,
      isBare: lines.includes('bare'),
      isPrunable: lines.some((line) => line === 'prunable' || line.startsWith('prunable ')),
      isLocked: lines.some((line) => line === 'locked' || line.startsWith('locked ')),
    })
  }
  return entries
}

export function gitFailure(code: GitErrorCode, message: string, output?: GitOutput): GitFailure {
  const detail = output?.stderr.trim() || output?.stdout.trim()
  return { ok: false, code, message: detail ? `${message}: ${lastLines(detail, 5)}` : message }
}

/** Compares paths after resolving symlinks, so `/tmp/x` and its real path count as the same. */
export function isSamePath(a: string, b: string): boolean {
  return canonical(a) === canonical(b)
}

export function isInside(child: string, parent: string): boolean {
  const rel = relative(canonical(parent), canonical(child))
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
}

/**
 * Adds `patterns` to the repository's `info/exclude` unless already there, so worktrees kept inside
 * the repository do not show up as untracked files in the main checkout.
 */
export async function ensureExcluded(
  repoDir: string,
  patterns: readonly string[],
  git: Git = new Git(),
): Promise<{ ok: true; added: string[] } | GitFailure> {
  const located = await git.run(repoDir, ['rev-parse', '--git-path', 'info/exclude'])
  if (!located.ok)
    return gitFailure('not_a_repository', `${repoDir} is not a git repository`, located)
  const file = resolve(repoDir, located.stdout.trim())
  const existing = existsSync(file) ? (await readFile(file, 'utf8')).split('\n') : []
  const present = new Set(existing.map((line) => line.trim()))
  const added = patterns.filter((pattern) => !present.has(pattern))
  if (added.length === 0) return { ok: true, added }
  await mkdir(dirname(file), { recursive: true })
  const needsNewline = existing.length > 0 && existing.at(-1) !== ''
  const block = `${needsNewline ? '\n' : ''}# headless-pm\n${added.join('\n')}\n`
  await appendFile(file, block)
  return { ok: true, added }
}

function canonical(path: string): string {
  const absolute = resolve(path)
  try {
    return realpathSync(absolute)
  } catch {
    // A path that does not exist yet: resolve its nearest existing parent instead.
    const parent = dirname(absolute)
    return parent === absolute ? absolute : resolve(canonical(parent), relative(parent, absolute))
  }
}

function lastLines(text: string, count: number): string {
  return text.split('\n').slice(-count).join(' | ')
}
