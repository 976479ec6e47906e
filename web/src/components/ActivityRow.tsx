import { memo } from 'react'

import type { FeedEntry } from '../activity-feed.js'
import { formatDateTime, humanize } from '../format.js'
import { TEST_IDS } from '../test-ids.js'

export interface ActivityRowProps {
  entry: FeedEntry
  onOpenTask: (taskId: number) => void
}

function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
}

/** One event: when, what kind, and what happened; a task event opens its task. */
export const ActivityRow = memo(function ActivityRow({ entry, onOpenTask }: ActivityRowProps) {
  const taskId = typeof entry.data.task_id === 'number' ? entry.data.task_id : undefined
  const family = entry.kind.split('_')[0]
  return (
    <div className="activity-row" role="listitem" data-testid={TEST_IDS.activityEvent(entry.id)}>
      <time dateTime={entry.timestamp} title={formatDateTime(entry.timestamp)}>
        {timeOfDay(entry.timestamp)}
      </time>
      <span className={`badge kind kind-${family}`}>{humanize(entry.kind)}</span>
      {taskId !== undefined && entry.kind !== 'task_deleted' ? (
        <button
          type="button"
          className="link-button activity-text"
          onClick={() => onOpenTask(taskId)}
        >
          {entry.text}
        </button>
      ) : (
        <span className="activity-text">{entry.text}</span>
      )}
    </div>
  )
})
