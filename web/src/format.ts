/** `1h 05m`, `4m 09s`, `12s`. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000))
  const hours = Math.floor(totalSeconds / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = totalSeconds % 60
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, '0')}s`
  return `${seconds}s`
}

/** Like {@link formatDuration}, with days once it passes one: `3d 04h`, `5h 12m`. */
export function formatElapsed(ms: number): string {
  const totalHours = Math.floor(Math.max(0, ms) / 3_600_000)
  if (totalHours < 24) return formatDuration(ms)
  return `${Math.floor(totalHours / 24)}d ${String(totalHours % 24).padStart(2, '0')}h`
}

/** `$0.42`; amounts under a cent show as `<$0.01` so a cheap run does not read as free. */
export function formatUsd(usd: number): string {
  if (usd > 0 && usd < 0.01) return '<$0.01'
  return `$${usd.toFixed(2)}`
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

/** `just now`, `5m ago`, `3h ago`, `2d ago`. */
export function formatAgo(iso: string, nowMs: number): string {
  const seconds = Math.round((nowMs - Date.parse(iso)) / 1000)
  if (seconds < 10) return 'just now'
  if (seconds < 60) return `${seconds}s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`
  return `${Math.floor(seconds / 86_400)}d ago`
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

/** `under_work` → `under work`. */
export function humanize(value: string): string {
  return value.replace(/_/g, ' ')
}
