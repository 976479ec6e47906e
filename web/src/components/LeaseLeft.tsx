import { formatDuration } from '../format.js'
import { useNow } from '../hooks/use-now.js'

export interface LeaseLeftProps {
  expiresAt: string
}

/** A countdown to a lock's lease end; its own component so the clock re-renders only this text. */
export function LeaseLeft({ expiresAt }: LeaseLeftProps) {
  const now = useNow(1000)
  const leftMs = Date.parse(expiresAt) - now
  if (leftMs <= 0) return <span className="lease lapsed">lease lapsed</span>
  return (
    <span className="lease" title={`lease ends ${new Date(expiresAt).toLocaleString()}`}>
      {formatDuration(leftMs)} left
    </span>
  )
}
