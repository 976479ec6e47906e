import { useContext } from 'react'

import type { DashboardState } from '../dashboard-state.js'
import { SessionContext } from '../session.js'
import type { Session } from '../session.js'
import { useStoreSelector } from '../store.js'

export function useSession(): Session {
  const session = useContext(SessionContext)
  if (session === undefined)
    throw new Error('useSession needs a SessionContext provider (sign in first)')
  return session
}

/** A slice of the live data; `select` must return a stored reference, not a new object. */
export function useDashboard<T>(select: (state: DashboardState) => T): T {
  return useStoreSelector(useSession().store, select)
}
