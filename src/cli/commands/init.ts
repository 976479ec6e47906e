import { chmod, copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { parseEnv } from 'node:util'

import writeFileAtomic from 'write-file-atomic'

import {
  CLIENT_ENV_NAMES,
  DEFAULT_API_URL,
  findGeneratedApiKey,
  firstOf,
  mergeEnv,
} from '../../config/index.js'
import type { EnvMap } from '../../config/index.js'
import { PACKAGE_ROOT } from '../../lib/package-root.js'
import { CommandFailedError, UsageError } from '../exit-codes.js'

/** Folders the runner and server keep in a project; git should never see them. */
export const EXCLUDED_PATTERNS = ['.worktrees/', '.headless-pm/', '.env'] as const

/** Where `--with-roles` puts the role prompts, relative to the project. */
export const ROLES_TARGET = join('headless-pm', 'team_roles')

const ROLES_SOURCE = join(PACKAGE_ROOT, 'agents', 'team_roles')

export interface InitOptions {
  /** Project directory; default the root of the git repository around `cwd`. */
  dir?: string
  url?: string
  apiKey?: string
  withRoles?: boolean
  /** Overwrite role prompts that already exist. */
  force?: boolean
  env: EnvMap
  cwd: string
}

export interface InitResult {
  project_dir: string
  env_file: string
  api_url: string
  /** `written` (new or changed), `unchanged`, or `missing` (no key anywhere: only the URL was written). */
  api_key: 'written' | 'unchanged' | 'missing'
  api_key_source: 'flag' | 'env' | 'key-file' | 'dotenv' | 'none'
  git_exclude: string
  exclude_added: string[]
  roles_dir: string | null
  roles_copied: string[]
  roles_skipped: string[]
  hints: string[]
}

/**
 * `hpm init`: prepares a project repository for agents. Writes (or merges into) its `.env` the
 * server URL and key, keeps `.worktrees/`, `.headless-pm/` and `.env` out of git via
 * `.git/info/exclude`, and with `--with-roles` copies the role prompts into `headless-pm/team_roles/`.
 */
export async function initProject(options: InitOptions): Promise<InitResult> {
  const start = options.dir === undefined ? options.cwd : resolve(options.cwd, options.dir)
  if (!(await isDirectory(start))) throw new UsageError(`--dir ${start} is not a directory`)
  const repo = await findGitRepo(start)
  if (!repo) {
    throw new CommandFailedError(
      `${start} is not inside a git repository; run \`git init\` first or pass --dir <project repo>`,
    )
  }
  const projectDir = options.dir === undefined ? repo.root : start

  const envFile = join(projectDir, '.env')
  const existingText = await readFile(envFile, 'utf8').catch(() => undefined)
  const existing = existingText === undefined ? {} : parseEnv(existingText)
  const realEnv = mergeEnv(options.env, undefined)

  const apiUrl = (
    options.url ??
    firstOf(realEnv, ...CLIENT_ENV_NAMES.apiUrl) ??
    firstOf(existing, ...CLIENT_ENV_NAMES.apiUrl) ??
    DEFAULT_API_URL
  )
    .replace(/\/+$/, '')
    .replace(/\/api\/v1$/, '')
  if (!/^https?:\/\/[^/\s]+/.test(apiUrl))
    throw new UsageError(`--url ${apiUrl} must be an http(s) URL such as ${DEFAULT_API_URL}`)

  const key = resolveKey(options, realEnv, existing, projectDir)
  const values: Record<string, string> = { HEADLESS_PM_API_URL: apiUrl }
  if (key.value !== undefined) values.HEADLESS_PM_API_KEY = key.value
  const merged = mergeDotEnvText(existingText ?? '', values)
  if (merged !== existingText) await writeFileAtomic(envFile, merged, { mode: 0o600 })
  // The key is a secret: the file stays private even when it existed with a looser mode.
  await chmod(envFile, 0o600)

  const excludeAdded = await addGitExcludes(repo.commonDir, EXCLUDED_PATTERNS)
  const roles = options.withRoles ? await copyRoles(projectDir, options.force === true) : undefined

  const hints: string[] = []
  if (key.value === undefined) {
    hints.push(
      'no API key found: start the server with `hpm serve` (it writes .headless-pm/api-key) or pass --api-key, then run `hpm init` again',
    )
  }
  return {
    project_dir: projectDir,
    env_file: envFile,
    api_url: apiUrl,
    api_key:
      key.value === undefined
        ? 'missing'
        : existing.HEADLESS_PM_API_KEY === key.value
          ? 'unchanged'
          : 'written',
    api_key_source: key.source,
    git_exclude: join(repo.commonDir, 'info', 'exclude'),
    exclude_added: excludeAdded,
    roles_dir: roles ? join(projectDir, ROLES_TARGET) : null,
    roles_copied: roles?.copied ?? [],
    roles_skipped: roles?.skipped ?? [],
    hints,
  }
}

function resolveKey(
  options: InitOptions,
  realEnv: EnvMap,
  existing: EnvMap,
  projectDir: string,
): { value: string | undefined; source: InitResult['api_key_source'] } {
  if (options.apiKey !== undefined) return { value: options.apiKey, source: 'flag' }
  const fromEnv = firstOf(realEnv, ...CLIENT_ENV_NAMES.apiKey)
  if (fromEnv !== undefined) return { value: fromEnv, source: 'env' }
  // A server started in this project stores its generated key in the data dir.
  const generated = findGeneratedApiKey(realEnv, projectDir)
  if (generated) return { value: generated.key, source: 'key-file' }
  const fromDotEnv = firstOf(existing, ...CLIENT_ENV_NAMES.apiKeyInDotEnv)
  if (fromDotEnv !== undefined) return { value: fromDotEnv, source: 'dotenv' }
  return { value: undefined, source: 'none' }
}

/**
 * Sets `values` in a `.env` text: replaces the lines that assign them (keeping an `export `
 * prefix), appends the missing ones, and leaves every other line as it was.
 */
export function mergeDotEnvText(text: string, values: Readonly<Record<string, string>>): string {
  const pending = new Map(Object.entries(values))
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/)
  const out = lines.map((line) => {
    const match = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)
    const name = match?.[2]
    if (match === null || name === undefined || !(name in values)) return line
    pending.delete(name)
    return `${match[1] ?? ''}${name}=${quote(values[name] ?? '')}`
  })
  if (pending.size > 0) {
    if (out.length > 0 && out.at(-1)?.trim() !== '') out.push('')
    out.push('# Headless PM: where agents find the coordination server (written by `hpm init`)')
    for (const [name, value] of pending) out.push(`${name}=${quote(value)}`)
  }
  return `${out.join('\n')}\n`
}

function quote(value: string): string {
  return /^[A-Za-z0-9_./:@+-]*$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`
}

interface GitRepo {
  root: string
  /** The directory that holds `info/exclude` (the main repo's, also for worktrees). */
  commonDir: string
}

/** Finds the git repository around `start` from its `.git` folder or file, without running git. */
export async function findGitRepo(start: string): Promise<GitRepo | undefined> {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git')
    const info = await stat(dotGit).catch(() => undefined)
    if (info?.isDirectory()) return { root: dir, commonDir: dotGit }
    if (info?.isFile()) {
      // A worktree or submodule: `.git` is a file that points at the real git dir.
      const pointer = /^gitdir:\s*(.+)$/m.exec(await readFile(dotGit, 'utf8'))?.[1]?.trim()
      if (pointer) {
        const gitDir = isAbsolute(pointer) ? pointer : resolve(dir, pointer)
        const common = (
          await readFile(join(gitDir, 'commondir'), 'utf8').catch(() => undefined)
        )?.trim()
        return { root: dir, commonDir: common ? resolve(gitDir, common) : gitDir }
      }
    }
    if (dirname(dir) === dir) return undefined
  }
}

/** Appends the patterns `info/exclude` lacks; returns those added (none on a second run). */
async function addGitExcludes(commonDir: string, patterns: readonly string[]): Promise<string[]> {
  const file = join(commonDir, 'info', 'exclude')
  const text = (await readFile(file, 'utf8').catch(() => undefined)) ?? ''
  const present = new Set(text.split(/\r?\n/).map((l) => l.trim()))
  const missing = patterns.filter((p) => !present.has(p) && !present.has(`/${p}`))
  if (missing.length === 0) return []
  await mkdir(dirname(file), { recursive: true })
  const prefix = text === '' || text.endsWith('\n') ? text : `${text}\n`
  await writeFileAtomic(file, `${prefix}# Headless PM (hpm init)\n${missing.join('\n')}\n`)
  return missing
}

async function copyRoles(
  projectDir: string,
  isForced: boolean,
): Promise<{ copied: string[]; skipped: string[] }> {
  const names = (await readdir(ROLES_SOURCE).catch(() => [] as string[]))
    .filter((n) => n.endsWith('.md'))
    .sort()
  if (names.length === 0)
    throw new CommandFailedError(
      `no role prompts found in ${ROLES_SOURCE}; is the hpm installation complete?`,
    )
  const target = join(projectDir, ROLES_TARGET)
  await mkdir(target, { recursive: true })
  const copied: string[] = []
  const skipped: string[] = []
  for (const name of names) {
    const dest = join(target, name)
    if (!isForced && (await stat(dest).catch(() => undefined))) {
      skipped.push(name)
      continue
    }
    await copyFile(join(ROLES_SOURCE, name), dest)
    copied.push(name)
  }
  return { copied, skipped }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true
}
