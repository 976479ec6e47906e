import { useEffect } from 'react'

import { useDashboard, useSession } from '../hooks/use-session.js'
import { TEST_IDS } from '../test-ids.js'

const INFO_TOAST_MS = 4000

/** The latest message. Errors stay until dismissed (they carry the server's reason); notes fade. */
export function ToastView() {
  const { store } = useSession()
  const toast = useDashboard((s) => s.toast)

  useEffect(() => {
    if (toast?.kind !== 'info') return
    const timer = setTimeout(
      () => store.setState((s) => (s.toast?.id === toast.id ? { ...s, toast: undefined } : s)),
      INFO_TOAST_MS,
    )
    return () => clearTimeout(timer)
  }, [store, toast])

  if (toast === undefined) return null
  return (
    <div
      className="toast"
      data-testid={TEST_IDS.toast}
      data-kind={toast.kind}
      role={toast.kind === 'error' ? 'alert' : 'status'}
    >
      <span className="toast-text">{toast.text}</span>
      <button
        type="button"
        className="icon-button"
        aria-label="Dismiss"
        onClick={() => store.setState((s) => ({ ...s, toast: undefined }))}
      >
        ×
      </button>
    </div>
  )
}
