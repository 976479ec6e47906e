import { useMemo } from 'react'

import type { FeatureResponse } from '../../../src/contract/index.js'
import { EpicCard } from '../components/EpicCard.js'
import { EpicForm } from '../components/EpicForm.js'
import { FeatureForm } from '../components/FeatureForm.js'
import { PendingApproval } from '../components/PendingApproval.js'
import { TaskForm } from '../components/TaskForm.js'
import { useDashboard } from '../hooks/use-session.js'
import { countPlan } from '../plan-progress.js'
import { TEST_IDS } from '../test-ids.js'

/** The plan: epics with their progress and features, the forms that add to it, and what awaits approval. */
export function Epics() {
  const tasks = useDashboard((s) => s.tasks)
  const epics = useDashboard((s) => s.epics)
  const features = useDashboard((s) => s.features)
  const progress = useMemo(() => countPlan(tasks?.values() ?? []), [tasks])
  const featuresByEpic = useMemo(() => {
    const map = new Map<number, FeatureResponse[]>()
    for (const f of features) map.set(f.epic_id, [...(map.get(f.epic_id) ?? []), f])
    return map
  }, [features])

  return (
    <section
      className="wide-page epics-page"
      data-testid={TEST_IDS.epics}
      aria-labelledby="epics-heading"
    >
      <h1 id="epics-heading">Epics</h1>
      <div className="plan-layout">
        <div className="plan-main">
          <PendingApproval />
          {tasks === undefined && <p className="muted">Loading…</p>}
          {tasks !== undefined && epics.length === 0 && (
            <p className="empty">No epics yet: create one with the form.</p>
          )}
          {[...epics].reverse().map((epic) => (
            <EpicCard
              key={epic.id}
              epic={epic}
              features={featuresByEpic.get(epic.id) ?? []}
              counts={progress.byEpic.get(epic.id)}
              featureCounts={progress.byFeature}
            />
          ))}
        </div>
        <aside className="plan-forms" aria-label="Plan new work">
          <TaskForm />
          <EpicForm />
          <FeatureForm />
        </aside>
      </div>
    </section>
  )
}
