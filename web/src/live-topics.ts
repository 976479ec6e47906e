import type { ChangeType } from '../../src/contract/index.js'

/**
 * What pages fetch for themselves rather than keep in the store (the overview's numbers, an agent's
 * recent attempts, documents, mentions, services). Each has a counter in the state that moves when events touch it, and a page
 * fetches its data again when the counter moves.
 */
export const LIVE_TOPICS = ['stats', 'runs', 'documents', 'mentions', 'services'] as const
export type LiveTopic = (typeof LIVE_TOPICS)[number]

/** The topics an event makes stale. */
export function topicsOf(type: ChangeType): LiveTopic[] {
  switch (type) {
    case 'run_recorded':
      return ['stats', 'runs']
    case 'task_created':
    case 'task_updated':
    case 'task_edited':
    case 'task_locked':
    case 'task_unlocked':
    case 'epic_created':
    case 'feature_created':
      return ['stats']
    case 'task_deleted':
    case 'epic_deleted':
    case 'feature_deleted':
      // Deleting work removes its runs and mentions with it.
      return ['stats', 'runs', 'mentions']
    case 'document_created':
      return ['documents']
    case 'document_updated':
    case 'document_deleted':
      // A mention shows its document's title.
      return ['documents', 'mentions']
    case 'mention_created':
    case 'mention_read':
      return ['mentions']
    case 'service_registered':
    case 'service_updated':
    case 'service_unregistered':
      return ['services']
    default:
      // Comments and agents: the store has them (live-sync.ts).
      return []
  }
}
