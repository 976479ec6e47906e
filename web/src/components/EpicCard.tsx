import type { EpicResponse, FeatureResponse } from '../../../src/contract/index.js'
import { countDone, countInProgress } from '../plan-progress.js'
import type { StatusCounts } from '../plan-progress.js'
import { formatHash } from '../routes.js'
import { FLOW_STATUSES, STATUS_LABELS } from '../task-filters.js'
import { TEST_IDS } from '../test-ids.js'

export interface EpicCardProps {
  epic: EpicResponse
  features: readonly FeatureResponse[]
  counts: StatusCounts | undefined
  featureCounts: ReadonlyMap<number, StatusCounts>
}

function StatusChips({ counts }: { counts: StatusCounts | undefined }) {
  if (counts === undefined || counts.total === 0) return null
  return (
    <span className="status-chips">
      {FLOW_STATUSES.map((s) => {
        const n = counts.byStatus[s] ?? 0
        return n === 0 ? null : (
          <span key={s} className={`badge status-chip status-${s}`}>
            {STATUS_LABELS[s]} {n}
          </span>
        )
      })}
    </span>
  )
}

/** One epic: how far along it is, and each feature's tasks by status (a link to them on the board). */
export function EpicCard({ epic, features, counts, featureCounts }: EpicCardProps) {
  const total = counts?.total ?? 0
  const done = countDone(counts)
  const inProgress = countInProgress(counts)
  const headingId = `epic-${epic.id}-heading`
  return (
    <article className="epic-card" data-testid={TEST_IDS.epic(epic.id)} aria-labelledby={headingId}>
      <h2 id={headingId}>
        <a href={formatHash({ page: 'board', params: { epic: String(epic.id) } })}>{epic.name}</a>
      </h2>
      {epic.description.trim() !== '' && <p className="epic-description">{epic.description}</p>}
      <div
        className="progress"
        role="progressbar"
        aria-label={`${epic.name}: tasks committed`}
        aria-valuemin={0}
        aria-valuemax={Math.max(total, 1)}
        aria-valuenow={done}
        aria-valuetext={`${done} of ${total} done`}
      >
        <span
          className="progress-done"
          style={{ width: total === 0 ? 0 : `${(done / total) * 100}%` }}
        />
        <span
          className="progress-active"
          style={{ width: total === 0 ? 0 : `${(inProgress / total) * 100}%` }}
        />
      </div>
      <p className="epic-numbers">
        <strong>
          {done}/{total}
        </strong>{' '}
        done · {inProgress} in progress
      </p>
      {features.length === 0 ? (
        <p className="muted">No features yet.</p>
      ) : (
        <ul className="feature-list">
          {features.map((feature) => {
            const fc = featureCounts.get(feature.id)
            return (
              <li
                key={feature.id}
                className="feature-row"
                data-testid={TEST_IDS.feature(feature.id)}
              >
                <a
                  href={formatHash({
                    page: 'board',
                    params: { epic: String(epic.id), feature: String(feature.id) },
                  })}
                >
                  {feature.name}
                </a>
                <span className="feature-total muted">
                  {fc?.total ?? 0} task{fc?.total === 1 ? '' : 's'}
                </span>
                <StatusChips counts={fc} />
              </li>
            )
          })}
        </ul>
      )}
    </article>
  )
}
