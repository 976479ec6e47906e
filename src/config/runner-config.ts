import { isAbsolute, resolve } from 'node:path'

import { z } from 'zod'

import { AgentRole, SkillLevel } from '../contract/index.js'
import { BoolText } from './bool-text.js'
import type { ClientConfig } from './client-config.js'
import { ConfigError, deepFreeze } from './config-error.js'
import { mergeEnv, readDotEnv } from './env-source.js'
import type { EnvMap } from './env-source.js'
import { repoDirOf, repoSettings } from './repo-config.js'

const Seconds = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number of seconds' })
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)

/** Comma-separated variable names or `PREFIX*` patterns, e.g. `AWS_SECRET_ACCESS_KEY,MY_*`. */
const EnvNameList = z
  .preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean)
        : value,
    z.array(z.string()),
  )
  .refine(
    (names) => names.every((name) => /^[^\s=*]*\*?$/.test(name)),
    'must be variable names or PREFIX* patterns, comma-separated',
  )

/** What `hpm run` is told; env names follow the seed plan. */
export const RunnerConfigSchema = z.object({
  role: AgentRole.describe('--role: which tasks this agent takes'),
  agentId: z.string().trim().min(1).max(100).describe('--agent-id'),
  level: SkillLevel.default('senior').describe('--level: highest task difficulty taken'),
  isSingleTask: z.boolean().default(false).describe('--single-task: one task, then exit'),
  repoDir: z.string().describe('--repo: the project git repository; default the current directory'),
  hooksDir: z
    .string()
    .optional()
    .describe('--hooks-dir; default <repo>/.headless-pm/hooks, then the shipped hooks/'),
  worktreeBase: z.string().describe('HEADLESS_PM_WORKTREE_BASE; default <repo>/.worktrees'),
  stateDir: z
    .string()
    .describe('HEADLESS_PM_STATE_DIR: lock files and logs; default <repo>/.headless-pm/runner'),
  baseBranch: z
    .string()
    .optional()
    .describe('HEADLESS_PM_BASE_BRANCH: where minor tasks merge; default the repo HEAD branch'),
  remote: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'must be a git remote name, e.g. origin')
    .optional()
    .describe(
      '--remote / HEADLESS_PM_GIT_REMOTE: git remote mode, for runners on several machines: fetch before each worktree, push the task branch before dev_done, move the remote base branch with a lease; unset = this repository only',
    ),
  claudeBin: z.string().min(1).default('claude').describe('HEADLESS_PM_CLAUDE_BIN'),
  claudeEnvDeny: EnvNameList.default([]).describe(
    "HEADLESS_PM_CLAUDE_ENV_DENY: more variables (names or PREFIX* patterns, comma-separated) kept out of the environment Claude inherits; the runner's own keys, HEADLESS_PM_*, HPM_*, DATABASE_URL and PG* are always kept out",
  ),
  claudeEnvPass: EnvNameList.default([]).describe(
    'HEADLESS_PM_CLAUDE_ENV_PASS: variables (names or PREFIX* patterns, comma-separated) Claude inherits even when denied; never GIT_DIR and the other repository pointers',
  ),
  claudeMcp: BoolText.default(false).describe(
    'HEADLESS_PM_CLAUDE_MCP: give each Claude run the Headless PM MCP server (hpm mcp as this agent), and tell it to report through its tools',
  ),
  claudeTimeoutSeconds: Seconds(1, 7 * 24 * 3600)
    .default(600)
    .describe('HEADLESS_PM_CLAUDE_TIMEOUT: wall-clock limit per Claude run, s'),
  stallTimeoutSeconds: Seconds(1, 24 * 3600)
    .default(300)
    .describe('HEADLESS_PM_STALL_TIMEOUT: kill Claude after this long without an event, s'),
  hookTimeoutSeconds: Seconds(1, 24 * 3600)
    .default(30)
    .describe('HEADLESS_PM_HOOK_TIMEOUT: limit per hook, s'),
  healthCheckIntervalSeconds: Seconds(1, 24 * 3600)
    .default(60)
    .describe('HEADLESS_PM_HEALTH_CHECK_INTERVAL: health_check period while Claude runs, s'),
  heartbeatIntervalSeconds: Seconds(1, 3600)
    .default(60)
    .describe('HEADLESS_PM_HEARTBEAT_INTERVAL: lease renewal period while working, s'),
  claimWaitSeconds: Seconds(0, 600)
    .default(180)
    .describe('HEADLESS_PM_CLAIM_WAIT: long-poll wait per claim call, s'),
  maxAttempts: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe('HEADLESS_PM_MAX_ATTEMPTS: failed runs in a row before the operator decides'),
  taskBudgetUsd: z.coerce
    .number({ error: 'must be a number of US dollars' })
    .positive('must be more than 0')
    .optional()
    .describe(
      'HEADLESS_PM_TASK_BUDGET_USD: --max-budget-usd for each Claude run, US$; unset = no limit',
    ),
  onStuck: z
    .enum(['retry', 'release', 'quit'])
    .default('release')
    .describe('--on-stuck / HEADLESS_PM_ON_STUCK: the answer to operator prompts without a TTY'),
  models: z
    .object({
      junior: z.string().min(1).default('sonnet'),
      senior: z.string().min(1).default('sonnet'),
      principal: z.string().min(1).default('opus'),
    })
    .describe('HEADLESS_PM_MODEL_JUNIOR / _SENIOR / _PRINCIPAL'),
  faultPoint: z
    .string()
    .optional()
    .describe('HPM_RUNNER_FAULT: testing only, SIGKILL the runner at this point'),
  client: z
    .custom<ClientConfig>()
    .describe('server URL and key (HEADLESS_PM_API_URL, HEADLESS_PM_API_KEY)'),
})
export type RunnerConfig = z.infer<typeof RunnerConfigSchema>

export interface RunnerFlags {
  role?: string
  agentId?: string
  level?: string
  singleTask?: boolean
  repo?: string
  hooksDir?: string
  onStuck?: string
  baseBranch?: string
  remote?: string
  url?: string
  apiKey?: string
}

export const RUNNER_ENV_NAMES = {
  worktreeBase: 'HEADLESS_PM_WORKTREE_BASE',
  stateDir: 'HEADLESS_PM_STATE_DIR',
  baseBranch: 'HEADLESS_PM_BASE_BRANCH',
  claudeBin: 'HEADLESS_PM_CLAUDE_BIN',
  claudeEnvDeny: 'HEADLESS_PM_CLAUDE_ENV_DENY',
  claudeEnvPass: 'HEADLESS_PM_CLAUDE_ENV_PASS',
  claudeMcp: 'HEADLESS_PM_CLAUDE_MCP',
  claudeTimeoutSeconds: 'HEADLESS_PM_CLAUDE_TIMEOUT',
  stallTimeoutSeconds: 'HEADLESS_PM_STALL_TIMEOUT',
  hookTimeoutSeconds: 'HEADLESS_PM_HOOK_TIMEOUT',
  healthCheckIntervalSeconds: 'HEADLESS_PM_HEALTH_CHECK_INTERVAL',
  heartbeatIntervalSeconds: 'HEADLESS_PM_HEARTBEAT_INTERVAL',
  claimWaitSeconds: 'HEADLESS_PM_CLAIM_WAIT',
  maxAttempts: 'HEADLESS_PM_MAX_ATTEMPTS',
  taskBudgetUsd: 'HEADLESS_PM_TASK_BUDGET_USD',
  onStuck: 'HEADLESS_PM_ON_STUCK',
  faultPoint: 'HPM_RUNNER_FAULT',
} as const

function absolute(path: string, base: string): string {
  return isAbsolute(path) ? path : resolve(base, path)
}

/** Pure apart from reading `.env`: flags > real env > `.env` > defaults. Throws ConfigError. */
export function loadRunnerConfig({
  flags,
  env,
  cwd,
}: {
  flags: RunnerFlags
  env: EnvMap
  cwd: string
}): RunnerConfig {
  const repoDir = repoDirOf(flags, cwd)
  const merged = mergeEnv(env, readDotEnv(repoDir)?.values)
  const repo = repoSettings(flags, env, merged, repoDir)
  const raw: Record<string, unknown> = {
    role: flags.role,
    agentId: flags.agentId,
    level: flags.level,
    isSingleTask: flags.singleTask ?? false,
    repoDir,
    hooksDir: flags.hooksDir === undefined ? undefined : absolute(flags.hooksDir, cwd),
    onStuck: flags.onStuck,
    // The places `hpm tasks merge` uses too (repo-config.ts).
    worktreeBase: repo.worktreeBase,
    stateDir: repo.stateDir,
    baseBranch: repo.baseBranch,
    remote: repo.remote,
    client: repo.client,
    models: {
      junior: merged.HEADLESS_PM_MODEL_JUNIOR,
      senior: merged.HEADLESS_PM_MODEL_SENIOR,
      principal: merged.HEADLESS_PM_MODEL_PRINCIPAL,
    },
  }
  for (const [field, name] of Object.entries(RUNNER_ENV_NAMES)) {
    if (raw[field] === undefined && merged[name] !== undefined) raw[field] = merged[name]
  }
  const parsed = RunnerConfigSchema.safeParse(raw)
  if (!parsed.success) {
    throw ConfigError.fromZod(parsed.error, {
      ...RUNNER_ENV_NAMES,
      role: '--role',
      agentId: '--agent-id',
      level: '--level',
      onStuck: '--on-stuck / HEADLESS_PM_ON_STUCK',
      remote: '--remote / HEADLESS_PM_GIT_REMOTE',
    })
  }
  return deepFreeze(parsed.data)
}
