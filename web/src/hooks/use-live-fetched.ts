import type { LiveTopic } from '../live-topics.js'
import { useFetched } from './use-fetched.js'
import type { Fetched } from './use-fetched.js'
import { useDashboard } from './use-session.js'

/**
 * Data a page fetches for itself, fetched again when events touch its topic (one request per
 * batch of events, not per event) or when `key` (the page's filters) changes.
 */
export function useLiveFetched<T>(
  topic: LiveTopic,
  load: (signal: AbortSignal) => Promise<T>,
  key = '',
): Fetched<T> {
  const version = useDashboard((s) => s.versions[topic])
  return useFetched(`${version}\n${key}`, load)
}
