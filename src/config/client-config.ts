import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'

import { z } from 'zod'

import { ConfigError, deepFreeze } from './config-error.js'
import { firstOf, mergeEnv, readDotEnv } from './env-source.js'
import type { EnvMap } from './env-source.js'

/** The server address `hpm` talks to when nothing else is configured. */
export const DEFAULT_API_URL = 'http://127.0.0.1:6969'

/** Environment variables the client reads, highest precedence first within each field. */
export const CLIENT_ENV_NAMES = {
  apiUrl: ['HEADLESS_PM_API_URL', 'HEADLESS_PM_URL'],
  apiKey: ['HEADLESS_PM_API_KEY', 'API_KEY_HEADLESS_PM'],
  /**
   * v1's `.env` line. The generic name is read from a `.env` file only: in the environment it is
   * usually another tool's secret, which must not be sent to a server as this project's key.
   */
  apiKeyInDotEnv: ['HEADLESS_PM_API_KEY', 'API_KEY_HEADLESS_PM', 'API_KEY'],
} as const

/** Where the generated key of `hpm serve` lives, relative to the server's data dir. */
export const API_KEY_FILE = 'api-key'
export const DEFAULT_DATA_DIR = '.headless-pm'

const ApiUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:6969' })
  // v1's HEADLESS_PM_URL was the bare origin; accept a copied `/api/v1` suffix too.
  .transform((url) => url.replace(/\/+$/, '').replace(/\/api\/v1$/, ''))

/** What `hpm` client commands (and the runner) need to reach the server. */
export const ClientConfigSchema = z.object({
  apiUrl: ApiUrl.meta({
    description: "the server's base URL, without `/api/v1`",
    fallback: `\`${DEFAULT_API_URL}\``,
  }),
  apiKey: z
    .string()
    .min(1)
    .optional()
    .meta({
      description:
        "the `X-API-Key` sent to the server. v1's generic `API_KEY` counts only in a `.env`: in the environment it is usually another tool's secret",
      fallback: `the key a local \`hpm serve\` generated: \`$HEADLESS_PM_DATA_DIR/${API_KEY_FILE}\`, else the nearest \`${DEFAULT_DATA_DIR}/${API_KEY_FILE}\` upward; none: only public endpoints work`,
    }),
  apiKeySource: z
    .enum(['flag', 'env', 'dotenv', 'key-file', 'none'])
    .describe('where apiKey came from, for messages'),
  dotEnvPath: z.string().optional().describe('the .env file that was read, if any'),
})
export type ClientConfig = z.infer<typeof ClientConfigSchema>

/** Flags given on the command line; they win over everything. */
export interface ClientFlags {
  url?: string
  apiKey?: string
}

export interface LoadClientConfigOptions {
  flags?: ClientFlags
  env: EnvMap
  cwd: string
}

/**
 * Finds the key `hpm serve` generated: `$HEADLESS_PM_DATA_DIR/api-key`, else the nearest
 * `.headless-pm/api-key` from `cwd` upward. Undefined when there is none.
 */
export function findGeneratedApiKey(
  env: EnvMap,
  cwd: string,
): { key: string; path: string } | undefined {
  const dataDir = firstOf(env, 'HEADLESS_PM_DATA_DIR')
  const candidates: string[] = []
  if (dataDir)
    candidates.push(join(isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir), API_KEY_FILE))
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    candidates.push(join(dir, DEFAULT_DATA_DIR, API_KEY_FILE))
    if (dirname(dir) === dir) break
  }
  for (const path of candidates) {
    try {
      const key = readFileSync(path, 'utf8').trim()
      if (key !== '') return { key, path }
    } catch {
      // Not there: try the next place.
    }
  }
  return undefined
}

/**
 * Pure apart from reading files: flags > real env > nearest `.env` upward from cwd > the key file
 * of a local `hpm serve` > defaults. Throws ConfigError listing every problem.
 *
 * @example
 * const config = loadClientConfig({ flags: { url: opts.url }, env: process.env, cwd: process.cwd() })
 */
export function loadClientConfig({ flags = {}, env, cwd }: LoadClientConfigOptions): ClientConfig {
  const dotEnv = readDotEnv(cwd)
  const merged = mergeEnv(env, dotEnv?.values)
  const realEnv = mergeEnv(env, undefined)

  const apiUrl = flags.url ?? firstOf(merged, ...CLIENT_ENV_NAMES.apiUrl) ?? DEFAULT_API_URL
  let apiKey: string | undefined
  let apiKeySource: ClientConfig['apiKeySource'] = 'none'
  if (flags.apiKey !== undefined) {
    apiKey = flags.apiKey
    apiKeySource = 'flag'
  } else if (firstOf(realEnv, ...CLIENT_ENV_NAMES.apiKey) !== undefined) {
    apiKey = firstOf(realEnv, ...CLIENT_ENV_NAMES.apiKey)
    apiKeySource = 'env'
  } else if (dotEnv && firstOf(dotEnv.values, ...CLIENT_ENV_NAMES.apiKeyInDotEnv) !== undefined) {
    apiKey = firstOf(dotEnv.values, ...CLIENT_ENV_NAMES.apiKeyInDotEnv)
    apiKeySource = 'dotenv'
  } else {
    const generated = findGeneratedApiKey(merged, cwd)
    if (generated) {
      apiKey = generated.key
      apiKeySource = 'key-file'
    }
  }

  const parsed = ClientConfigSchema.safeParse({
    apiUrl,
    apiKey,
    apiKeySource,
    dotEnvPath: dotEnv?.path,
  })
  if (!parsed.success) {
    throw ConfigError.fromZod(parsed.error, {
      apiUrl: '--url / HEADLESS_PM_API_URL',
      apiKey: '--api-key / HEADLESS_PM_API_KEY',
    })
  }
  return deepFreeze(parsed.data)
}
