import { z } from 'zod'

import { jsonLimitProblem } from './json-limits.js'

/** UTC ISO-8601 timestamp with `Z`, as every response carries. */
export const Timestamp = z.string().describe('UTC ISO-8601 timestamp ending in Z')

/**
 * A whole number written in plain decimal digits, at least `min`. A path or query string is read
 * only as digits: `Number()` would also take `0x10`, `1e1`, `+16`, ` 16` or `16.0` as 16.
 */
function decimalInteger(min: number, message: string) {
  return z
    .string({ error: message })
    .regex(/^\d{1,16}$/, message)
    .transform(Number)
    .pipe(z.number().int(message).min(min, message).max(Number.MAX_SAFE_INTEGER, message))
}

/** A positive integer id from a path or query string, in plain decimal digits (`16`, not `0x10`). */
export const Id = decimalInteger(1, 'must be a positive integer in decimal digits')

/** An event id to resume after (`after_id`): 0 or more, in plain decimal digits. */
export const EventId = decimalInteger(
  0,
  'must be an event id: an integer of 0 or more in decimal digits',
)

/** An agent id: what agents call themselves (`backend_dev_senior_001`). */
export const AgentId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')

const TRUE_WORDS = ['true', '1', 'yes', 'on']
const FALSE_WORDS = ['false', '0', 'no', 'off']

/**
 * A boolean query parameter: `true|false|1|0|yes|no|on|off`, any case, as v1 (pydantic) read it.
 * The v1 Python client sends `True`/`False` (requests' rendering of a bool). `z.coerce.boolean`
 * would read "false" as true.
 */
export const QueryBool = z
  .string()
  // The document lists the words; any case of them is taken.
  .meta({ enum: [...TRUE_WORDS, ...FALSE_WORDS] })
  .refine((v) => [...TRUE_WORDS, ...FALSE_WORDS].includes(v.toLowerCase()), {
    error: 'must be true or false',
  })
  .transform((v) => TRUE_WORDS.includes(v.toLowerCase()))

/** `limit` query parameter with a default and an upper bound. */
export function limitParam(defaultLimit: number, max = 10_000) {
  return z.coerce
    .number({ error: 'must be an integer' })
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`)
    .default(defaultLimit)
}

/**
 * Free-form JSON object metadata in a request: at most `MAX_JSON_DEPTH` levels deep and
 * `MAX_JSON_BYTES` as JSON (422 naming the limit otherwise).
 */
export const MetaData = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const problem = jsonLimitProblem(value)
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
})

/**
 * Free-form JSON object metadata in a response. Stored values are read within the same limits
 * (the repository reads anything beyond them, stored before the limits existed, as null).
 */
export const StoredMetaData = z.record(z.string(), z.unknown())

export const MessageResponse = z.object({ message: z.string() })
export type MessageResponse = z.infer<typeof MessageResponse>

/**
 * What a client sends for a schema whose wire form is text (a query string, a coerced field): the
 * values the server reads (numbers, booleans, not the text they travel as), with the input's
 * optional fields, so a field the server defaults may be left out.
 */
export type ClientInput<S extends z.ZodType> = {
  [K in keyof z.input<S>]: K extends keyof z.output<S> ? z.output<S>[K] : never
}

export const AgentIdQuery = z.object({ agent_id: AgentId })
export type AgentIdQuery = z.infer<typeof AgentIdQuery>
