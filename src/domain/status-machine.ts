import type { AgentRole, TaskStatus } from '../contract/index.js'
import { AppError } from './app-error.js'
import { PLANNER_ROLES } from './skill.js'

/** The part of a task the status machine looks at. */
export interface TaskState {
  id: number
  status: TaskStatus
  claimedFrom: TaskStatus | null
  targetRole: AgentRole
  lockedBy: string | null
}

export interface Actor {
  agentId: string
  role: AgentRole
}

/**
 * Where a status update may move a task from each status. `under_work` is reached only by a claim
 * or lock (the compare-and-set), so it appears here only as the holder's no-op re-statement.
 */
export function allowedTargets(task: TaskState): TaskStatus[] {
  switch (task.status) {
    case 'pending':
      return ['created']
    case 'created':
    case 'approved':
    case 'evaluation':
      return ['pending', 'created'].filter((s) => s !== task.status) as TaskStatus[]
    case 'under_work':
      if (task.claimedFrom === 'dev_done') return ['under_work', 'qa_done', 'created', 'dev_done']
      if (task.targetRole === 'qa') return ['under_work', 'qa_done', 'dev_done', 'created']
      return ['under_work', 'dev_done', 'created']
    case 'dev_done':
      return ['created']
    case 'qa_done':
      return ['documentation_done', 'committed', 'created']
    case 'documentation_done':
      return ['committed', 'dev_done', 'created']
    case 'committed':
      return ['created']
  }
}

/** Moves that only a planner (pm/architect) may make on an unlocked task. */
function needsPlanner(from: TaskStatus, to: TaskStatus): boolean {
  if (from === 'pending' && to === 'created') return true
  if (to === 'pending') return true
  return from === 'committed'
}

/**
 * Checks that `actor` may move `task` to `target`; throws a 403/409 AppError naming what is allowed.
 * The lock holder (or a PM) alone changes a locked task.
 */
export function assertTransition(task: TaskState, target: TaskStatus, actor: Actor): void {
  if (task.lockedBy !== null && task.lockedBy !== actor.agentId && actor.role !== 'pm') {
    throw new AppError(
      'not_lock_holder',
      `task ${task.id} is locked by agent ${task.lockedBy}; only the lock holder or a pm may change its status`,
    )
  }
  // v1's pm prompt "promotes" a task it created straight to `created`: a planner re-stating the
  // status of a task nobody has started is a no-op, like a holder re-stating `under_work`.
  const isPlannerRestatement =
    target === task.status && task.lockedBy === null && (target === 'created' || target === 'pending') && PLANNER_ROLES.includes(actor.role)
  if (isPlannerRestatement) return
  const allowed = allowedTargets(task)
  if (!allowed.includes(target)) {
    const hint =
      target === 'under_work'
        ? `; lock it first with POST /api/v1/tasks/${task.id}/lock (or claim it)`
        : ''
    throw new AppError(
      'invalid_transition',
      `cannot move task ${task.id} from ${task.status} to ${target}; allowed: ${allowed.join(', ') || 'none'}${hint}`,
      { details: { from: task.status, to: target, allowed } },
    )
  }
  if (task.lockedBy === null && needsPlanner(task.status, target) && !PLANNER_ROLES.includes(actor.role)) {
    throw new AppError(
      'forbidden',
      `only pm or architect agents may move a task from ${task.status} to ${target}`,
    )
  }
}

/** Whether a task in `status` is held by someone working on it. */
export function isWorkingStatus(status: TaskStatus): boolean {
  return status === 'under_work'
}
