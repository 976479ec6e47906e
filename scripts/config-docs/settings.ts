import type { z } from 'zod'

import {
  CLIENT_ENV_NAMES,
  ClientConfigSchema,
  MODEL_ENV_NAMES,
  REPO_ENV_NAMES,
  RUNNER_ENV_NAMES,
  RunnerConfigSchema,
  SERVER_ENV_NAMES,
  ServerConfigSchema,
} from '../../src/config/index.js'
import { code, table } from './markdown.js'
import { schemaFacts } from './schema-facts.js'

interface Setting {
  /** Variables that set it, in the loader's order. */
  names: readonly string[]
  /** Further names read from a `.env` file only. */
  dotEnvOnly?: readonly string[]
  schema: z.ZodType
}

/** Pairs each variable table of a loader with its schema's fields. */
function settingsOf(
  names: Readonly<Record<string, string | readonly string[]>>,
  shape: Readonly<Record<string, z.ZodType>>,
): Setting[] {
  return Object.entries(names).map(([field, name]) => {
    const schema = shape[field]
    if (schema === undefined) throw new Error(`no schema field ${field} for ${String(name)}`)
    return { names: typeof name === 'string' ? [name] : name, schema }
  })
}

function settingsTable(settings: readonly Setting[]): string {
  return table(
    ['variable', 'default', 'values', 'meaning'],
    settings.map(({ names, dotEnvOnly = [], schema }) => {
      const facts = schemaFacts(schema)
      const variables = [...names.map(code), ...dotEnvOnly.map((n) => `${code(n)} (\`.env\` only)`)]
      return [variables.join(', '), facts.defaultText, facts.values, facts.description]
    }),
  )
}

export function serverSettings(): string {
  return settingsTable(settingsOf(SERVER_ENV_NAMES, ServerConfigSchema.shape))
}

export function clientSettings(): string {
  const shape = ClientConfigSchema.shape
  return settingsTable([
    { names: CLIENT_ENV_NAMES.apiUrl, schema: shape.apiUrl },
    {
      names: CLIENT_ENV_NAMES.apiKey,
      dotEnvOnly: CLIENT_ENV_NAMES.apiKeyInDotEnv.filter(
        (name) => !(CLIENT_ENV_NAMES.apiKey as readonly string[]).includes(name),
      ),
      schema: shape.apiKey,
    },
  ])
}

export function runnerSettings(): string {
  const shape = RunnerConfigSchema.shape
  return settingsTable([
    ...settingsOf(RUNNER_ENV_NAMES, shape),
    ...settingsOf(MODEL_ENV_NAMES, shape.models.shape),
  ])
}

/** The variables `hpm tasks merge` shares with the runner. */
export const repoVariables = (): string => Object.values(REPO_ENV_NAMES).map(code).join(', ')
