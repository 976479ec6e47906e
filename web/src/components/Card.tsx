import { memo, useRef, useState } from 'react'
import type { DragEvent, KeyboardEvent } from 'react'

import type { RunSummary, TaskResponse } from '../../../src/contract/index.js'
import { formatUsd, humanize } from '../format.js'
import type { FlowStatus } from '../task-filters.js'
import { TEST_IDS } from '../test-ids.js'
import { LeaseLeft } from './LeaseLeft.js'
import { MoveMenu } from './MoveMenu.js'

/** The drag payload type: only our cards can be dropped on a column. */
export const TASK_DRAG_TYPE = 'application/x-hpm-task'

export type CardNavigation = 'up' | 'down' | 'left' | 'right' | 'first' | 'last'

const NAV_KEYS: Record<string, CardNavigation> = {
  ArrowUp: 'up',
  ArrowDown: 'down',
  ArrowLeft: 'left',
  ArrowRight: 'right',
  Home: 'first',
  End: 'last',
}

export interface CardProps {
  task: TaskResponse
  summary: RunSummary | undefined
  index: number
  onOpen: (taskId: number) => void
  onMove: (taskId: number, status: FlowStatus, isKeyboard: boolean) => void
  onNavigate: (status: string, index: number, direction: CardNavigation) => void
}

function LockIcon() {
  return (
    <svg className="lock-icon" viewBox="0 0 16 16" width="11" height="11" aria-hidden="true">
      <path d="M4 7V5a4 4 0 0 1 8 0v2h1v8H3V7zm2 0h4V5a2 2 0 0 0-4 0z" fill="currentColor" />
    </svg>
  )
}

export const Card = memo(function Card({
  task,
  summary,
  index,
  onOpen,
  onMove,
  onNavigate,
}: CardProps) {
  const [isMenuOpen, setIsMenuOpen] = useState(false)
  const cardRef = useRef<HTMLElement>(null)

  function onDragStart(event: DragEvent) {
    event.dataTransfer.setData(TASK_DRAG_TYPE, String(task.id))
    event.dataTransfer.setData('text/plain', `#${task.id} ${task.title}`)
    event.dataTransfer.effectAllowed = 'move'
  }

  function onKeyDown(event: KeyboardEvent) {
    // Keys typed inside the move menu bubble here; the menu has handled them.
    if (event.target !== event.currentTarget || event.ctrlKey || event.metaKey || event.altKey)
      return
    const direction = NAV_KEYS[event.key]
    if (direction !== undefined) {
      event.preventDefault()
      onNavigate(task.status, index, direction)
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault()
      onOpen(task.id)
    } else if (event.key === 'm' || event.key === 'M') {
      event.preventDefault()
      setIsMenuOpen(true)
    }
  }

  return (
    <article
      ref={cardRef}
      className="card"
      data-testid={TEST_IDS.card(task.id)}
      data-status={task.status}
      tabIndex={0}
      draggable
      aria-label={`#${task.id} ${task.title}`}
      aria-keyshortcuts="Enter m"
      onDragStart={onDragStart}
      onClick={() => onOpen(task.id)}
      onKeyDown={onKeyDown}
    >
      <div className="card-top">
        <span className="card-id">#{task.id}</span>
        <span className={`badge role role-${task.target_role}`}>{humanize(task.target_role)}</span>
        <span className="badge" title="difficulty">
          {task.difficulty}
        </span>
        <span className="badge" title="complexity">
          {task.complexity}
        </span>
        <span className="badge priority" title="priority">
          P{task.priority}
        </span>
      </div>
      <h3 className="card-title">{task.title}</h3>
      <div className="card-meta">
        {task.locked_by !== null && (
          <span className="holder" title="lock holder">
            <LockIcon /> {task.locked_by}
            {task.lease_expires_at !== null && (
              <>
                {' · '}
                <LeaseLeft expiresAt={task.lease_expires_at} />
              </>
            )}
          </span>
        )}
        <span title="attempts">
          {task.attempts} {task.attempts === 1 ? 'attempt' : 'attempts'}
        </span>
        {summary !== undefined && (
          <span
            title={`${summary.runs} runs; last verdict ${summary.last_verdict ?? '-'}`}
            className={`cost verdict-${summary.last_verdict ?? 'none'}`}
          >
            {formatUsd(summary.cost_usd)}
          </span>
        )}
      </div>
      {isMenuOpen && (
        <MoveMenu
          current={task.status}
          onCancel={(isEscape) => {
            setIsMenuOpen(false)
            if (isEscape) cardRef.current?.focus()
          }}
          onPick={(status) => {
            setIsMenuOpen(false)
            onMove(task.id, status, true)
          }}
        />
      )}
    </article>
  )
})
