import { isAbsolute, resolve } from 'node:path'

import { z } from 'zod'

import { AgentRole, SkillLevel } from '../contract/index.js'
import { BoolText } from './bool-text.js'
import type { ClientConfig } from './client-config.js'
import { ConfigError, deepFreeze } from './config-error.js'
import { mergeEnv, readDotEnv } from './env-source.js'
import type { EnvMap } from './env-source.js'
import { REPO_DEFAULTS, REPO_ENV_NAMES, repoDirOf, repoSettings } from './repo-config.js'

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
  worktreeBase: z.string().meta({
    description:
      'where task worktrees go, one per task: `task-<id>` (dev), `task-<id>-qa` (review)',
    fallback: `\`<repo>/${REPO_DEFAULTS.worktreeBase}\``,
  }),
  stateDir: z.string().meta({
    description: 'lock files and Claude logs (`logs/task-<id>-<session>-attempt-<n>.jsonl`)',
    fallback: `\`<repo>/${REPO_DEFAULTS.stateDir}\``,
  }),
  baseBranch: z.string().optional().meta({
    description: 'the branch passed `minor` tasks are merged into',
    fallback: "the repository's HEAD branch",
  }),
  remote: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'must be a git remote name, e.g. origin')
    .optional()
    .meta({
      description:
        'git remote mode, for runners on several machines: fetch before each worktree, push the task branch before `dev_done`, move the remote base branch with a lease',
      fallback: 'none: this repository only',
    }),
  claudeBin: z.string().min(1).default('claude').describe('the Claude Code CLI to run'),
  claudeEnvDeny: EnvNameList.default([]).describe(
    "more variables kept out of the environment Claude inherits: comma-separated names or `PREFIX*` patterns, e.g. `AWS_SECRET_*,MY_TOKEN`. The runner's own keys, `HEADLESS_PM_*`, `HPM_*`, `DATABASE_URL` and `PG*` are always kept out",
  ),
  claudeEnvPass: EnvNameList.default([]).describe(
    'variables Claude inherits even when denied (comma-separated names or `PREFIX*` patterns), e.g. `PG*` for a project whose own tests use PostgreSQL; never `GIT_DIR` and the other repository pointers',
  ),
  claudeMcp: BoolText.default(false).describe(
    '`true`: each Claude run gets the Headless PM MCP server as this agent (`--mcp-config <state dir>/mcp/<agent>.json`, mode 0600), and its prompt tells it to report with the `mcp__headless-pm__update_task_status` tool instead of `hpm`',
  ),
  spareWorktree: BoolText.default(true).describe(
    "`true`: a finished task's clean worktree is kept, cleaned and detached, as this agent's spare (`<worktree base>/spare-<agent>`) and becomes the next task's by a branch switch, so a big repository's files are not all written again for every task; `false`: finished worktrees, and a spare left from before, are removed",
  ),
  claudeTimeoutSeconds: Seconds(1, 7 * 24 * 3600)
    .default(600)
    .describe(
      'wall-clock limit per Claude run, s; then its process group is killed (Claude runs under GNU `timeout` where there is one, so even a Claude whose runner was killed stops)',
    ),
  stallTimeoutSeconds: Seconds(1, 24 * 3600)
    .default(300)
    .describe('kill Claude after this long without an event, s'),
  hookTimeoutSeconds: Seconds(1, 24 * 3600)
    .default(30)
    .describe('limit per hook, s'),
  healthCheckIntervalSeconds: Seconds(1, 24 * 3600)
    .default(60)
    .describe('`health_check` period while Claude runs, s'),
  heartbeatIntervalSeconds: Seconds(1, 3600)
    .default(60)
    .describe('lease renewal period while working, s'),
  claimWaitSeconds: Seconds(0, 600).default(180).describe('long-poll wait per claim call, s'),
  maxAttempts: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe(
      "failed runs in a row before the operator decides (the server's `HPM_TASK_MAX_FAILURES` caps a task's failed runs across all agents)",
    ),
  taskBudgetUsd: z.coerce
    .number({ error: 'must be a number of US dollars' })
    .positive('must be more than 0')
    .optional()
    .meta({
      description:
        "money a task may cost in Claude runs, all agents together, US$ (the task's `budget_usd` wins): each run gets what is left as `--max-budget-usd`; a run stopped by it, or a task with nothing left, is a failed attempt",
      fallback: 'none: no limit',
    }),
  onStuck: z
    .enum(['retry', 'release', 'quit'])
    .default('release')
    .describe('the answer to operator prompts when there is no terminal'),
  models: z
    .object({
      junior: z
        .string()
        .min(1)
        .default('sonnet')
        .describe('Claude model for `junior` tasks (no escalation)'),
      senior: z
        .string()
        .min(1)
        .default('sonnet')
        .describe('Claude model for `senior` tasks (no escalation)'),
      principal: z
        .string()
        .min(1)
        .default('opus')
        .describe('Claude model for `principal` tasks (no escalation)'),
    })
    .describe('Claude model per task difficulty (no escalation)'),
  faultPoint: z.string().optional().meta({
    description:
      'testing only: the runner SIGKILLs itself at this point (docs/runner-spec.md, "Test hook")',
    fallback: 'none',
  }),
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

/** The runner settings' environment variables (also read from the repository's `.env`). */
export const RUNNER_ENV_NAMES = {
  ...REPO_ENV_NAMES,
  claudeBin: 'HEADLESS_PM_CLAUDE_BIN',
  claudeEnvDeny: 'HEADLESS_PM_CLAUDE_ENV_DENY',
  claudeEnvPass: 'HEADLESS_PM_CLAUDE_ENV_PASS',
  claudeMcp: 'HEADLESS_PM_CLAUDE_MCP',
  spareWorktree: 'HEADLESS_PM_SPARE_WORKTREE',
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

/** The variable naming the Claude model for each task difficulty. */
export const MODEL_ENV_NAMES = {
  junior: 'HEADLESS_PM_MODEL_JUNIOR',
  senior: 'HEADLESS_PM_MODEL_SENIOR',
  principal: 'HEADLESS_PM_MODEL_PRINCIPAL',
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
    models: Object.fromEntries(
      Object.entries(MODEL_ENV_NAMES).map(([level, name]) => [level, merged[name]]),
    ),
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
