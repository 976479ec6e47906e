import { z } from 'zod'

import { BoolText } from '../../src/config/bool-text.js'

/** What docs/config.md says about one setting, read from its zod schema. */
export interface SchemaFacts {
  /** The `.default()`, or the `fallback` meta of a default the loader computes, or `none`. */
  defaultText: string
  /** Accepted values: an enum's members or a number's range; empty when the meaning says it. */
  values: string
  description: string
}

/** Reads a field's description, default and accepted values (zod 4 introspection). */
export function schemaFacts(field: z.ZodType): SchemaFacts {
  const meta = field.meta()
  const description = meta?.description ?? ''
  let defaultText = typeof meta?.fallback === 'string' ? meta.fallback : 'none'
  let inner: z.ZodType = field
  for (;;) {
    // The intro of docs/config.md lists the words a yes/no setting accepts.
    if (inner === BoolText) return { defaultText, values: '`true`, `false`', description }
    if (inner instanceof z.ZodDefault) {
      defaultText = formatDefault(inner.def.defaultValue)
      inner = inner.unwrap() as z.ZodType
    } else if (inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType
    // A pipe's input is what a variable may hold (BoolText: the words, not the boolean).
    else if (inner instanceof z.ZodPipe) inner = inner.in as z.ZodType
    else break
  }
  return { defaultText, values: valuesOf(inner), description }
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value) && value.length === 0) return 'none'
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``
}

function valuesOf(schema: z.ZodType): string {
  if (schema instanceof z.ZodEnum) return schema.options.map((o) => `\`${String(o)}\``).join(', ')
  if (schema instanceof z.ZodNumber) return rangeOf(schema)
  return ''
}

function rangeOf(schema: z.ZodNumber): string {
  let low: string | undefined
  let high: string | undefined
  for (const check of schema.def.checks ?? []) {
    const def = check._zod.def as { check: string; value?: unknown; inclusive?: boolean }
    const value = String(def.value)
    if (def.check === 'greater_than') low = def.inclusive ? value : `more than ${value}`
    if (def.check === 'less_than') high = def.inclusive ? value : `less than ${value}`
  }
  const range =
    low !== undefined && high !== undefined && /^-?\d/.test(low) && /^-?\d/.test(high)
      ? `${low}..${high}`
      : [low, high].filter(Boolean).join(', ')
  return schema.isInt ? `whole number ${range}` : range
}
