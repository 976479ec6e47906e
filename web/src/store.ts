import { useSyncExternalStore } from 'react'

/**
 * A minimal external store: one immutable snapshot, replaced on each change. Components read
 * slices of it with {@link useStoreSelector}; a selector must return a stored reference (not a new
 * object) so React can tell when nothing changed.
 */
export class Store<S> {
  #state: S
  readonly #listeners = new Set<() => void>()

  constructor(initial: S) {
    this.#state = initial
  }

  getState = (): S => this.#state

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Applies `update`; listeners run only when it returns a new state. */
  setState(update: (state: S) => S): void {
    const next = update(this.#state)
    if (next === this.#state) return
    this.#state = next
    for (const listener of [...this.#listeners]) listener()
  }
}

export function useStoreSelector<S, T>(store: Store<S>, select: (state: S) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.getState()))
}
