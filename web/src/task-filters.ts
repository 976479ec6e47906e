import type { TaskResponse, TaskStatus } from '../../src/contract/index.js'

/** The statuses of the flow, one board column each; legacy `evaluation` and `approved` have none. */
export const FLOW_STATUSES = [
  'pending',
  'created',
  'under_work',
  'dev_done',
  'qa_done',
  'documentation_done',
  'committed',
] as const satisfies readonly TaskStatus[]
export type FlowStatus = (typeof FLOW_STATUSES)[number]

export const STATUS_LABELS: Record<FlowStatus, string> = {
  pending: 'Pending',
  created: 'Created',
  under_work: 'Under work',
  dev_done: 'Dev done',
  qa_done: 'QA done',
  documentation_done: 'Docs done',
  committed: 'Committed',
}

/** The select filters, by their name in the hash query. */
export const FILTER_NAMES = [
  'epic',
  'feature',
  'role',
  'difficulty',
  'complexity',
  'agent',
] as const
export type FilterName = (typeof FILTER_NAMES)[number]

export interface TaskFilters {
  epic?: string
  feature?: string
  role?: string
  difficulty?: string
  complexity?: string
  /** An agent id (`locked_by`). */
  agent?: string
  /** Words that must all appear in the title or description, any case. */
  text?: string
}

export function filtersFromParams(params: Readonly<Record<string, string>>): TaskFilters {
  const filters: TaskFilters = {}
  for (const name of [...FILTER_NAMES, 'text'] as const) {
    const value = params[name]
    if (value !== undefined) filters[name] = value
  }
  return filters
}

export function hasFilters(filters: TaskFilters): boolean {
  return Object.keys(filters).length > 0
}

export type BoardColumns = Record<FlowStatus, TaskResponse[]>

/** Filters the tasks and sorts each column: highest priority first, then newest, so new work shows on top. */
export function buildColumns(tasks: Iterable<TaskResponse>, filters: TaskFilters): BoardColumns {
  const words = (filters.text ?? '').toLowerCase().split(/\s+/).filter(Boolean)
  const columns = Object.fromEntries(
    FLOW_STATUSES.map((s) => [s, [] as TaskResponse[]]),
  ) as BoardColumns
  for (const task of tasks) {
    const column = (columns as Partial<Record<TaskStatus, TaskResponse[]>>)[task.status]
    if (column === undefined || !matches(task, filters, words)) continue
    column.push(task)
  }
  for (const column of Object.values(columns))
    column.sort((a, b) => b.priority - a.priority || b.id - a.id)
  return columns
}

function matches(task: TaskResponse, f: TaskFilters, words: readonly string[]): boolean {
  if (f.epic !== undefined && String(task.epic_id) !== f.epic) return false
  if (f.feature !== undefined && String(task.feature_id) !== f.feature) return false
  if (f.role !== undefined && task.target_role !== f.role) return false
  if (f.difficulty !== undefined && task.difficulty !== f.difficulty) return false
  if (f.complexity !== undefined && task.complexity !== f.complexity) return false
  if (f.agent !== undefined && task.locked_by !== f.agent) return false
  if (words.length === 0) return true
  const haystack = searchText(task)
  return words.every((w) => haystack.includes(w) || `#${task.id}` === w)
}

/** Lower-cased title and description per task object: typing in the search does not redo 5,000 of them. */
const searchTexts = new WeakMap<TaskResponse, string>()

function searchText(task: TaskResponse): string {
  let text = searchTexts.get(task)
  if (text === undefined) {
    text = `${task.title}\n${task.description}`.toLowerCase()
    searchTexts.set(task, text)
  }
  return text
}
