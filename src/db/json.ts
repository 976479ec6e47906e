import { jsonDepth, MAX_JSON_BYTES, MAX_JSON_DEPTH } from '../contract/index.js'

/** JSON columns are text in both dialects. */
export function toJsonText(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value)
}

/**
 * Reads a stored JSON object. Text that is not a JSON object, or one over the free-form limits
 * (`MAX_JSON_DEPTH`, `MAX_JSON_BYTES`: stored before the limits existed, or imported), reads as
 * null, so one such row can never break a list for every caller. The row itself is left as it is.
 */
export function fromJsonText(text: string | null): Record<string, unknown> | null {
  if (text === null || Buffer.byteLength(text, 'utf8') > MAX_JSON_BYTES) return null
  try {
    const parsed: unknown = JSON.parse(text)
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null
    return jsonDepth(parsed) > MAX_JSON_DEPTH ? null : (parsed as Record<string, unknown>)
  } catch {
    return null
  }
}
