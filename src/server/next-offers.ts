import type { Clock } from './clock.js'

/** How long a task offered by `GET /tasks/next` is kept from other askers. */
export const NEXT_OFFER_HOLD_MS = 10_000
/** At most this many held offers; beyond it the oldest goes, so the exclusion list stays short. */
const MAX_HELD = 500

/**
 * Soft reservations for v1's `GET /tasks/next` + `POST /tasks/{id}/lock` pair. Without them every
 * agent asking at once is offered the same best task and all but one lose the lock race (100 agents
 * made 230,000 lock 409s for 9,000 tasks). A task offered to one asker is kept from the others for a
 * few seconds, so they are offered the next best ones; when only held tasks are left they are
 * offered anyway, so nobody waits on a hold. The lock stays the only guarantee: a hold is a hint,
 * kept in this server's memory only.
 */
export class NextOffers {
  readonly #clock: Clock
  readonly #holdMs: number
  /** Task id → who it was offered to and until when; insertion order is age order. */
  readonly #held = new Map<number, { holder: string; until: number }>()
  #anonymous = 0

  constructor(clock: Clock, holdMs = NEXT_OFFER_HOLD_MS) {
    this.#clock = clock
    this.#holdMs = holdMs
  }

  /**
   * The task `find` returns with the ones held for others excluded (then, if none is left, with
   * them), held for `holder` from now. v1 clients name no agent: each such ask is its own holder.
   */
  async offer<T extends { id: number }>(
    holder: string | undefined,
    find: (excludeIds: readonly number[]) => Promise<T | undefined>,
    handedOut: readonly number[] = [],
  ): Promise<T | undefined> {
    const asker = holder ?? `#anonymous-${++this.#anonymous}`
    const heldForOthers = this.#heldForOthers(asker)
    let task = heldForOthers.length > 0 ? await find([...handedOut, ...heldForOthers]) : undefined
    task ??= await find(handedOut)
    if (task) this.#hold(task.id, asker)
    return task
  }

  /** The task was locked or claimed: nobody needs to be kept from it any more. */
  forget(taskId: number): void {
    this.#held.delete(taskId)
  }

  #heldForOthers(asker: string): number[] {
    const now = this.#clock.now()
    const ids: number[] = []
    for (const [taskId, hold] of this.#held) {
      if (hold.until <= now) this.#held.delete(taskId)
      else if (hold.holder !== asker) ids.push(taskId)
    }
    return ids
  }

  #hold(taskId: number, holder: string): void {
    this.#held.delete(taskId)
    this.#held.set(taskId, { holder, until: this.#clock.now() + this.#holdMs })
    if (this.#held.size > MAX_HELD) {
      const oldest = this.#held.keys().next()
      if (!oldest.done) this.#held.delete(oldest.value)
    }
  }
}
