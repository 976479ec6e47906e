/** Turns a task id or branch name into a directory- and file-name-safe slug. */
export function slug(value: string | number): string {
  const safe = String(value)
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.-]+/, '')
  return safe.slice(0, 80) || 'x'
}
