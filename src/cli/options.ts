import { InvalidArgumentError, Option } from 'commander'

import {
  AGENT_ROLES,
  DOCUMENT_TYPES,
  MAX_BUDGET_USD,
  SERVICE_STATUSES,
  SKILL_LEVELS,
  TASK_COMPLEXITIES,
  TASK_STATUSES,
} from './choices.js'

/** Commander parser: a positive integer id. */
export function parseId(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('must be a positive integer')
  }
  return Number(value)
}

/** Commander parser factory: an integer within [min, max]. */
export function intIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`)
    }
    return Number(value)
  }
}

/** Commander parser: seconds to wait in a long-poll, 0–600 (fractions allowed). */
export function parseWaitSeconds(value: string): number {
  const seconds = Number(value)
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 600) {
    throw new InvalidArgumentError('must be a number of seconds from 0 to 600')
  }
  return seconds
}

const BUDGET_EXPECTED = `must be a number of US dollars more than 0 and at most ${MAX_BUDGET_USD}, e.g. 2.5`

/** Commander parser: a task's money budget in US dollars, more than 0 and at most 10,000. */
export function parseBudgetUsd(value: string): number {
  const dollars = Number(value)
  // Plain decimals only: Number() would also take '0x10', '1e3' and ' 2 '.
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value) || dollars <= 0 || dollars > MAX_BUDGET_USD) {
    throw new InvalidArgumentError(BUDGET_EXPECTED)
  }
  return dollars
}

/**
 * Commander parser for edits: a budget as {@link parseBudgetUsd}, or `'none'` to clear it (kept as a
 * word: commander turns a parsed `null` into `''`).
 */
export function parseBudgetUsdOrNone(value: string): number | 'none' {
  if (value === 'none') return 'none'
  try {
    return parseBudgetUsd(value)
  } catch {
    throw new InvalidArgumentError(`${BUDGET_EXPECTED}; or none to clear it`)
  }
}

/** Commander parser: a JSON object (for `--meta-data`). */
export function parseJsonObject(value: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw new InvalidArgumentError('must be a JSON object, e.g. \'{"key": "value"}\'')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidArgumentError('must be a JSON object, e.g. \'{"key": "value"}\'')
  }
  return parsed as Record<string, unknown>
}

/** Commander parser: an ISO-8601 date-time with a zone (`2026-01-31T12:00:00Z`). */
export function parseIsoDateTime(value: string): string {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new InvalidArgumentError(
      'must be an ISO-8601 date-time with a zone, e.g. 2026-01-31T12:00:00Z',
    )
  }
  return value
}

/** Commander parser: an http(s) URL. */
export function parseHttpUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidArgumentError('must be an http(s) URL, e.g. http://localhost:3000/health')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('must be an http(s) URL, e.g. http://localhost:3000/health')
  }
  return value
}

export const roleOption = (flags = '--role <role>', description = 'agent role') =>
  new Option(flags, description).choices(AGENT_ROLES)

export const levelOption = (flags = '--level <level>', description = 'skill level') =>
  new Option(flags, description).choices(SKILL_LEVELS)

export const complexityOption = () =>
  new Option(
    '--complexity <complexity>',
    'git workflow: minor (merged into the base branch after QA) or major (reviewed, PR)',
  )
    .choices(TASK_COMPLEXITIES)
    .default('major')

export const statusFilterOption = () =>
  new Option('--status <status>', 'only tasks in this status').choices(TASK_STATUSES)

export const docTypeOption = (flags: string, description: string) =>
  new Option(flags, description).choices(DOCUMENT_TYPES)

export const serviceStatusOption = () =>
  new Option('--status <status>', 'service status').choices(SERVICE_STATUSES).default('up')

/** Where the server's database is (`hpm serve`, `hpm db`). */
export const dataDirOption = () =>
  new Option('--data-dir <dir>', 'data folder (env HEADLESS_PM_DATA_DIR, default ./.headless-pm)')

export const databaseUrlOption = () =>
  new Option('--database-url <url>', 'sqlite:<path> or postgres://... (env DATABASE_URL)')
