import { useEffect, useState } from 'react'

import type { TranscriptEntry } from '../../../src/contract/index.js'
import { errorText } from '../api.js'
import { useSession } from '../hooks/use-session.js'
import { TEST_IDS } from '../test-ids.js'
import { TranscriptEntries } from './TranscriptEntries.js'

export interface DrawerTranscriptProps {
  taskId: number
  runId: number
  /** How many entries the run recorded (`transcript_entries`). */
  count: number
}

/** A run's transcript behind a toggle: fetched on first open, since most attempts are never read. */
export function DrawerTranscript({ taskId, runId, count }: DrawerTranscriptProps) {
  const { client } = useSession()
  const [isOpen, setIsOpen] = useState(false)
  const [entries, setEntries] = useState<TranscriptEntry[] | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const isLoaded = entries !== undefined

  useEffect(() => {
    // A recorded run's transcript never changes: one fetch is enough.
    if (!isOpen || isLoaded) return
    const controller = new AbortController()
    client.getTranscript(taskId, runId, { signal: controller.signal }).then(
      (transcript) => {
        setEntries(transcript.entries)
        setError(undefined)
      },
      (reason: unknown) => {
        if (!controller.signal.aborted) setError(errorText(reason))
      },
    )
    return () => controller.abort()
  }, [client, taskId, runId, isOpen, isLoaded])

  return (
    <div className="run-transcript">
      <button
        type="button"
        className="link-button"
        aria-expanded={isOpen}
        data-testid={TEST_IDS.transcriptToggle(runId)}
        onClick={() => setIsOpen((open) => !open)}
      >
        {isOpen ? '▾' : '▸'} Transcript ({count})
      </button>
      {isOpen && error !== undefined && <p className="error-text">{error}</p>}
      {isOpen && entries === undefined && error === undefined && <p className="muted">Loading…</p>}
      {isOpen && entries !== undefined && (
        <TranscriptEntries entries={entries} testId={TEST_IDS.transcript(runId)} />
      )}
    </div>
  )
}
