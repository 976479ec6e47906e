import type { Logger } from 'pino'

import type { AgentRole, SkillLevel } from '../contract/index.js'
import type { AgentRow, TaskWithEpic } from '../db/index.js'
import type { Clock } from './clock.js'

/**
 * What a waiter asks for: a claim (locks the task) or a look (v1 `GET /tasks/next`; `agentId` when
 * the caller named itself, for its release cooldown).
 */
export type WaitRequest =
  | { kind: 'claim'; agent: AgentRow }
  | { kind: 'next'; role: AgentRole; level: SkillLevel; agentId?: string | undefined }

interface Waiter {
  request: WaitRequest
  key: string
  settle: (task: TaskWithEpic | undefined) => void
  settled: boolean
  /** A match is running for this waiter; its timeout waits for the answer. */
  busy: boolean
  expired: boolean
}

export interface TaskWaitersOptions {
  log: Logger
  /** Measures each waiter's timeout and the recheck interval. */
  clock: Clock
  /** One match: claims (in its own transaction) or looks, skipping tasks already handed out. */
  attempt: (request: WaitRequest, handedOut: readonly number[]) => Promise<TaskWithEpic | undefined>
  /** Safety net: re-check waiting groups this often even without a change (a lost notification). */
  recheckIntervalMs: number
}

/**
 * Long-poll waiters, woken by changes rather than by sleeping. Waiters are grouped by what they
 * match (role and level); a wake-up asks once per group and hands out tasks in arrival order, so a
 * task created while a hundred agents wait reaches exactly one of them at once.
 *
 * Each match is made for the waiter that receives its answer (a claim orders the tasks for that
 * agent, release cooldown included), never once for the whole group. The cooldown only reorders
 * what a waiter may take, so "nothing for this waiter" still means "nothing for its group".
 */
export class TaskWaiters {
  readonly #options: TaskWaitersOptions
  readonly #waiters = new Set<Waiter>()
  #draining: Promise<void> | undefined
  #pendingKeys: Set<string> | 'all' | undefined
  readonly #stopRecheck: () => void

  constructor(options: TaskWaitersOptions) {
    this.#options = options
    this.#stopRecheck = options.clock.every(options.recheckIntervalMs, () => {
      if (this.#waiters.size > 0) void this.wake()
    })
  }

  get size(): number {
    return this.#waiters.size
  }

  /** Waits up to `timeoutMs` for a task; undefined on timeout, abort or shutdown. */
  wait(
    request: WaitRequest,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<TaskWithEpic | undefined> {
    return new Promise((resolve) => {
      const key =
        request.kind === 'claim'
          ? `claim:${request.agent.role}:${request.agent.level}`
          : `next:${request.role}:${request.level}`
      const waiter: Waiter = {
        request,
        key,
        settled: false,
        busy: false,
        expired: false,
        settle: (task) => {
          if (waiter.settled) return
          waiter.settled = true
          cancelTimeout()
          signal?.removeEventListener('abort', onAbort)
          this.#waiters.delete(waiter)
          resolve(task)
        },
      }
      const onAbort = () => waiter.settle(undefined)
      if (signal?.aborted) return resolve(undefined)
      // A claim already under way when the time runs out is answered with its result, not "none".
      const cancelTimeout = this.#options.clock.after(timeoutMs, () => {
        if (waiter.busy) waiter.expired = true
        else waiter.settle(undefined)
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiters.add(waiter)
      void this.wake(new Set([key]))
    })
  }

  /** Re-checks the given groups (default: all) for tasks; serialised so no task is handed out twice. */
  wake(keys?: Set<string>): Promise<void> {
    if (this.#pendingKeys === 'all' || keys === undefined) this.#pendingKeys = 'all'
    else {
      this.#pendingKeys ??= new Set()
      for (const k of keys) this.#pendingKeys.add(k)
    }
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined
      // A wake() that arrived after the drain's last check must not wait for the periodic recheck.
      if (this.#pendingKeys !== undefined) void this.wake(new Set())
    })
    return this.#draining
  }

  /**
   * Answers an agent's claim waiters with "no task" (the agent was deleted). Otherwise its next
   * match would fail and end the wake-up for the agents queued behind it.
   */
  dismiss(agentId: string): void {
    for (const waiter of [...this.#waiters]) {
      if (waiter.request.kind === 'claim' && waiter.request.agent.agent_id === agentId)
        waiter.settle(undefined)
    }
  }

  /** Answers every waiter with "no task" (server shutting down). */
  closeAll(): void {
    this.#stopRecheck()
    for (const waiter of [...this.#waiters]) waiter.settle(undefined)
  }

  async #drain(): Promise<void> {
    while (this.#pendingKeys !== undefined) {
      const keys = this.#pendingKeys
      this.#pendingKeys = undefined
      const groups = new Map<string, Waiter[]>()
      for (const waiter of this.#waiters) {
        if (keys !== 'all' && !keys.has(waiter.key)) continue
        const group = groups.get(waiter.key) ?? []
        group.push(waiter)
        groups.set(waiter.key, group)
      }
      const handedOut: number[] = []
      for (const group of groups.values()) {
        for (const waiter of group) {
          if (waiter.settled) continue
          let task: TaskWithEpic | undefined
          waiter.busy = true
          try {
            task = await this.#options.attempt(waiter.request, handedOut)
          } catch (error) {
            this.#options.log.error({ err: error }, 'long-poll match failed')
            break
          } finally {
            waiter.busy = false
            if (waiter.expired && !task) waiter.settle(undefined)
          }
          if (!task) break
          handedOut.push(task.id)
          if (waiter.settled && waiter.request.kind === 'claim') {
            // The caller went away while we claimed: the claim stands and is returned on its next call.
            continue
          }
          waiter.settle(task)
        }
      }
    }
  }
}
