/** Pure rules: status machine, skill matching, mention parsing, the AppError type. No I/O. */
export { AppError } from './app-error.js'
export type { AppErrorOptions } from './app-error.js'
export { budgetSpentComment, failureBudget } from './failure-budget.js'
export type { BudgetSpentNotice } from './failure-budget.js'
export { extractMentions, mentionedRole } from './mentions.js'
export {
  canPickUp,
  DEV_PICKUP_STATUSES,
  isLevelAllowed,
  levelsInOfferOrder,
  mayTakeLevel,
  offeredLevels,
  PLANNER_ROLES,
} from './skill.js'
export { allowedTargets, assertTransition, isWorkingStatus } from './status-machine.js'
export type { Actor, TaskState } from './status-machine.js'
