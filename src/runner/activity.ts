import type { HeadlessPMClient } from '../client/index.js'
import type { AgentActivity, TranscriptEntry } from '../contract/index.js'
import type { ClaudeEvent } from './components/index.js'
import { entryOf } from './transcript.js'

/**
 * The one way a runner tells the server what it is doing now (the dashboard's "doing now"): sends
 * go out one at a time and in order, a send queued behind another is replaced by a newer one (the
 * latest state wins), and a failed send is dropped — the next one carries the news.
 */
export class ActivityChannel {
  readonly #client: HeadlessPMClient
  readonly #agentId: string
  #inFlight: Promise<void> = Promise.resolve()
  #queued: { activity: AgentActivity | null } | undefined

  constructor(client: HeadlessPMClient, agentId: string) {
    this.#client = client
    this.#agentId = agentId
  }

  /** Resolves once this state (or a newer one) has been sent or given up on. */
  send(activity: AgentActivity | null): Promise<void> {
    const isQueued = this.#queued !== undefined
    this.#queued = { activity }
    if (isQueued) return this.#inFlight
    this.#inFlight = this.#inFlight.then(async () => {
      const next = this.#queued!
      this.#queued = undefined
      await this.#client
        .heartbeat(this.#agentId, { activity: next.activity, signal: AbortSignal.timeout(5000) })
        .catch(() => undefined)
    })
    return this.#inFlight
  }

  /** The runner's step on a task, outside Claude: `worktree`, `post_task hook`, `merging`. */
  step(taskId: number, attempt: number | null, phase: string): Promise<void> {
    return this.send({
      task_id: taskId,
      attempt,
      phase,
      tool: null,
      detail: null,
      since: new Date().toISOString(),
      recent: [],
    })
  }
}

/** How often at most the runner tells the server what Claude is doing. */
const REPORT_EVERY_MS = 2000
const RECENT = 10

/**
 * What Claude is doing while it works: each tool use, at most one send every two seconds (the
 * latest state wins). The runner's next step replaces it when Claude is done.
 */
export class ActivityReporter {
  readonly #channel: ActivityChannel
  readonly #secrets: readonly string[]
  readonly #recent: TranscriptEntry[] = []
  #activity: AgentActivity
  #timer: NodeJS.Timeout | undefined
  #lastSentAt = 0
  #isStopped = false

  constructor(options: {
    channel: ActivityChannel
    secrets: readonly string[]
    taskId: number
    attempt: number
  }) {
    this.#channel = options.channel
    this.#secrets = options.secrets
    this.#activity = {
      task_id: options.taskId,
      attempt: options.attempt,
      phase: 'claude',
      tool: null,
      detail: null,
      since: new Date().toISOString(),
      recent: [],
    }
    this.#schedule()
  }

  observe(event: ClaudeEvent): void {
    const entry = entryOf(event, this.#secrets)
    if (!entry || this.#isStopped) return
    this.#recent.push(entry)
    if (this.#recent.length > RECENT) this.#recent.shift()
    const isStep = event.type === 'tool' || event.type === 'text'
    this.#activity = {
      ...this.#activity,
      ...(isStep
        ? {
            tool: event.type === 'tool' ? event.name : null,
            detail: event.type === 'tool' ? entry.text : null,
            since: new Date().toISOString(),
          }
        : {}),
      recent: [...this.#recent],
    }
    this.#schedule()
  }

  /** No more sends about this attempt. */
  stop(): void {
    this.#isStopped = true
    clearTimeout(this.#timer)
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#isStopped) return
    const wait = Math.max(0, this.#lastSentAt + REPORT_EVERY_MS - Date.now())
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      if (this.#isStopped) return
      this.#lastSentAt = Date.now()
      void this.#channel.send(this.#activity)
    }, wait)
    this.#timer.unref()
  }
}
