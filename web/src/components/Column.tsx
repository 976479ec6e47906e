import { useVirtualizer } from '@tanstack/react-virtual'
import { memo, useEffect, useRef, useState } from 'react'
import type { DragEvent } from 'react'

import type { RunSummary, TaskResponse } from '../../../src/contract/index.js'
import { STATUS_LABELS } from '../task-filters.js'
import type { FlowStatus } from '../task-filters.js'
import { TEST_IDS } from '../test-ids.js'
import { Card, TASK_DRAG_TYPE } from './Card.js'
import type { CardNavigation } from './Card.js'

/** A first guess at a card's height with its gap, px; each card is measured once rendered. */
const ESTIMATED_CARD_PX = 118

export interface ColumnHandle {
  scrollToIndex: (index: number) => void
}

export interface ColumnProps {
  status: FlowStatus
  tasks: readonly TaskResponse[]
  summaries: ReadonlyMap<number, RunSummary>
  handles: Map<FlowStatus, ColumnHandle>
  onOpen: (taskId: number) => void
  onMove: (taskId: number, status: FlowStatus, isKeyboard: boolean) => void
  onNavigate: (status: string, index: number, direction: CardNavigation) => void
}

/** One status: a drop target, with only the cards in view rendered (thousands stay smooth). */
export const Column = memo(function Column({
  status,
  tasks,
  summaries,
  handles,
  onOpen,
  onMove,
  onNavigate,
}: ColumnProps) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const [isDropTarget, setIsDropTarget] = useState(false)
  const virtualizer = useVirtualizer({
    count: tasks.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_CARD_PX,
    getItemKey: (index) => tasks[index]?.id ?? index,
    overscan: 6,
    // React 19 warns about flushSync inside lifecycle methods; plain re-renders are smooth enough.
    useFlushSync: false,
  })

  useEffect(() => {
    handles.set(status, {
      scrollToIndex: (index) => virtualizer.scrollToIndex(index, { align: 'auto' }),
    })
    return () => {
      handles.delete(status)
    }
  }, [handles, status, virtualizer])

  function isTaskDrag(event: DragEvent): boolean {
    return event.dataTransfer.types.includes(TASK_DRAG_TYPE)
  }

  function onDragOver(event: DragEvent) {
    if (!isTaskDrag(event)) return
    event.preventDefault()
    event.dataTransfer.dropEffect = 'move'
    if (!isDropTarget) setIsDropTarget(true)
  }

  function onDragLeave(event: DragEvent) {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setIsDropTarget(false)
  }

  function onDrop(event: DragEvent) {
    setIsDropTarget(false)
    const taskId = Number(event.dataTransfer.getData(TASK_DRAG_TYPE))
    if (!Number.isInteger(taskId) || taskId <= 0) return
    event.preventDefault()
    onMove(taskId, status, false)
  }

  const headingId = `column-heading-${status}`
  return (
    <section
      className={`column${isDropTarget ? ' drop-target' : ''}`}
      data-testid={TEST_IDS.column(status)}
      aria-labelledby={headingId}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      <h2 className="column-heading" id={headingId}>
        {STATUS_LABELS[status]} <span className="column-count">{tasks.length}</span>
      </h2>
      <div className="column-body" ref={scrollRef}>
        {tasks.length === 0 ? (
          <p className="column-empty">No tasks</p>
        ) : (
          <div className="column-list" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const task = tasks[item.index]
              if (task === undefined) return null
              return (
                <div
                  key={item.key}
                  className="column-row"
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  <Card
                    task={task}
                    summary={summaries.get(task.id)}
                    index={item.index}
                    onOpen={onOpen}
                    onMove={onMove}
                    onNavigate={onNavigate}
                  />
                </div>
              )
            })}
          </div>
        )}
      </div>
    </section>
  )
})
