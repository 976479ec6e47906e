import { AGENT_ROLES, SKILL_LEVELS, TASK_COMPLEXITIES } from '../../../src/contract/index.js'
import { sortAgents } from '../dashboard-state.js'
import { humanize } from '../format.js'
import { useDashboard } from '../hooks/use-session.js'
import { navigate, useRoute, withParams } from '../routes.js'
import { FILTER_NAMES, hasFilters } from '../task-filters.js'
import type { FilterName, TaskFilters } from '../task-filters.js'
import { TEST_IDS } from '../test-ids.js'

export interface BoardFiltersProps {
  filters: TaskFilters
  shownCount: number
  totalCount: number
}

interface Option {
  value: string
  label: string
}

/** The board's filters live in the hash query, so a filtered board can be bookmarked or shared. */
export function BoardFilters({ filters, shownCount, totalCount }: BoardFiltersProps) {
  const route = useRoute()
  const epics = useDashboard((s) => s.epics)
  const features = useDashboard((s) => s.features)
  const agents = useDashboard((s) => s.agents)

  const options: Record<FilterName, { label: string; options: Option[] }> = {
    epic: { label: 'Epic', options: epics.map((e) => ({ value: String(e.id), label: e.name })) },
    feature: {
      label: 'Feature',
      options: features
        .filter((f) => filters.epic === undefined || String(f.epic_id) === filters.epic)
        .map((f) => ({ value: String(f.id), label: f.name })),
    },
    role: { label: 'Role', options: AGENT_ROLES.map((r) => ({ value: r, label: humanize(r) })) },
    difficulty: { label: 'Difficulty', options: SKILL_LEVELS.map((l) => ({ value: l, label: l })) },
    complexity: {
      label: 'Complexity',
      options: TASK_COMPLEXITIES.map((c) => ({ value: c, label: c })),
    },
    agent: {
      label: 'Agent',
      options: sortAgents(agents ?? []).map((a) => ({ value: a.agent_id, label: a.agent_id })),
    },
  }

  function setFilter(name: FilterName | 'text', value: string) {
    const changes: Record<string, string | undefined> = { [name]: value }
    // A feature of another epic would hide every task.
    if (name === 'epic') changes.feature = undefined
    navigate(withParams(route, changes), { isReplace: true })
  }

  function clearFilters() {
    const cleared = Object.fromEntries([...FILTER_NAMES, 'text'].map((n) => [n, undefined]))
    navigate(withParams(route, cleared), { isReplace: true })
  }

  return (
    <div className="filters" role="search">
      <input
        type="search"
        className="filter-text"
        data-testid={TEST_IDS.filterText}
        aria-label="Search titles and descriptions"
        placeholder="Search  ( / )"
        value={filters.text ?? ''}
        onChange={(e) => setFilter('text', e.target.value)}
      />
      <div className="filter-selects">
        {FILTER_NAMES.map((name) => {
          const current = filters[name]
          const choices = options[name].options
          // A value from a bookmark that no longer exists is still shown, so it can be seen and cleared.
          const isMissing = current !== undefined && !choices.some((o) => o.value === current)
          return (
            <select
              key={name}
              data-testid={TEST_IDS.filter(name)}
              aria-label={options[name].label}
              value={current ?? ''}
              onChange={(e) => setFilter(name, e.target.value)}
            >
              <option value="">{`${options[name].label}: all`}</option>
              {isMissing && <option value={current}>{current}</option>}
              {choices.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          )
        })}
      </div>
      <span className="filter-count" aria-live="polite">
        {shownCount === totalCount ? `${totalCount} tasks` : `${shownCount} of ${totalCount} tasks`}
      </span>
      {hasFilters(filters) ? (
        <button type="button" onClick={clearFilters}>
          Clear filters
        </button>
      ) : null}
    </div>
  )
}
