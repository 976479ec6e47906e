import type { ChangelogResponse } from '../../../src/contract/index.js'
import { formatDateTime, humanize } from '../format.js'
import type { Fetched } from '../hooks/use-fetched.js'
import { TEST_IDS } from '../test-ids.js'

export interface DrawerChangelogProps {
  /** Newest first, as the server sends it. */
  changelog: Fetched<ChangelogResponse[]>
}

export function DrawerChangelog({ changelog }: DrawerChangelogProps) {
  const entries = changelog.data === undefined ? undefined : [...changelog.data].reverse()
  return (
    <section className="drawer-section" aria-labelledby="drawer-changelog-heading">
      <h3 id="drawer-changelog-heading">Status changes</h3>
      <ol className="timeline" data-testid={TEST_IDS.drawerChangelog}>
        {changelog.error !== undefined && <li className="error-text">{changelog.error}</li>}
        {entries === undefined && changelog.error === undefined && (
          <li className="muted">Loading…</li>
        )}
        {entries?.length === 0 && <li className="muted">No status changes yet.</li>}
        {entries?.map((e) => (
          <li key={e.id}>
            <time dateTime={e.changed_at}>{formatDateTime(e.changed_at)}</time>
            <span>
              {e.old_status === null || e.old_status === e.new_status
                ? ''
                : `${humanize(e.old_status)} → `}
              <strong>{e.new_status === null ? '-' : humanize(e.new_status)}</strong> by{' '}
              {e.changed_by}
            </span>
            {e.notes !== null && e.notes !== '' && <p className="timeline-notes">{e.notes}</p>}
          </li>
        ))}
      </ol>
    </section>
  )
}
