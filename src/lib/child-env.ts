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
