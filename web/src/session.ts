import { createContext } from 'react'

import type { HeadlessPMClient } from '../../src/client/index.js'
import type { DashboardState } from './dashboard-state.js'
import type { Store } from './store.js'

/** What a signed-in page works with: the keyed client and the live data. */
export interface Session {
  client: HeadlessPMClient
  store: Store<DashboardState>
}

export const SessionContext = createContext<Session | undefined>(undefined)
