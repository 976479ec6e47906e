const ALLOWED_ENV_NAMES = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TERM',
  'COLORTERM',
  'NO_COLOR',
  'TMPDIR',
  'TZ',
  'SHELL',
  'SSH_AUTH_SOCK',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'XDG_RUNTIME_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
])
const ALLOWED_ENV_PREFIXES = ['LC_', 'GIT_']
// Inherited repository pointers would make git in the child act on the parent's repository.
// No configuration passes them.
const DENIED_ENV_NAMES = new Set([
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_PREFIX',
])

export interface ChildEnvOptions {
  /** Environment to filter; defaults to this process's. */
  base?: NodeJS.ProcessEnv
  /** Further name prefixes to pass through from `base` (e.g. `ANTHROPIC_` for the agent). */
  passPrefixes?: readonly string[]
}

/**
 * The environment for a child: allow-listed variables (PATH, HOME, locale, terminal, GIT_*, proxies)
 * from `base` plus `extra`. Anything else, DATABASE_URL and API keys included, reaches a child only
 * when passed in `extra`. An `undefined` value in `extra` removes a variable.
 */
export function childEnv(
  extra: Record<string, string | undefined> = {},
  options: ChildEnvOptions = {},
): Record<string, string> {
  // eslint-disable-next-line no-restricted-properties -- a child's environment starts from ours
  const base = options.base ?? process.env
  const prefixes = [...ALLOWED_ENV_PREFIXES, ...(options.passPrefixes ?? [])]
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || DENIED_ENV_NAMES.has(name)) continue
    if (ALLOWED_ENV_NAMES.has(name) || prefixes.some((prefix) => name.startsWith(prefix))) {
      env[name] = value
    }
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return env
}

/**
 * What `passThroughEnv` keeps out by default: the runner's own server secrets and settings. The
 * agent gets its API key and server URL explicitly, in `extra`. Entries are names or `PREFIX*`.
 */
export const DEFAULT_DENIED_ENV: readonly string[] = [
  'HEADLESS_PM_*',
  'API_KEY_HEADLESS_PM',
  'API_KEY',
  'DATABASE_URL',
  'HPM_*',
  'PG*',
]

export interface PassThroughEnvOptions {
  /** Environment to pass on; defaults to this process's. */
  base?: NodeJS.ProcessEnv
  /** Names or `PREFIX*` patterns kept out on top of `DEFAULT_DENIED_ENV`. */
  deny?: readonly string[]
  /** Names or `PREFIX*` patterns passed even when denied; never the GIT_DIR family. */
  pass?: readonly string[]
}

/** Whether `name` is `pattern` or, for a pattern ending in `*`, starts with what precedes it. */
function matchesEnvPattern(name: string, pattern: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern
}

/**
 * The environment for a child that needs the user's own (the agent: cloud credentials, CA bundles,
 * toolchain variables): all of `base` except `DEFAULT_DENIED_ENV`, `deny` and the repository
 * pointers (GIT_DIR, GIT_WORK_TREE, …), with `pass` taking names back out of the deny-list; then
 * `extra`, which is never filtered. An `undefined` value in `extra` removes a variable.
 */
export function passThroughEnv(
  extra: Record<string, string | undefined> = {},
  options: PassThroughEnvOptions = {},
): Record<string, string> {
  // eslint-disable-next-line no-restricted-properties -- a child's environment starts from ours
  const base = options.base ?? process.env
  const deny = [...DEFAULT_DENIED_ENV, ...(options.deny ?? [])]
  const pass = options.pass ?? []
  const matches = (name: string, patterns: readonly string[]): boolean =>
    patterns.some((pattern) => matchesEnvPattern(name, pattern))
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || DENIED_ENV_NAMES.has(name)) continue
    if (matches(name, deny) && !matches(name, pass)) continue
    env[name] = value
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return env
}
