import type { HeadlessPMClient } from '../../src/client/index.js'
import type { ChangeEvent, ChangeFeedEntry, ChangeType } from '../../src/contract/index.js'
import { describeChange } from './describe-change.js'

/** One row of the activity feed, from `/changes` or from the live stream. */
export interface FeedEntry {
  id: number
  /** The finer type (`task_locked`, not v1's `task_updated`). */
  kind: ChangeType
  timestamp: string
  data: Readonly<Record<string, unknown>>
  text: string
  /** Lower-cased words and values the text filter looks in. */
  haystack: string
  /** The ids in the event (task, run, document…), for a filter word that is a number. */
  numbers: ReadonlySet<number>
}

const MINUTE_MS = 60_000
/** Tried widest first: the first that holds less than a page is shown whole. */
const WINDOWS_MS = [7 * 24 * 60, 24 * 60, 60, 5].map((m) => m * MINUTE_MS)
const PAGE_SIZE = 1000
/** Most rows kept from the first load. */
const MAX_LOADED = 5000
/**
 * `/changes` wants an agent id, and the server takes any agent id in a request as a sign of life
 * from that agent (renewing its leases); this one names no agent, so reading marks nobody alive.
 */
const READER_ID = 'dashboard'

function toEntry(
  id: number,
  kind: ChangeType,
  timestamp: string,
  data: Readonly<Record<string, unknown>>,
): FeedEntry {
  const values = Object.values(data).flatMap((v): unknown[] => (Array.isArray(v) ? v : [v]))
  const text = describeChange(kind, data)
  return {
    id,
    kind,
    timestamp,
    data,
    text,
    haystack: `${kind} ${text} ${values.join(' ')}`.toLowerCase(),
    numbers: new Set([id, ...values.filter((v): v is number => typeof v === 'number')]),
  }
}

const streamed = new WeakMap<ChangeEvent, FeedEntry>()

/** A streamed event as a row (the stream carries the finer type in `type`); one object per event. */
export function fromStream(event: ChangeEvent): FeedEntry {
  let entry = streamed.get(event)
  if (entry === undefined) {
    entry = toEntry(event.id, event.type, event.timestamp, event.data)
    streamed.set(event, entry)
  }
  return entry
}

export function fromFeed(entry: ChangeFeedEntry): FeedEntry {
  return toEntry(entry.id, entry.kind, entry.timestamp, entry.data)
}

/** Both sources as one list, newest first, each event once. */
export function mergeFeed(live: readonly ChangeEvent[], loaded: readonly FeedEntry[]): FeedEntry[] {
  const byId = new Map<number, FeedEntry>()
  for (const entry of loaded) byId.set(entry.id, entry)
  for (const event of live) byId.set(event.id, fromStream(event))
  return [...byId.values()].sort((a, b) => b.id - a.id)
}

export interface FeedFilter {
  kind?: string
  /**
   * Words that must all match: `#12` the events of task 12, a bare number any id in the event
   * (task, run, document, mention…), other words any text in it.
   */
  text?: string
}

function matchesWord(entry: FeedEntry, word: string): boolean {
  if (/^#\d+$/.test(word)) return entry.data.task_id === Number(word.slice(1))
  if (/^\d+$/.test(word)) return entry.numbers.has(Number(word))
  return entry.haystack.includes(word)
}

export function filterFeed(
  entries: readonly FeedEntry[],
  filter: FeedFilter,
): readonly FeedEntry[] {
  const words = (filter.text ?? '').toLowerCase().split(/\s+/).filter(Boolean)
  if (filter.kind === undefined && words.length === 0) return entries
  return entries.filter(
    (e) =>
      (filter.kind === undefined || e.kind === filter.kind) &&
      words.every((w) => matchesWord(e, w)),
  )
}

export interface RecentChanges {
  entries: FeedEntry[]
  /** Where the loaded part starts (ISO time). */
  since: string
}

/**
 * The latest events, newest first, in a few requests: the widest of 7 days, 1 day, 1 hour or 5
 * minutes that fits in one page; after a burst that even 5 minutes cannot hold, the pages that follow.
 */
export async function loadRecentChanges(
  client: HeadlessPMClient,
  signal: AbortSignal,
): Promise<RecentChanges> {
  let since = new Date()
  let entries: ChangeFeedEntry[] = []
  let afterId = 0
  for (const windowMs of WINDOWS_MS) {
    since = new Date(Date.now() - windowMs)
    const page = await client.listChanges(
      { since, agent_id: READER_ID, limit: PAGE_SIZE },
      { signal },
    )
    entries = page.changes
    afterId = page.last_event_id
    if (page.changes.length < PAGE_SIZE)
      return { entries: entries.map(fromFeed).reverse(), since: since.toISOString() }
  }
  for (let pages = 0; pages < MAX_LOADED / PAGE_SIZE; pages++) {
    const page = await client.listChanges(
      { after_id: afterId, agent_id: READER_ID, limit: PAGE_SIZE },
      { signal },
    )
    entries = [...entries, ...page.changes].slice(-MAX_LOADED)
    afterId = page.last_event_id
    if (page.changes.length < PAGE_SIZE) break
  }
  return {
    entries: entries.map(fromFeed).reverse(),
    since: entries[0]?.timestamp ?? since.toISOString(),
  }
}
