import { useSyncExternalStore } from 'react'

const clocks = new Map<
  number,
  { subscribe: (listener: () => void) => () => void; getSnapshot: () => number }
>()

function clock(periodMs: number) {
  let entry = clocks.get(periodMs)
  if (entry) return entry
  const listeners = new Set<() => void>()
  let timer: ReturnType<typeof setInterval> | undefined
  entry = {
    subscribe(listener) {
      listeners.add(listener)
      // One timer per period for all its readers, running only while someone reads it.
      timer ??= setInterval(() => {
        for (const l of [...listeners]) l()
      }, periodMs)
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0) {
          clearInterval(timer)
          timer = undefined
        }
      }
    },
    // Rounded down to the period, so every reader in one tick sees the same time.
    getSnapshot: () => Math.floor(Date.now() / periodMs) * periodMs,
  }
  clocks.set(periodMs, entry)
  return entry
}

/** The current time in ms, re-rendering the caller every `periodMs` (a clock for countdowns). */
export function useNow(periodMs: number): number {
  const { subscribe, getSnapshot } = clock(periodMs)
  return useSyncExternalStore(subscribe, getSnapshot)
}
