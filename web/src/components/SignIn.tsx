import { useState } from 'react'
import type { FormEvent } from 'react'

import { createClient, errorText, isUnauthorized, REFUSED_KEY_MESSAGE } from '../api.js'
import { TEST_IDS } from '../test-ids.js'

export interface SignInProps {
  initialError: string | undefined
  onSignedIn: (key: string) => void
}

/** The key form; a key is kept only once the server accepted it. */
export function SignIn({ initialError, onSignedIn }: SignInProps) {
  const [key, setKey] = useState('')
  const [error, setError] = useState(initialError)
  const [isBusy, setIsBusy] = useState(false)

  async function submit(event: FormEvent) {
    event.preventDefault()
    const trimmed = key.trim()
    if (trimmed === '') {
      setError('Enter the API key `hpm serve` printed.')
      return
    }
    setIsBusy(true)
    setError(undefined)
    try {
      await createClient(trimmed).listAgents()
      onSignedIn(trimmed)
    } catch (caught) {
      setError(isUnauthorized(caught) ? REFUSED_KEY_MESSAGE : errorText(caught))
      setIsBusy(false)
    }
  }

  return (
    <main className="signin">
      <form
        className="signin-form"
        data-testid={TEST_IDS.signinForm}
        onSubmit={(e) => void submit(e)}
      >
        <h1>Headless PM</h1>
        <p className="muted">
          Open the link <code>hpm serve</code> printed, or paste its API key.
        </p>
        {/* Lets password managers keep the key, and stops Chrome asking for a username field. */}
        <input
          type="text"
          name="username"
          autoComplete="username"
          value="headless-pm"
          readOnly
          hidden
        />
        <label htmlFor="signin-key">API key</label>
        <input
          id="signin-key"
          data-testid={TEST_IDS.signinKey}
          type="password"
          autoComplete="current-password"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          autoFocus
        />
        {error !== undefined && (
          <p className="signin-error" role="alert" data-testid={TEST_IDS.signinError}>
            {error}
          </p>
        )}
        <button
          type="submit"
          className="primary"
          data-testid={TEST_IDS.signinSubmit}
          disabled={isBusy}
        >
          {isBusy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
