import type { TaskResponse, TaskStatus } from '../../src/contract/index.js'

/** Statuses between a claim and the merge; as the server counts an epic's `in_progress_task_count`. */
export const IN_PROGRESS_STATUSES: readonly TaskStatus[] = [
  'under_work',
  'dev_done',
  'qa_done',
  'documentation_done',
]

export interface StatusCounts {
  total: number
  byStatus: Partial<Record<TaskStatus, number>>
}

export interface PlanProgress {
  byEpic: ReadonlyMap<number, StatusCounts>
  byFeature: ReadonlyMap<number, StatusCounts>
}

/** Task counts per epic and per feature, by status, from the live task list. */
export function countPlan(tasks: Iterable<TaskResponse>): PlanProgress {
  const byEpic = new Map<number, StatusCounts>()
  const byFeature = new Map<number, StatusCounts>()
  for (const task of tasks) {
    add(byEpic, task.epic_id, task.status)
    add(byFeature, task.feature_id, task.status)
  }
  return { byEpic, byFeature }
}

function add(map: Map<number, StatusCounts>, id: number, status: TaskStatus): void {
  let counts = map.get(id)
  if (counts === undefined) {
    counts = { total: 0, byStatus: {} }
    map.set(id, counts)
  }
  counts.total += 1
  counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1
}

export function countDone(counts: StatusCounts | undefined): number {
  return counts?.byStatus.committed ?? 0
}

export function countInProgress(counts: StatusCounts | undefined): number {
  return IN_PROGRESS_STATUSES.reduce((n, s) => n + (counts?.byStatus[s] ?? 0), 0)
}
