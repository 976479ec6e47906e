import type { AgentRole, TaskComplexity, TaskStatus } from '../contract/index.js'
import { AppError } from './app-error.js'
import { PLANNER_ROLES } from './skill.js'

/** The part of a task the status machine looks at. */
export interface TaskState {
  id: number
  status: TaskStatus
  claimedFrom: TaskStatus | null
  targetRole: AgentRole
  complexity: TaskComplexity
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

/** Statuses a task waits in, unlocked, after its developers handed it over. */
const HANDED_OVER: readonly TaskStatus[] = ['dev_done', 'qa_done', 'documentation_done']

/** Who may make a move on an unlocked task when not every agent may (docs/permissions.md). */
interface MoveRule {
  allows: (actor: Actor) => boolean
  who: string
}

function unlockedMoveRule(task: TaskState, target: TaskStatus): MoveRule | undefined {
  const planners: MoveRule = {
    allows: (a) => PLANNER_ROLES.includes(a.role),
    who: 'pm or architect agents',
  }
  if (
    (task.status === 'pending' && target === 'created') ||
    target === 'pending' ||
    task.status === 'committed'
  )
    return planners
  // The human review step: a major task that passed QA is merged by a reviewer, not by the team.
  if (target === 'committed' && task.complexity === 'major')
    return { ...planners, who: 'pm or architect agents (the review of a major task)' }
  const isSendBack =
    HANDED_OVER.includes(task.status) && (target === 'created' || target === 'dev_done')
  // A runner merging a passed minor task sends it back to its developers when the merge conflicts,
  // whatever its own role.
  if (!isSendBack || (task.status === 'qa_done' && task.complexity === 'minor')) return undefined
  return {
    allows: (a) => planners.allows(a) || a.role === task.targetRole,
    who: `pm or architect agents, or ${task.targetRole} agents (the task's role)`,
  }
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
    target === task.status &&
    task.lockedBy === null &&
    (target === 'created' || target === 'pending') &&
    PLANNER_ROLES.includes(actor.role)
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
  const rule = task.lockedBy === null ? unlockedMoveRule(task, target) : undefined
  if (rule !== undefined && !rule.allows(actor)) {
    throw new AppError(
      'forbidden',
      `only ${rule.who} may move task ${task.id} from ${task.status} to ${target}`,
    )
  }
}

/** Whether a task in `status` is held by someone working on it. */
export function isWorkingStatus(status: TaskStatus): boolean {
  return status === 'under_work'
}
