import { useEffect, useRef } from 'react'
import type { KeyboardEvent } from 'react'

import { FLOW_STATUSES, STATUS_LABELS } from '../task-filters.js'
import type { FlowStatus } from '../task-filters.js'

export interface MoveMenuProps {
  current: string
  onPick: (status: FlowStatus) => void
  /** `isEscape`: the person pressed Escape (focus goes back to the card), rather than leaving the menu. */
  onCancel: (isEscape: boolean) => void
}

/** "Move to…": a status per digit key (1 = pending … 7 = committed), or arrows and Enter. */
export function MoveMenu({ current, onPick, onCancel }: MoveMenuProps) {
  const listRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    listRef.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus()
  }, [])

  function onKeyDown(event: KeyboardEvent) {
    // The card and the drawer listen for these keys too; inside the menu they belong to it.
    event.stopPropagation()
    const digit = Number(event.key)
    const target = FLOW_STATUSES[digit - 1]
    if (Number.isInteger(digit) && target !== undefined) {
      event.preventDefault()
      if (target !== current) onPick(target)
      return
    }
    if (event.key === 'Escape') {
      event.preventDefault()
      onCancel(true)
      return
    }
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      const buttons = [
        ...(listRef.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? []),
      ]
      const at = buttons.indexOf(document.activeElement as HTMLButtonElement)
      const next =
        buttons[(at + (event.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length]
      next?.focus()
    }
  }

  return (
    <div
      ref={listRef}
      className="move-menu"
      role="menu"
      aria-label="Move to"
      onKeyDown={onKeyDown}
      onClick={(e) => e.stopPropagation()}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget)) onCancel(false)
      }}
    >
      <span className="move-menu-title">Move to…</span>
      {FLOW_STATUSES.map((status, i) => (
        <button
          key={status}
          type="button"
          role="menuitem"
          disabled={status === current}
          onClick={() => onPick(status)}
        >
          <kbd>{i + 1}</kbd> {STATUS_LABELS[status]}
        </button>
      ))}
    </div>
  )
}
