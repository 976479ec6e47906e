import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseEnv } from 'node:util'

export type EnvMap = Readonly<Record<string, string | undefined>>

/** Finds the nearest `.env` from `cwd` upward and parses it without touching `process.env`. */
export function readDotEnv(cwd: string): { path: string; values: EnvMap } | undefined {
  let dir = resolve(cwd)
  for (;;) {
    const path = join(dir, '.env')
    let text: string | undefined
    try {
      text = readFileSync(path, 'utf8')
    } catch {
      text = undefined
    }
    if (text !== undefined) return { path, values: parseEnv(text) }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/**
 * Parses `<dir>/.env` only, never a parent's (a `.env` above the project belongs to something
 * else), without touching `process.env`.
 */
export function readDotEnvIn(dir: string): { path: string; values: EnvMap } | undefined {
  const path = join(resolve(dir), '.env')
  try {
    return { path, values: parseEnv(readFileSync(path, 'utf8')) }
  } catch {
    return undefined
  }
}

/** The real environment over `.env` values: real variables win. Empty strings count as unset. */
export function mergeEnv(env: EnvMap, dotEnv: EnvMap | undefined): EnvMap {
  const merged: Record<string, string> = {}
  for (const source of [dotEnv ?? {}, env]) {
    for (const [key, value] of Object.entries(source)) {
      if (value !== undefined && value !== '') merged[key] = value
    }
  }
  return merged
}

/** The first set variable among `names`. */
export function firstOf(env: EnvMap, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]
    if (value !== undefined && value !== '') return value
  }
  return undefined
}
