import type { TranscriptEntry } from '../../../src/contract/index.js'

export interface TranscriptEntriesProps {
  entries: readonly TranscriptEntry[]
  testId?: string
}

function entryClass(entry: TranscriptEntry): string {
  return `transcript-entry transcript-${entry.kind}${entry.is_error ? ' is-error' : ''}`
}

/** What Claude did, in order: its text, its tool calls (`Bash: npm test`), their results, the result line and notes. */
export function TranscriptEntries({ entries, testId }: TranscriptEntriesProps) {
  return (
    <ol className="transcript" data-testid={testId}>
      {entries.map((entry, i) => (
        // Entries never move or change: the position is their identity.
        <li key={i} className={entryClass(entry)}>
          {entry.kind === 'tool' ? `${entry.name ?? 'tool'}: ${entry.text}` : entry.text}
        </li>
      ))}
    </ol>
  )
}
