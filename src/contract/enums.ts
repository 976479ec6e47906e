import { z } from 'zod'

/** Task statuses in flow order; `evaluation` and `approved` are v1 legacy values, still accepted on reads. */
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
] as const
export const TaskStatus = z.enum(TASK_STATUSES)
export type TaskStatus = z.infer<typeof TaskStatus>

/** Agent roles. `fullstack_dev` is new: v1 shipped its prompt but rejected the role. */
export const AGENT_ROLES = [
  'frontend_dev',
  'backend_dev',
  'fullstack_dev',
  'qa',
  'architect',
  'pm',
] as const
export const AgentRole = z.enum(AGENT_ROLES)
export type AgentRole = z.infer<typeof AgentRole>

/** Skill levels, lowest first: an agent is offered tasks at its level and below. */
export const SKILL_LEVELS = ['junior', 'senior', 'principal'] as const
export const SkillLevel = z.enum(SKILL_LEVELS)
export type SkillLevel = z.infer<typeof SkillLevel>

export const TASK_COMPLEXITIES = ['minor', 'major'] as const
export const TaskComplexity = z.enum(TASK_COMPLEXITIES)
export type TaskComplexity = z.infer<typeof TaskComplexity>

export const CONNECTION_TYPES = ['client', 'mcp'] as const
export const ConnectionType = z.enum(CONNECTION_TYPES)
export type ConnectionType = z.infer<typeof ConnectionType>

export const DOCUMENT_TYPES = ['standup', 'critical_issue', 'service_status', 'update'] as const
export const DocumentType = z.enum(DOCUMENT_TYPES)
export type DocumentType = z.infer<typeof DocumentType>

export const SERVICE_STATUSES = ['up', 'down', 'starting'] as const
export const ServiceStatus = z.enum(SERVICE_STATUSES)
export type ServiceStatus = z.infer<typeof ServiceStatus>
