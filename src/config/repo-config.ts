import { isAbsolute, join, resolve } from 'node:path'

import { loadClientConfig } from './client-config.js'
import type { ClientConfig } from './client-config.js'
import { deepFreeze } from './config-error.js'
import { mergeEnv, readDotEnv } from './env-source.js'
import type { EnvMap } from './env-source.js'

/** Where the runner (and `hpm tasks merge`) finds the project and keeps its own files. */
export interface RepoConfig {
  /** `--repo`: the project's git repository (main checkout); default the current directory. */
  repoDir: string
  /** `--worktree-base` / HEADLESS_PM_WORKTREE_BASE; default `<repo>/.worktrees`. */
  worktreeBase: string
  /** HEADLESS_PM_STATE_DIR: lock files and logs; default `<repo>/.headless-pm/runner`. */
  stateDir: string
  /** `--base-branch` / HEADLESS_PM_BASE_BRANCH; unset means the repository's HEAD branch. */
  baseBranch: string | undefined
  /** `--remote` / HEADLESS_PM_GIT_REMOTE: git remote mode's remote (e.g. `origin`); unset: none. */
  remote: string | undefined
  /** Server URL and key, with the `.env` looked up from the repository. */
  client: ClientConfig
}

/** The repository settings' environment variables (also read from the repository's `.env`). */
export const REPO_ENV_NAMES = {
  worktreeBase: 'HEADLESS_PM_WORKTREE_BASE',
  stateDir: 'HEADLESS_PM_STATE_DIR',
  baseBranch: 'HEADLESS_PM_BASE_BRANCH',
  remote: 'HEADLESS_PM_GIT_REMOTE',
} as const

/** Where the runner's folders go when no variable says, relative to the repository. */
export const REPO_DEFAULTS = {
  worktreeBase: '.worktrees',
  stateDir: join('.headless-pm', 'runner'),
} as const

export interface RepoFlags {
  repo?: string
  worktreeBase?: string
  baseBranch?: string
  remote?: string
  url?: string
  apiKey?: string
}

function absolute(path: string, base: string): string {
  return isAbsolute(path) ? path : resolve(base, path)
}

/**
 * The repository settings from flags and `merged` (the real environment over the repository's
 * `.env`). Shared by `loadRunnerConfig` and `loadRepoConfig`, so both find the same places.
 */
export function repoSettings(
  flags: RepoFlags,
  env: EnvMap,
  merged: EnvMap,
  repoDir: string,
): RepoConfig {
  return {
    repoDir,
    worktreeBase: absolute(
      flags.worktreeBase ?? merged[REPO_ENV_NAMES.worktreeBase] ?? REPO_DEFAULTS.worktreeBase,
      repoDir,
    ),
    stateDir: absolute(merged[REPO_ENV_NAMES.stateDir] ?? REPO_DEFAULTS.stateDir, repoDir),
    baseBranch: flags.baseBranch ?? merged[REPO_ENV_NAMES.baseBranch],
    remote: flags.remote ?? merged[REPO_ENV_NAMES.remote],
    client: loadClientConfig({
      flags: { url: flags.url, apiKey: flags.apiKey },
      env,
      cwd: repoDir,
    }),
  }
}

/** The absolute repository directory `--repo` names (default `cwd`). */
export function repoDirOf(flags: RepoFlags, cwd: string): string {
  return absolute(flags.repo ?? '.', cwd)
}

/**
 * Pure apart from reading `.env`: flags > real env > the repository's `.env` > defaults, as for
 * `hpm run`. Throws ConfigError (from the client settings).
 *
 * @example
 * const repo = loadRepoConfig({ flags: { repo: opts.repo }, env: process.env, cwd: process.cwd() })
 */
export function loadRepoConfig({
  flags,
  env,
  cwd,
}: {
  flags: RepoFlags
  env: EnvMap
  cwd: string
}): RepoConfig {
  const repoDir = repoDirOf(flags, cwd)
  const merged = mergeEnv(env, readDotEnv(repoDir)?.values)
  return deepFreeze(repoSettings(flags, env, merged, repoDir))
}
