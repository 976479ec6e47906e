/**
 * Deepest nesting accepted in a free-form JSON field (`meta_data`): the field's own object is
 * level 1. Deep enough for any real metadata; far below the ~4,000 levels at which serializing a
 * value overflows the stack.
 */
export const MAX_JSON_DEPTH = 32

/** Largest free-form JSON field accepted, in bytes of its UTF-8 JSON text (64 KiB). */
export const MAX_JSON_BYTES = 64 * 1024

/**
 * How deeply `value` nests, counting objects and arrays (a scalar is 0, `{}` is 1). Stops counting
 * once past `stopAfter`. Iterative, so a value nested a million levels costs no stack.
 */
export function jsonDepth(value: unknown, stopAfter = MAX_JSON_DEPTH): number {
  let deepest = 0
  const pending: Array<[unknown, number]> = [[value, 1]]
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!
    if (node === null || typeof node !== 'object') continue
    deepest = Math.max(deepest, depth)
    if (deepest > stopAfter) return deepest
    for (const child of Object.values(node)) {
      if (child !== null && typeof child === 'object') pending.push([child, depth + 1])
    }
  }
  return deepest
}

const encoder = new TextEncoder()

/**
 * Why `value` is over the free-form JSON limits, or undefined when it is within them. The message
 * names the limit, for a 422 `detail` (`body.meta_data: …`).
 */
export function jsonLimitProblem(value: unknown): string | undefined {
  const depth = jsonDepth(value)
  if (depth > MAX_JSON_DEPTH)
    return `must nest at most ${MAX_JSON_DEPTH} levels deep (objects and arrays)`
  const bytes = encoder.encode(JSON.stringify(value)).length
  if (bytes > MAX_JSON_BYTES) return `must be at most ${MAX_JSON_BYTES} bytes as JSON, got ${bytes}`
  return undefined
}
