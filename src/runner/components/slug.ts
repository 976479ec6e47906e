import { createHash } from 'node:crypto'

/** Turns a task id or branch name into a directory- and file-name-safe slug. */
export function slug(value: string | number): string {
  const safe = String(value)
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.-]+/, '')
  return safe.slice(0, 80) || 'x'
}

/**
 * An agent id as a name safe on any filesystem (lock files, the spare worktree); ids that needed
 * changing get a hash, so two agents never share a name.
 */
export function agentFileKey(agentId: string): string {
  const safe = agentId
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 100)
  if (safe === agentId) return safe
  return `${safe}-${createHash('sha256').update(agentId).digest('hex').slice(0, 8)}`
}
