import { useCallback, useEffect, useState } from 'react'

import { createClient, errorText, isUnauthorized, REFUSED_KEY_MESSAGE } from '../api.js'
import { findStoredKey, forgetKey, storeKey } from '../api-key.js'
import { Dashboard } from './Dashboard.js'
import { SignIn } from './SignIn.js'

type Auth =
  | { phase: 'checking'; key: string }
  | { phase: 'signed-out'; error?: string }
  | { phase: 'signed-in'; key: string }

export interface AppProps {
  /** The key from the `#key=` link `hpm serve` prints, if the page was opened with one. */
  fragmentKey: string | undefined
}

export function App({ fragmentKey }: AppProps) {
  const [auth, setAuth] = useState<Auth>(() => {
    if (fragmentKey !== undefined) return { phase: 'checking', key: fragmentKey }
    const stored = findStoredKey()
    return stored === undefined ? { phase: 'signed-out' } : { phase: 'signed-in', key: stored }
  })

  const checkingKey = auth.phase === 'checking' ? auth.key : undefined
  useEffect(() => {
    if (checkingKey === undefined) return
    const controller = new AbortController()
    createClient(checkingKey)
      .listAgents({ signal: controller.signal })
      .then(
        () => {
          storeKey(checkingKey)
          setAuth({ phase: 'signed-in', key: checkingKey })
        },
        (error: unknown) => {
          if (controller.signal.aborted) return
          if (isUnauthorized(error)) {
            setAuth({ phase: 'signed-out', error: REFUSED_KEY_MESSAGE })
            return
          }
          setAuth({ phase: 'signed-out', error: errorText(error) })
        },
      )
    return () => controller.abort()
  }, [checkingKey])

  const signIn = useCallback((key: string) => {
    storeKey(key)
    setAuth({ phase: 'signed-in', key })
  }, [])

  const signOut = useCallback(() => {
    forgetKey()
    setAuth({ phase: 'signed-out' })
  }, [])

  const onUnauthorized = useCallback(() => {
    forgetKey()
    setAuth({ phase: 'signed-out', error: REFUSED_KEY_MESSAGE })
  }, [])

  if (auth.phase === 'checking') return <p className="splash">Checking the key…</p>
  if (auth.phase === 'signed-out') return <SignIn initialError={auth.error} onSignedIn={signIn} />
  return (
    <Dashboard
      key={auth.key}
      apiKey={auth.key}
      onSignOut={signOut}
      onUnauthorized={onUnauthorized}
    />
  )
}
