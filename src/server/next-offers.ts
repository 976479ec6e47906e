import type { Clock } from './clock.js'

/** How long a task offered by `GET /tasks/next` is kept from other askers. */
export const NEXT_OFFER_HOLD_MS = 10_000
/** At most this many held offers; beyond it the oldest goes, so the exclusion list stays short. */
const MAX_HELD = 500

/**
 * Soft reservations for v1's `GET /tasks/next` + `POST /tasks/{id}/lock` pair. Without them every
 * agent asking at once is offered the same best task and all but one lose the lock race (100 agents
 * made 230,000 lock 409s for 9,000 tasks). A task offered to one asker ranks, for a few seconds,
 * after every task not held (but before one the asker gave back in its cooldown), so other askers
 * are offered the next best ones; when only held tasks are left they are offered anyway, so nobody
 * waits on a hold. The lock stays the only guarantee: a hold is a hint, kept in this server's memory.
 */
export class NextOffers {
  readonly #clock: Clock
  readonly #holdMs: number
  /** Task id → who it was offered to and until when; insertion order is age order. */
  readonly #held = new Map<number, { holder: string; until: number }>()
  #anonymous = 0
  /** Offers run one at a time: two asks in flight at once must not both read the holds first. */
  #turn: Promise<unknown> = Promise.resolve()

  constructor(clock: Clock, holdMs = NEXT_OFFER_HOLD_MS) {
    this.#clock = clock
    this.#holdMs = holdMs
  }

  /**
   * The task `find` picks given the tasks held for others (to rank last), then held for `holder`
   * from now. v1 clients name no agent: each such ask is its own holder.
   */
  offer<T extends { id: number }>(
    holder: string | undefined,
    find: (heldForOthers: readonly number[]) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const asker = holder ?? `#anonymous-${++this.#anonymous}`
    const offered = this.#turn.then(async () => {
      const task = await find(this.#heldForOthers(asker))
      if (task) this.#hold(task.id, asker)
      return task
    })
    this.#turn = offered.catch(() => undefined)
    return offered
  }

  /**
   * The task `find` picks given the tasks held for others, placing no hold: for the `next_task` a
   * status or register reply suggests, which an agent may ignore.
   */
  suggest<T>(
    holder: string | undefined,
    find: (heldForOthers: readonly number[]) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    return find(this.#heldForOthers(holder ?? ''))
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
