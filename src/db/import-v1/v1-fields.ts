/**
 * Checked reads of one v1 row's values. Each reader records what is wrong instead of throwing, so a
 * skipped row is reported with every problem it has.
 */
export interface V1Fields {
  readonly problems: readonly string[]
  id(): number
  int(column: string): number
  optionalInt(column: string): number | null
  text(column: string, options?: { maxLength?: number; isBlankAllowed?: boolean }): string
  optionalText(column: string): string | null
  /** An enum that v1 stored by NAME (`BACKEND_DEV`) or by value: lower-cased, then checked. */
  choice<T extends string>(column: string, values: readonly T[]): T
  optionalChoice<T extends string>(column: string, values: readonly T[]): T | null
  time(column: string): string
  optionalTime(column: string): string | null
  bool01(column: string): 0 | 1
  optionalBool01(column: string): 0 | 1 | null
  /** JSON text; v1 wrote JSON `null` for an absent value, which is stored as SQL NULL here. */
  json(column: string): string | null
}

const NAIVE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * A v1 timestamp (`2026-11-30 03:20:40.037265`, naive UTC as v1 wrote it) in our stored format
 * (`2026-11-30T03:20:40.037Z`, as `nowIso` writes). Microseconds are truncated, not rounded, so a
 * time never moves into the next second. Undefined when it is not a valid date-time.
 */
export function v1TimeToIso(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const m = NAIVE_TIME.exec(value.trim())
  if (!m) return undefined
  const [, year, month, day, hour, minute, second, fraction = '', zone] = m
  const ms = fraction.padEnd(3, '0').slice(0, 3)
  const base = `${year}-${month}-${day}T${hour}:${minute}:${second}.${ms}`
  const date = new Date(`${base}${zone === undefined ? 'Z' : zone}`)
  if (Number.isNaN(date.getTime())) return undefined
  const iso = date.toISOString()
  // Date rolls 2026-02-30 over into March instead of rejecting it.
  if (zone === undefined && iso !== `${base}Z`) return undefined
  return iso
}

/** Readers over `row`; `problems` lists what did not fit our schema. */
export function v1Fields(row: Readonly<Record<string, unknown>>): V1Fields {
  const problems: string[] = []
  const show = (value: unknown) =>
    typeof value === 'string' ? JSON.stringify(value) : String(value)

  const int = (column: string, isOptional: boolean): number | null => {
    const value = row[column]
    if (value === null || value === undefined) {
      if (!isOptional) problems.push(`${column} is missing`)
      return null
    }
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value
    problems.push(`${column} ${show(value)} is not an integer`)
    return null
  }
  const text = (
    column: string,
    isOptional: boolean,
    maxLength?: number,
    isBlankAllowed = true,
  ): string | null => {
    const value = row[column]
    if (value === null || value === undefined) {
      if (!isOptional) problems.push(`${column} is missing`)
      return null
    }
    if (typeof value !== 'string') {
      problems.push(`${column} ${show(value)} is not text`)
      return null
    }
    if (!isBlankAllowed && value.trim() === '') problems.push(`${column} is empty`)
    if (maxLength !== undefined && value.length > maxLength)
      problems.push(`${column} is longer than ${maxLength} characters`)
    return value
  }
  const choice = <T extends string>(
    column: string,
    values: readonly T[],
    isOptional: boolean,
  ): T | null => {
    const value = row[column]
    if (value === null || value === undefined) {
      if (!isOptional) problems.push(`${column} is missing`)
      return null
    }
    const lower = typeof value === 'string' ? value.trim().toLowerCase() : undefined
    const found = values.find((v) => v === lower)
    if (found === undefined)
      problems.push(`${column} ${show(value)} is not one of ${values.join(', ')}`)
    return found ?? null
  }
  const time = (column: string, isOptional: boolean): string | null => {
    const value = row[column]
    if (value === null || value === undefined) {
      if (!isOptional) problems.push(`${column} is missing`)
      return null
    }
    const iso = v1TimeToIso(value)
    if (iso === undefined) problems.push(`${column} ${show(value)} is not a date-time`)
    return iso ?? null
  }
  const bool01 = (column: string, isOptional: boolean): 0 | 1 | null => {
    const value = row[column]
    if (value === null || value === undefined) {
      if (!isOptional) problems.push(`${column} is missing`)
      return null
    }
    if (value === 1 || value === true) return 1
    if (value === 0 || value === false) return 0
    problems.push(`${column} ${show(value)} is not a boolean`)
    return null
  }

  return {
    problems,
    id: () => int('id', false) ?? 0,
    int: (column) => int(column, false) ?? 0,
    optionalInt: (column) => int(column, true),
    text: (column, options = {}) =>
      text(column, false, options.maxLength, options.isBlankAllowed) ?? '',
    optionalText: (column) => text(column, true),
    choice: (column, values) =>
      choice(column, values, false) ?? (values[0] as (typeof values)[number]),
    optionalChoice: (column, values) => choice(column, values, true),
    time: (column) => time(column, false) ?? '',
    optionalTime: (column) => time(column, true),
    bool01: (column) => bool01(column, false) ?? 0,
    optionalBool01: (column) => bool01(column, true),
    json: (column) => {
      const value = text(column, true)
      return value === null || value.trim() === 'null' ? null : value
    },
  }
}
