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

/** `find` over tasks 1..count in rank order, held ones last, like the pickup query. */
function board(count: number) {
  const asked: (readonly number[])[] = []
  const find = async (heldIds: readonly number[]) => {
    asked.push(heldIds)
    // A database answers later: other asks may arrive meanwhile.
    await new Promise((resolve) => setImmediate(resolve))
    const ids = Array.from({ length: count }, (_, i) => i + 1)
    const id = ids.find((t) => !heldIds.includes(t)) ?? ids[0]
    return id === undefined ? undefined : { id }
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

  it('offers asks in flight at the same time different tasks', async () => {
    const offers = new NextOffers(manualClock())
    const { find } = board(5)

    const tasks = await Promise.all([1, 2, 3, 4, 5].map(() => offers.offer(undefined, find)))

    expect(tasks.map((task) => task?.id)).toEqual([1, 2, 3, 4, 5])
  })

  it('goes on offering after a failed look', async () => {
    const offers = new NextOffers(manualClock())
    const { find } = board(2)
    const failing = offers.offer('a', () => Promise.reject(new Error('database gone')))

    const next = await offers.offer('b', find)

    await expect(failing).rejects.toThrow('database gone')
    expect(next?.id).toBe(1)
  })

  it('suggests a task not held for someone else, and holds nothing for the suggestion', async () => {
    const offers = new NextOffers(manualClock())
    const { find } = board(3)
    await offers.offer('a', find)

    const suggested = await offers.suggest('b', find)
    const offered = await offers.offer('c', find)

    expect(suggested?.id).toBe(2)
    expect(offered?.id).toBe(2)
  })
})
