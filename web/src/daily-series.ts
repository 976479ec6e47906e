const DAY_MS = 86_400_000

export interface DayValue {
  /** UTC day, `YYYY-MM-DD`. */
  day: string
  value: number
}

/** The last `days` UTC days up to `nowMs`, oldest first, each with its value (0 where none). */
export function dailySeries(values: readonly DayValue[], days: number, nowMs: number): DayValue[] {
  const byDay = new Map(values.map((v) => [v.day, v.value]))
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(today - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10)
    return { day, value: byDay.get(day) ?? 0 }
  })
}

/** `Nov 30` for a `YYYY-MM-DD` UTC day. */
export function formatDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  })
}
