import { describe, expect, it } from 'vitest'

import type { Clock } from './clock.js'
import { NextOffers } from './next-offers.js'

/** A clock that moves only when told. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000
  return {
    now: () => now,
    after: () => () => undefined,
    every: () => () => undefined,
    advance: (ms) => void (now += ms),
  }
}

/** `find` over tasks 1..count in rank order, like the pickup query with its exclusions. */
function board(count: number) {
  const asked: (readonly number[])[] = []
  const find = (excludeIds: readonly number[]) => {
    asked.push(excludeIds)
    const id = Array.from({ length: count }, (_, i) => i + 1).find((t) => !excludeIds.includes(t))
    return Promise.resolve(id === undefined ? undefined : { id })
  }
  return { find, asked }
}

describe('NextOffers', () => {
  it('offers askers who ask at once different tasks', async () => {
    const offers = new NextOffers(manualClock())
    const { find } = board(5)

    const ids = [
      await offers.offer('a', find),
      await offers.offer('b', find),
      await offers.offer(undefined, find),
      await offers.offer(undefined, find),
    ].map((task) => task?.id)

    expect(ids).toEqual([1, 2, 3, 4])
  })

  it('offers an asker the task it holds again', async () => {
    const offers = new NextOffers(manualClock())
    const { find } = board(5)
    await offers.offer('a', find)
    await offers.offer('b', find)

    const again = await offers.offer('a', find)

    expect(again?.id).toBe(1)
  })

  it('offers held tasks when no other task is left, rather than nothing', async () => {
    const offers = new NextOffers(manualClock())
    const { find } = board(1)
    await offers.offer('a', find)

    const second = await offers.offer('b', find)

    expect(second?.id).toBe(1)
  })

  it('lets a hold lapse after its time', async () => {
    const clock = manualClock()
    const offers = new NextOffers(clock, 10_000)
    const { find } = board(5)
    await offers.offer('a', find)

    clock.advance(10_000)
    const later = await offers.offer('b', find)

    expect(later?.id).toBe(1)
  })

  it('keeps no hold on a task once it is locked', async () => {
    const offers = new NextOffers(manualClock())
    const { find, asked } = board(5)
    await offers.offer('a', find)

    offers.forget(1)
    await offers.offer('b', find)

    expect(asked.at(-1)).toEqual([])
  })

  it('keeps excluding the tasks already handed to other waiters', async () => {
    const offers = new NextOffers(manualClock())
    const { find } = board(5)
    await offers.offer('a', find)

    const task = await offers.offer('b', find, [2])

    expect(task?.id).toBe(3)
  })
})
