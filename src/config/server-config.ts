import { isAbsolute, join, resolve } from 'node:path'

import { z } from 'zod'

import { BoolText } from './bool-text.js'
import { API_KEY_FILE, DEFAULT_DATA_DIR } from './client-config.js'
import { ConfigError, deepFreeze } from './config-error.js'
import { firstOf, mergeEnv, readDotEnvIn } from './env-source.js'
import type { EnvMap } from './env-source.js'

/** The SQLite file's name in the data dir when no `DATABASE_URL` is given. */
const SQLITE_FILE = 'headless-pm.db'

const Int = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(min).max(max)

/** Everything `hpm serve` can be told. Each field: default and unit in `.describe()`. */
export const ServerConfigSchema = z.object({
  host: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe('address to bind; `0.0.0.0` opens it to the network'),
  port: Int(0, 65_535).default(6969).describe('TCP port; `0` picks a free one'),
  dataDir: z.string().meta({
    description:
      'folder for the SQLite file and the generated API key; relative to the start directory',
    fallback: `\`./${DEFAULT_DATA_DIR}\``,
  }),
  databaseUrl: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
    .meta({
      description: "`sqlite:<path>` (also v1's `sqlite:///relative.db`) or `postgres://…`",
      fallback: `\`sqlite:<data dir>/${SQLITE_FILE}\``,
    }),
  apiKeys: z.array(z.string().min(8, 'API keys must be at least 8 characters')).meta({
    description:
      "accepted `X-API-Key` values: each variable set adds one (at least 8 characters). v1's `API_KEY` is accepted only from the project's `.env`: in the environment it is ignored (with a warning), as it is usually another tool's secret. No built-in default keys",
    fallback: `generated on first start into \`<data dir>/${API_KEY_FILE}\``,
  }),
  requireApproval: BoolText.default(true).describe(
    'tasks created by non-planners start `pending` until a pm or architect approves them',
  ),
  requireAgentTokens: BoolText.default(false).describe(
    "`true`: agent actions need the agent's own token (from `POST /register`); the project key alone may still read, register agents and revoke tokens. The setting for teams across several machines",
  ),
  leaseSeconds: Int(1, 7 * 24 * 3600)
    .default(1800)
    .describe('how long a claim lasts without any sign of life from its agent, s'),
  leaseCheckIntervalMs: Int(100, 600_000)
    .default(5000)
    .describe('how often lapsed leases are looked for, ms'),
  defaultWaitSeconds: Int(0, 600)
    .default(180)
    .describe('how long `tasks/next` and `tasks/claim` wait when the caller gives no `timeout`, s'),
  taskMaxFailures: Int(0, 1_000_000)
    .default(6)
    .describe(
      'runner attempts judged `failed` before a task goes back to `pending` for a planner; `0` = no budget',
    ),
  releaseCooldownSeconds: Int(0, 7 * 24 * 3600)
    .default(900)
    .describe(
      'after an agent gives a task back, its claims rank that task after every other one for this long, s; `0` = off',
    ),
  qaLevelStrict: BoolText.default(false).describe(
    '`true`: a QA reviews `dev_done` work of its own level or lower only; `false`: every level, its own first (as v1)',
  ),
  pingIntervalSeconds: Int(0, 86_400)
    .default(30)
    .describe('period of the pings of registered services, s; `0` disables them'),
  pingTimeoutMs: Int(100, 120_000).default(10_000).describe('timeout of one service ping, ms'),
  pingAllow: z
    .enum(['any', 'private', 'none'])
    .default('private')
    .describe(
      'addresses the server pings registered services at: `private` = loopback and private ranges only (not link-local, where cloud metadata lives); `any`; `none` = no pings. Pings come from the server, so a `ping_url` must be http(s)',
    ),
  bodyLimitBytes: Int(1024, 64 * 1024 * 1024)
    .default(1_048_576)
    .describe('largest request body, bytes'),
  headersTimeoutMs: Int(1000, 600_000)
    .default(30_000)
    .describe(
      "time a client has to send a request's headers, ms (at most `HPM_REQUEST_TIMEOUT_MS`); then `408 request_timeout` and the connection is closed",
    ),
  requestTimeoutMs: Int(1000, 3_600_000)
    .default(60_000)
    .describe(
      'time a client has to send a whole request, headers and body, ms; 408 after it. Only the upload counts: long-polls and the event stream wait as long as they need once the request is in',
    ),
  keepAliveTimeoutMs: Int(1000, 600_000)
    .default(72_000)
    .describe('an idle keep-alive connection is closed after this, ms'),
  maxConnections: Int(1, 1_000_000)
    .default(10_000)
    .describe(
      'open connections the server accepts at once (each waiting long-poll and event stream holds one); more are refused. Keep the open-file limit (`ulimit -n`) above it',
    ),
  agentActiveSeconds: Int(1, 86_400)
    .default(300)
    .describe('an agent seen this recently counts as active in `/status`, s'),
  pgPoolSize: Int(1, 200).default(10).describe('PostgreSQL connection pool size'),
  sqliteSynchronous: z
    .enum(['normal', 'full'])
    .default('normal')
    .describe(
      'SQLite durability: with `normal` a crashed or killed server loses no acknowledged write, but a power cut or OS crash may lose the last commits; `full` waits for the disk on every commit, so not even then (fewer writes a second)',
    ),
  eventRecheckMs: Int(100, 600_000)
    .default(2000)
    .describe(
      'PostgreSQL: how often an instance re-reads the events table in case a NOTIFY was lost, ms',
    ),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('least severe log entries written; logs are JSON lines on stderr'),
  projectName: z
    .string()
    .default('Headless PM')
    .describe('project name reported by `GET /api/v1/context`'),
  sharedPath: z
    .string()
    .default('./shared')
    .describe('shared folder reported by `GET /api/v1/context`; v1 default'),
  instructionsPath: z
    .string()
    .default('./agent_instructions')
    .describe('instructions folder reported by `GET /api/v1/context`; v1 default'),
  projectDocsPath: z
    .string()
    .default('./docs')
    .describe('docs folder reported by `GET /api/v1/context`; v1 default'),
  settingSources: z
    .record(z.string(), z.string())
    .default({})
    .describe(
      "where each environment setting was read: 'environment' or the .env file's path (names only, for the start-up log)",
    ),
  ignoredSettings: z
    .array(z.string())
    .default([])
    .describe('settings found but not used, with the reason (for the start-up log)'),
})
export type ServerConfig = z.infer<typeof ServerConfigSchema>

/** Flags given on the command line; they win over everything. */
export interface ServerFlags {
  host?: string
  port?: string | number
  dataDir?: string
  databaseUrl?: string
}

export interface LoadServerConfigOptions {
  flags?: ServerFlags
  env: EnvMap
  cwd: string
}

/**
 * Each setting's environment variables (also read from the project's `.env`). Where several are
 * named the first one set wins, except for `apiKeys`, where each one set adds a key.
 */
const ENV_NAMES = {
  host: ['HPM_HOST'],
  port: ['SERVICE_PORT', 'HPM_PORT'],
  dataDir: ['HEADLESS_PM_DATA_DIR'],
  databaseUrl: ['DATABASE_URL'],
  apiKeys: ['HEADLESS_PM_API_KEY', 'API_KEY_HEADLESS_PM'],
  requireApproval: ['HPM_REQUIRE_APPROVAL'],
  requireAgentTokens: ['HPM_REQUIRE_AGENT_TOKENS'],
  leaseSeconds: ['HPM_LEASE_SECONDS'],
  leaseCheckIntervalMs: ['HPM_LEASE_CHECK_INTERVAL_MS'],
  defaultWaitSeconds: ['HPM_LONG_POLL_SECONDS'],
  taskMaxFailures: ['HPM_TASK_MAX_FAILURES'],
  releaseCooldownSeconds: ['HPM_RELEASE_COOLDOWN_SECONDS'],
  qaLevelStrict: ['HPM_QA_LEVEL_STRICT'],
  pingIntervalSeconds: ['HPM_SERVICE_PING_INTERVAL'],
  pingTimeoutMs: ['HPM_SERVICE_PING_TIMEOUT_MS'],
  pingAllow: ['HPM_PING_ALLOW'],
  bodyLimitBytes: ['HPM_BODY_LIMIT_BYTES'],
  headersTimeoutMs: ['HPM_HEADERS_TIMEOUT_MS'],
  requestTimeoutMs: ['HPM_REQUEST_TIMEOUT_MS'],
  keepAliveTimeoutMs: ['HPM_KEEP_ALIVE_TIMEOUT_MS'],
  maxConnections: ['HPM_MAX_CONNECTIONS'],
  agentActiveSeconds: ['HPM_AGENT_ACTIVE_SECONDS'],
  pgPoolSize: ['HPM_PG_POOL_SIZE'],
  sqliteSynchronous: ['HPM_SQLITE_SYNCHRONOUS'],
  eventRecheckMs: ['HPM_EVENT_RECHECK_MS'],
  logLevel: ['HPM_LOG_LEVEL'],
  projectName: ['PROJECT_NAME'],
  sharedPath: ['SHARED_PATH'],
  instructionsPath: ['INSTRUCTIONS_PATH'],
  projectDocsPath: ['PROJECT_DOCS_PATH'],
} as const satisfies Partial<Record<keyof ServerConfig, readonly string[]>>

/**
 * v1's `.env` names the key `API_KEY`. That generic name is taken from the project's own `.env`
 * only: in the environment it is usually some other tool's secret.
 */
const V1_DOTENV_KEY = 'API_KEY'

/** Where each variable the server reads came from, by name; values are never recorded. */
function sourcesOf(
  env: EnvMap,
  dotEnv: { path: string; values: EnvMap } | undefined,
): Record<string, string> {
  const names = new Set([...Object.values(ENV_NAMES).flat(), V1_DOTENV_KEY])
  const sources: Record<string, string> = {}
  for (const name of names) {
    if (name !== V1_DOTENV_KEY && firstOf(env, name) !== undefined) sources[name] = 'environment'
    else if (dotEnv && firstOf(dotEnv.values, name) !== undefined) sources[name] = dotEnv.path
  }
  return sources
}

/**
 * Pure: flags > real env > `.env` in `cwd` (the project dir; never a parent's) > defaults.
 * Throws ConfigError.
 */
export function loadServerConfig({ flags = {}, env, cwd }: LoadServerConfigOptions): ServerConfig {
  const dotEnv = readDotEnvIn(cwd)
  const merged = mergeEnv(env, dotEnv?.values)
  const dataDirRaw = flags.dataDir ?? firstOf(merged, ...ENV_NAMES.dataDir) ?? DEFAULT_DATA_DIR
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw)
  const databaseUrl =
    flags.databaseUrl ??
    firstOf(merged, ...ENV_NAMES.databaseUrl) ??
    `sqlite:${join(dataDir, SQLITE_FILE)}`
  const keys = [
    ...ENV_NAMES.apiKeys.map((name) => firstOf(merged, name)),
    dotEnv ? firstOf(dotEnv.values, V1_DOTENV_KEY) : undefined,
  ].filter((k): k is string => k !== undefined)
  const ignoredSettings =
    firstOf(env, V1_DOTENV_KEY) === undefined
      ? []
      : [`${V1_DOTENV_KEY} (environment): not this project's variable; set HEADLESS_PM_API_KEY`]

  const raw: Record<string, unknown> = {
    dataDir,
    databaseUrl,
    apiKeys: [...new Set(keys)],
    host: flags.host,
    port: flags.port,
    settingSources: sourcesOf(env, dotEnv),
    ignoredSettings,
  }
  for (const [field, names] of Object.entries(ENV_NAMES)) {
    if (raw[field] !== undefined || ['dataDir', 'databaseUrl', 'apiKeys'].includes(field)) continue
    const fromEnv = firstOf(merged, ...names)
    if (fromEnv !== undefined) raw[field] = fromEnv
  }
  const parsed = ServerConfigSchema.safeParse(raw)
  if (!parsed.success) {
    throw ConfigError.fromZod(parsed.error, {
      ...Object.fromEntries(Object.entries(ENV_NAMES).map(([field, [name]]) => [field, name])),
      port: '--port / SERVICE_PORT',
      host: '--host / HPM_HOST',
    })
  }
  return deepFreeze(parsed.data)
}

/** Where the SQLite file lives for a `sqlite:` URL (relative paths resolve against cwd). */
export function sqlitePath(databaseUrl: string, cwd: string): string {
  // Accepts sqlite:<path> and SQLAlchemy's sqlite:///relative and sqlite:////absolute forms.
  const rest = databaseUrl.replace(/^sqlite:/, '')
  const path = rest.startsWith('///') ? rest.slice(3) : rest.startsWith('//') ? rest.slice(2) : rest
  if (path === ':memory:') return path
  return isAbsolute(path) ? path : resolve(cwd, path)
}

/** Every environment variable the server reads, by setting: the table docs/config.md is made from. */
export const SERVER_ENV_NAMES: Readonly<Record<string, readonly string[]>> = ENV_NAMES
