import { pause } from '../../src/client/index.js'
import type { HeadlessPMClient } from '../../src/client/index.js'
import type { ChangeEvent, TaskDetailResponse } from '../../src/contract/index.js'
import { createClient, errorText, isUnauthorized } from './api.js'
import {
  forgetComments,
  removeTasks,
  replaceRunSummaries,
  replaceTasks,
  upsertTasks,
  withEvents,
  withToast,
} from './dashboard-state.js'
import type { ConnectionState, DashboardState } from './dashboard-state.js'
import { LIVE_TOPICS, topicsOf } from './live-topics.js'
import type { LiveTopic } from './live-topics.js'
import type { Store } from './store.js'

/** Events within this window are applied together: a burst of 50 events is one render. */
const COALESCE_MS = 150
const MIN_RETRY_MS = 1000
const MAX_RETRY_MS = 10_000
/** Above this many changed tasks one list request is cheaper than one request per task. */
const MAX_SINGLE_FETCHES = 20

export interface LiveSyncOptions {
  apiKey: string
  client: HeadlessPMClient
  store: Store<DashboardState>
  /** The server refused the key (revoked, or the server restarted with another). */
  onUnauthorized: () => void
}

/** What a batch of events asks to fetch again. */
interface PendingWork {
  isFull: boolean
  taskIds: Set<number>
  deletedIds: Set<number>
  hasRuns: boolean
  hasAgents: boolean
  hasStatus: boolean
  hasPlan: boolean
  /** Published to the store as the batch starts, so never merged back after a failed fetch. */
  events: ChangeEvent[]
  topics: Set<LiveTopic>
}

function noWork(): PendingWork {
  return {
    isFull: false,
    taskIds: new Set(),
    deletedIds: new Set(),
    hasRuns: false,
    hasAgents: false,
    hasStatus: false,
    hasPlan: false,
    events: [],
    topics: new Set(),
  }
}

/** Whether a batch needs anything fetched for the store (a document event, say, needs nothing). */
function needsFetch(work: PendingWork): boolean {
  return (
    work.isFull ||
    work.taskIds.size > 0 ||
    work.deletedIds.size > 0 ||
    work.hasRuns ||
    work.hasAgents ||
    work.hasStatus ||
    work.hasPlan
  )
}

function mergeWork(into: PendingWork, from: PendingWork): void {
  into.isFull ||= from.isFull
  for (const id of from.taskIds) into.taskIds.add(id)
  for (const id of from.deletedIds) into.deletedIds.add(id)
  into.hasRuns ||= from.hasRuns
  into.hasAgents ||= from.hasAgents
  into.hasStatus ||= from.hasStatus
  into.hasPlan ||= from.hasPlan
}

/**
 * Keeps the store in step with the server over one `/events` subscription: each (re)connection
 * loads the lists once, then every event re-fetches only what it touched. The stream is the only
 * source of updates; there is no polling.
 */
export class LiveSync {
  readonly #client: HeadlessPMClient
  readonly #streamClient: HeadlessPMClient
  readonly #store: Store<DashboardState>
  readonly #onUnauthorized: () => void
  readonly #abort = new AbortController()
  #lastEventId: number | undefined
  #pending = noWork()
  #flushTimer: ReturnType<typeof setTimeout> | undefined
  /** Flushes run one after another, so an older answer never lands after a newer one. */
  #flushes: Promise<void> = Promise.resolve()

  constructor(options: LiveSyncOptions) {
    this.#client = options.client
    this.#store = options.store
    this.#onUnauthorized = options.onUnauthorized
    // The stream client reports when the server accepted the subscription: the async iterator
    // itself only speaks when an event arrives, which may be minutes later.
    this.#streamClient = createClient(options.apiKey, async (input, init) => {
      const response = await globalThis.fetch(input, init)
      if (response.ok) this.#onOpen()
      return response
    })
  }

  start(): void {
    void this.#run()
  }

  stop(): void {
    this.#abort.abort()
    clearTimeout(this.#flushTimer)
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal
    let retryMs = MIN_RETRY_MS
    while (!signal.aborted) {
      // After a drop the indicator stays `disconnected` through the retries, instead of flickering.
      if (this.#store.getState().connection !== 'disconnected') this.#setConnection('connecting')
      try {
        for await (const event of this.#streamClient.streamEvents({
          afterId: this.#lastEventId,
          signal,
        }))
          this.#onEvent(event)
      } catch (error) {
        if (isUnauthorized(error)) {
          this.#onUnauthorized()
          return
        }
        // Anything else (server down, connection dropped, a bad frame) is retried below.
      }
      if (signal.aborted) return
      // A stream that was accepted and later dropped (a server restart) starts the backoff afresh.
      if (this.#store.getState().connection === 'live') retryMs = MIN_RETRY_MS
      this.#setConnection('disconnected')
      await pause(retryMs, signal)
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS)
    }
  }

  #onOpen(): void {
    this.#setConnection('live')
    // Events may have been missed while disconnected (or the server restarted): load everything once.
    this.#pending.isFull = true
    for (const topic of LIVE_TOPICS) this.#pending.topics.add(topic)
    this.#schedule(0)
  }

  #onEvent(event: ChangeEvent): void {
    this.#lastEventId = event.id
    const work = this.#pending
    work.events.push(event)
    for (const topic of topicsOf(event.type)) work.topics.add(topic)
    const taskId = typeof event.data.task_id === 'number' ? event.data.task_id : undefined
    switch (event.type) {
      case 'task_deleted':
        if (taskId !== undefined) work.deletedIds.add(taskId)
        work.hasStatus = true
        break
      case 'task_created':
      case 'task_updated':
      case 'task_edited':
      case 'task_locked':
      case 'task_unlocked':
      case 'task_commented':
        if (taskId !== undefined) work.taskIds.add(taskId)
        // Agents act through tasks, and each call moves their last_seen.
        work.hasAgents = true
        work.hasStatus = true
        break
      case 'run_recorded':
        // A run moves the task's failure count, and a spent budget sends it back to pending.
        if (taskId !== undefined) work.taskIds.add(taskId)
        work.hasRuns = true
        work.hasStatus = true
        break
      case 'agent_registered':
      case 'agent_deleted':
        work.hasAgents = true
        work.hasStatus = true
        break
      case 'agent_activity':
        // At most one every 2 s per working agent; the agents list carries the activity itself.
        work.hasAgents = true
        break
      case 'epic_created':
      case 'feature_created':
        work.hasPlan = true
        break
      case 'epic_deleted':
      case 'feature_deleted':
        // Deleting an epic or feature deletes its tasks without an event per task.
        work.isFull = true
        break
      default:
        // Documents, mentions and services: the pages showing them fetch them (see live-topics.ts).
        break
    }
    this.#schedule(COALESCE_MS)
  }

  #schedule(delayMs: number): void {
    if (this.#flushTimer !== undefined) {
      if (delayMs > 0) return
      clearTimeout(this.#flushTimer)
    }
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined
      const work = this.#pending
      this.#pending = noWork()
      this.#store.setState((s) => withEvents(s, work.events, work.topics))
      if (needsFetch(work)) this.#flushes = this.#flushes.then(() => this.#flush(work))
    }, delayMs)
  }

  async #flush(work: PendingWork): Promise<void> {
    if (this.#abort.signal.aborted) return
    try {
      if (work.isFull) await this.#loadAll()
      else await this.#loadChanges(work)
    } catch (error) {
      if (this.#abort.signal.aborted) return
      if (isUnauthorized(error)) {
        this.#onUnauthorized()
        return
      }
      // Kept for the next flush, which the next event (or the reconnection) starts.
      mergeWork(this.#pending, work)
      // Unreachable server: the stream drops too, and its reconnection loads everything again.
      if (this.#store.getState().connection !== 'live') return
      this.#store.setState((s) => withToast(s, 'error', `could not refresh: ${errorText(error)}`))
    }
  }

  async #loadAll(): Promise<void> {
    const c = this.#client
    const signal = this.#abort.signal
    const [tasks, agents, summaries, status, epics, features] = await Promise.all([
      c.listTasksInPages({}, { signal }),
      c.listAgents({ signal }),
      c.listRunSummaries({ signal }),
      c.getStatus({ signal }),
      c.listEpics({ signal }),
      c.listFeatures(undefined, { signal }),
    ])
    this.#store.setState((s) => ({
      ...replaceRunSummaries(replaceTasks(s, tasks), summaries),
      agents,
      attention: status.attention,
      epics,
      features,
    }))
  }

  async #loadChanges(work: PendingWork): Promise<void> {
    const c = this.#client
    const signal = this.#abort.signal
    const changedIds = [...work.taskIds].filter((id) => !work.deletedIds.has(id))
    const isBulk = changedIds.length > MAX_SINGLE_FETCHES
    const [details, allTasks, summaries, agents, status, epics, features] = await Promise.all([
      isBulk
        ? ([] as (TaskDetailResponse | undefined)[])
        : Promise.all(changedIds.map((id) => c.findTask(id, { signal }))),
      isBulk ? c.listTasksInPages({}, { signal }) : undefined,
      work.hasRuns ? c.listRunSummaries({ signal }) : undefined,
      work.hasAgents ? c.listAgents({ signal }) : undefined,
      work.hasStatus ? c.getStatus({ signal }) : undefined,
      work.hasPlan ? c.listEpics({ signal }) : undefined,
      work.hasPlan ? c.listFeatures(undefined, { signal }) : undefined,
    ])
    const found = details.filter((d): d is TaskDetailResponse => d !== undefined)
    const gone = [
      ...work.deletedIds,
      ...changedIds.filter((_, i) => !isBulk && details[i] === undefined),
    ]
    this.#store.setState((s) => {
      let next = allTasks
        ? forgetComments({ ...s, tasks: new Map(allTasks.map((t) => [t.id, t])) }, changedIds)
        : upsertTasks(s, found)
      next = removeTasks(next, gone)
      if (summaries) next = replaceRunSummaries(next, summaries)
      if (agents) next = { ...next, agents }
      if (status) next = { ...next, attention: status.attention }
      if (epics) next = { ...next, epics }
      if (features) next = { ...next, features }
      return next
    })
  }

  #setConnection(connection: ConnectionState): void {
    this.#store.setState((s) => (s.connection === connection ? s : { ...s, connection }))
  }
}
