import type {
  AgentRole,
  ConnectionType,
  DocumentType,
  MAX_TASK_BUDGET_USD,
  ServiceStatus,
  SkillLevel,
  TaskComplexity,
  TaskStatus,
} from '../contract/index.js'

// The contract's enum values, copied so that building the command tree (help, usage errors) does
// not load zod, which costs ~0.4 s per `hpm` start. `satisfies` rejects a value the contract lacks;
// choices.test.ts fails when the contract gains one these lists miss.

export const AGENT_ROLES = [
  'frontend_dev',
  'backend_dev',
  'fullstack_dev',
  'qa',
  'architect',
  'pm',
] as const satisfies readonly AgentRole[]
export const SKILL_LEVELS = [
  'junior',
  'senior',
  'principal',
] as const satisfies readonly SkillLevel[]
export const TASK_COMPLEXITIES = ['minor', 'major'] as const satisfies readonly TaskComplexity[]
export const CONNECTION_TYPES = ['client', 'mcp'] as const satisfies readonly ConnectionType[]
export const DOCUMENT_TYPES = [
  'standup',
  'critical_issue',
  'service_status',
  'update',
] as const satisfies readonly DocumentType[]
export const SERVICE_STATUSES = [
  'up',
  'down',
  'starting',
] as const satisfies readonly ServiceStatus[]
export const TASK_STATUSES = [
  'pending',
  'created',
  'under_work',
  'dev_done',
  'qa_done',
  'documentation_done',
  'committed',
  'evaluation',
  'approved',
] as const satisfies readonly TaskStatus[]

/** Statuses a task can be moved to with `hpm tasks status` (the legacy v1 values are left out). */
export const FLOW_STATUSES = TASK_STATUSES.filter((s) => s !== 'evaluation' && s !== 'approved')

/** The most a task's `--budget-usd` may be, in US dollars (the contract's `MAX_TASK_BUDGET_USD`). */
export const MAX_BUDGET_USD = 10_000 satisfies typeof MAX_TASK_BUDGET_USD
