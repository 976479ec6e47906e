import { SKILL_LEVELS } from '../contract/index.js'
import type { AgentRole, SkillLevel, TaskStatus } from '../contract/index.js'

/** Levels an agent may be offered, its own first, then lower ones; never higher. */
export function offeredLevels(level: SkillLevel): SkillLevel[] {
  return SKILL_LEVELS.slice(0, SKILL_LEVELS.indexOf(level) + 1).reverse()
}

/**
 * Every level in the order an agent ranks them: its own, lower ones, then higher ones. Only a QA
 * reviewing `dev_done` work is offered the higher ones (v1 gave QA every `dev_done` task).
 */
export function levelsInOfferOrder(level: SkillLevel): SkillLevel[] {
  return [...offeredLevels(level), ...SKILL_LEVELS.slice(SKILL_LEVELS.indexOf(level) + 1)]
}

export function isLevelAllowed(agentLevel: SkillLevel, taskLevel: SkillLevel): boolean {
  return SKILL_LEVELS.indexOf(taskLevel) <= SKILL_LEVELS.indexOf(agentLevel)
}

/**
 * Whether the level rule lets this agent take this task: its level or lower; a QA reviewing
 * `dev_done` work takes any level unless `qaLevelStrict` (HPM_QA_LEVEL_STRICT) says otherwise.
 */
export function mayTakeLevel(
  agent: { role: AgentRole; level: SkillLevel },
  task: { status: TaskStatus; difficulty: SkillLevel },
  qaLevelStrict: boolean,
): boolean {
  if (isLevelAllowed(agent.level, task.difficulty)) return true
  return agent.role === 'qa' && task.status === 'dev_done' && !qaLevelStrict
}

/** Statuses a dev-role agent may pick up (`approved` is v1's legacy name for `created`). */
export const DEV_PICKUP_STATUSES: readonly TaskStatus[] = ['created', 'approved']

/**
 * Whether an agent of `role` may claim a task in `status` targeted at `targetRole`:
 * dev roles take `created` tasks of their role; QA takes `dev_done` tasks of any role and
 * `created` tasks targeted at `qa`.
 */
export function canPickUp(role: AgentRole, status: TaskStatus, targetRole: AgentRole): boolean {
  if (DEV_PICKUP_STATUSES.includes(status)) return targetRole === role
  return role === 'qa' && status === 'dev_done'
}

/** The roles that may approve (`pending → created`), reopen and edit tasks. */
export const PLANNER_ROLES: readonly AgentRole[] = ['pm', 'architect']
