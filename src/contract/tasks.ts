import { z } from 'zod'

import { AgentId, Id, QueryBool, Timestamp } from './common.js'
import type { ClientInput } from './common.js'
import { AgentRole, SkillLevel, TaskComplexity, TaskStatus } from './enums.js'

const Title = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
const Description = z.string().max(50_000, 'must be at most 50000 characters')
const Branch = z.string().max(200, 'must be at most 200 characters')
const Priority = z.number().int('must be an integer').min(-1000).max(1000)

/** The most one task may be given to spend, in US dollars. */
export const MAX_TASK_BUDGET_USD = 10_000

/** A task's own money budget in US dollars: more than 0, at most {@link MAX_TASK_BUDGET_USD}. */
export const BudgetUsd = z
  .number({ error: 'must be a number of US dollars' })
  .gt(0, 'must be more than 0')
  .max(MAX_TASK_BUDGET_USD, `must be at most ${MAX_TASK_BUDGET_USD}`)

/** The git branch a task's dev work lives on (set by the dev runner). */
export const WorkBranch = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[^\s\x00-\x1f\x7f]+$/, 'must be a git branch name (no spaces or control characters)')

/** A git commit id: 7 to 64 hexadecimal characters (abbreviated SHA-1 up to a full SHA-256). */
export const WorkCommit = z
  .string()
  .regex(/^[0-9a-fA-F]{7,64}$/, 'must be a git commit id: 7 to 64 hex characters')

/** The v1 TaskResponse plus priority, lease and attempt fields. */
export const TaskResponse = z.object({
  id: z.number().int(),
  feature_id: z.number().int(),
  epic_id: z.number().int(),
  title: z.string(),
  description: z.string(),
  created_by: z.string(),
  target_role: AgentRole,
  difficulty: SkillLevel,
  complexity: TaskComplexity,
  branch: z.string(),
  status: TaskStatus,
  locked_by: z.string().nullable(),
  locked_at: Timestamp.nullable(),
  /** The v1 notes field: every status note and comment, oldest first; never overwritten. */
  notes: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
  task_type: z.literal('regular'),
  poll_interval: z.null(),
  priority: z.number().int(),
  lease_expires_at: Timestamp.nullable(),
  /** The status the holder claimed the task from; a lapsed lease or unlock returns it there. */
  claimed_from: TaskStatus.nullable(),
  attempts: z.number().int(),
  /** Runner attempts judged `failed` since creation or the last approval (`HPM_TASK_MAX_FAILURES`). */
  failures: z.number().int(),
  /** The git branch the dev work lives on; null until a dev runner reports it. */
  work_branch: z.string().nullable(),
  /** The exact commit dev handed to QA (or QA reviewed); cleared when a dev starts a new round. */
  work_commit: z.string().nullable(),
  /** The task's own money budget in US dollars; null means the runner's `HEADLESS_PM_TASK_BUDGET_USD`. */
  budget_usd: z.number().nullable(),
})
export type TaskResponse = z.infer<typeof TaskResponse>

export const TaskComment = z.object({
  id: z.number().int(),
  task_id: z.number().int(),
  author_id: z.string(),
  kind: z.enum(['comment', 'status_note']),
  body: z.string(),
  created_at: Timestamp,
})
export type TaskComment = z.infer<typeof TaskComment>

export const TaskDetailResponse = TaskResponse.extend({ comments: z.array(TaskComment) })
export type TaskDetailResponse = z.infer<typeof TaskDetailResponse>

export const CreateTaskRequest = z.object({
  feature_id: z.number({ error: 'must be an integer' }).int('must be an integer'),
  title: Title,
  description: Description,
  target_role: AgentRole,
  difficulty: SkillLevel,
  complexity: TaskComplexity.default('major'),
  branch: Branch,
  priority: Priority.default(0),
  /** US dollars the runners may spend on this task in all, over every attempt; absent or null = the runner's default. */
  budget_usd: BudgetUsd.nullish(),
})
export type CreateTaskRequest = z.input<typeof CreateTaskRequest>

export const UpdateTaskRequest = z
  .object({
    title: Title,
    description: Description,
    target_role: AgentRole,
    difficulty: SkillLevel,
    complexity: TaskComplexity,
    branch: Branch,
    priority: Priority,
    feature_id: z.number().int(),
    /** Lock holder or pm while the task is locked; pm or architect otherwise. `null` clears it. */
    work_branch: WorkBranch.nullable(),
    /** Lock holder or pm while the task is locked; pm or architect otherwise. `null` clears it. */
    work_commit: WorkCommit.nullable(),
    /** Pm or architect, or the task's creator, like the other plan fields. `null` clears it. */
    budget_usd: BudgetUsd.nullable(),
  })
  .partial()
  .strict()
export type UpdateTaskRequest = z.infer<typeof UpdateTaskRequest>

/** The most tasks one page of `GET /tasks` holds. */
export const MAX_TASKS_PAGE = 1000

export const ListTasksQuery = z.object({
  status: TaskStatus.optional(),
  role: AgentRole.optional(),
  feature_id: Id.optional(),
  epic_id: Id.optional(),
  locked_by: AgentId.optional(),
  /** Tasks whose work lives on this branch (the runner's check that a branch is not shared). */
  work_branch: WorkBranch.optional().describe('tasks whose work lives on this git branch'),
  /** A page of at most this many (newest first); the `x-next-cursor` header then names the next page. Without it: every task, as v1. */
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_TASKS_PAGE, `must be at most ${MAX_TASKS_PAGE}`)
    .optional()
    .describe(
      `a page of at most this many tasks, newest first (1..${MAX_TASKS_PAGE}); the x-next-cursor header names the next page. Without it: every task, as v1`,
    ),
  /** The `x-next-cursor` of the previous page. */
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be the x-next-cursor value of the previous page')
    .optional()
    .describe('the x-next-cursor header of the previous page'),
})
export type ListTasksQuery = z.infer<typeof ListTasksQuery>
export type ListTasksQueryInput = ClientInput<typeof ListTasksQuery>

/** Wait at most this long in a long-poll; a longer `timeout` is clamped. */
export const MAX_WAIT_SECONDS = 600

const WaitSeconds = z.coerce
  .number({ error: 'must be a number of seconds' })
  .min(0, 'must not be negative')
  .max(MAX_WAIT_SECONDS, `must be at most ${MAX_WAIT_SECONDS}`)

/** `GET /tasks/next`: role and level are checked by the handler so their absence is a friendly 400. */
export const NextTaskQuery = z.object({
  role: AgentRole.optional(),
  level: SkillLevel.optional(),
  /** Answer at once without waiting. */
  simulate: QueryBool.default(false),
  /** Seconds to wait for a task (long-poll); server default 180, at most 600. */
  timeout: WaitSeconds.optional(),
  /** The caller's agent id: a task it already holds is returned first. */
  agent_id: AgentId.optional(),
})
export type NextTaskQueryInput = ClientInput<typeof NextTaskQuery>

export const ClaimTaskRequest = z.object({
  agent_id: AgentId,
  /** Seconds to wait for a task; 0 = answer at once. Default 180. */
  timeout: WaitSeconds.optional(),
})
// Not z.input: the coerced `timeout` would read as unknown there, and callers send a number.
export type ClaimTaskRequest = ClientInput<typeof ClaimTaskRequest>

/** `POST /tasks/claim` answer: the claimed (or already held) task, or null when the wait ended without one. */
export const ClaimTaskResponse = TaskResponse.nullable()
export type ClaimTaskResponse = z.infer<typeof ClaimTaskResponse>

export const StatusUpdateRequest = z.object({
  status: TaskStatus,
  notes: z.string().max(50_000).nullish(),
  /** Stored with the status change, in the same statement; `null` clears it, absent keeps it. */
  work_branch: WorkBranch.nullish(),
  /** The commit handed over (dev → `dev_done`) or reviewed (QA); `null` clears it, absent keeps it. */
  work_commit: WorkCommit.nullish(),
})
export type StatusUpdateRequest = z.input<typeof StatusUpdateRequest>

export const TaskStatusUpdateResponse = z.object({
  task: TaskResponse,
  next_task: TaskResponse.nullable(),
  workflow_status: z.enum(['continue', 'no_tasks']),
  task_completed: z.number().int(),
  auto_continue: z.boolean(),
  continuation_prompt: z.string(),
  session_momentum: z.enum(['high', 'low']),
})
export type TaskStatusUpdateResponse = z.infer<typeof TaskStatusUpdateResponse>

export const CommentRequest = z.object({
  comment: z.string().trim().min(1, 'must not be empty').max(50_000),
})
export type CommentRequest = z.infer<typeof CommentRequest>

export const UnlockRequest = z.object({ notes: z.string().max(50_000).nullish() }).default({})
export type UnlockRequest = z.input<typeof UnlockRequest>

export const TaskIdParams = z.object({ task_id: Id })
