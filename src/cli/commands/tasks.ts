import type { HeadlessPMClient } from '../../client/index.js'
import type {
  AgentRole,
  MessageResponse,
  RunResponse,
  SkillLevel,
  TaskComplexity,
  TaskDetailResponse,
  TaskResponse,
  TaskStatus,
  TaskStatusUpdateResponse,
  UpdateTaskRequest,
} from '../../contract/index.js'
import { UsageError } from '../exit-codes.js'

export interface CreateTaskOptions {
  featureId: number
  title: string
  description?: string
  targetRole: AgentRole
  difficulty: SkillLevel
  complexity: TaskComplexity
  branch?: string
  priority: number
  agentId: string
}

/** `hpm tasks create`: `created` when a pm/architect creates it, otherwise `pending` until one approves it. */
export function createTask(client: HeadlessPMClient, options: CreateTaskOptions): Promise<TaskResponse> {
  return client.createTask(
    {
      feature_id: options.featureId,
      title: options.title,
      description: options.description ?? '',
      target_role: options.targetRole,
      difficulty: options.difficulty,
      complexity: options.complexity,
      branch: options.branch ?? '',
      priority: options.priority,
    },
    options.agentId,
  )
}

export interface ListTasksOptions {
  status?: TaskStatus
  role?: AgentRole
  featureId?: number
  epicId?: number
  lockedBy?: string
}

/** `hpm tasks list` with filters. */
export function listTasks(client: HeadlessPMClient, options: ListTasksOptions): Promise<TaskResponse[]> {
  return client.listTasks({
    status: options.status,
    role: options.role,
    feature_id: options.featureId,
    epic_id: options.epicId,
    locked_by: options.lockedBy,
  })
}

/** `hpm tasks get <id>`: the task with its comments. */
export function getTask(client: HeadlessPMClient, options: { taskId: number }): Promise<TaskDetailResponse> {
  return client.getTask(options.taskId)
}

export interface NextTaskOptions {
  role: AgentRole
  level: SkillLevel
  agentId?: string
  timeout?: number
  simulate?: boolean
}

/** `hpm tasks next`: waits for the next task this role and level may take (does not claim it). */
export function nextTask(client: HeadlessPMClient, options: NextTaskOptions): Promise<TaskResponse | null> {
  return client.nextTask({
    role: options.role,
    level: options.level,
    agent_id: options.agentId,
    timeout: options.timeout,
    simulate: options.simulate ? true : undefined,
  })
}

/** `hpm tasks claim`: waits for a task and claims it in one step (or returns the one already held). */
export function claimTask(client: HeadlessPMClient, options: { agentId: string; timeout?: number }): Promise<TaskResponse | null> {
  return client.claimTask({ agent_id: options.agentId, timeout: options.timeout })
}

/** `hpm tasks lock <id>`: claims that task (moves it to under_work). */
export function lockTask(client: HeadlessPMClient, options: { taskId: number; agentId: string }): Promise<TaskResponse> {
  return client.lockTask(options.taskId, options.agentId)
}

/** `hpm tasks unlock <id>`: gives the task back to the status it was claimed from. */
export function unlockTask(client: HeadlessPMClient, options: { taskId: number; agentId: string; notes?: string }): Promise<TaskResponse> {
  return client.unlockTask(options.taskId, options.agentId, options.notes)
}

export interface UpdateStatusOptions {
  taskId: number
  status: TaskStatus
  agentId: string
  notes?: string
}

/** `hpm tasks status <id>`: moves the task along the flow; the answer offers the next task. */
export function updateStatus(client: HeadlessPMClient, options: UpdateStatusOptions): Promise<TaskStatusUpdateResponse> {
  const notes = options.notes?.trim() ? options.notes : undefined
  return client.updateStatus(options.taskId, { status: options.status, notes }, options.agentId)
}

export interface UpdateTaskOptions {
  taskId: number
  agentId: string
  title?: string
  description?: string
  targetRole?: AgentRole
  difficulty?: SkillLevel
  complexity?: TaskComplexity
  branch?: string
  priority?: number
  featureId?: number
}

/** `hpm tasks update <id>`: edits fields (pm/architect or the creator). At least one field. */
export function updateTask(client: HeadlessPMClient, options: UpdateTaskOptions): Promise<TaskResponse> {
  const patch: UpdateTaskRequest = {}
  if (options.title !== undefined) patch.title = options.title
  if (options.description !== undefined) patch.description = options.description
  if (options.targetRole !== undefined) patch.target_role = options.targetRole
  if (options.difficulty !== undefined) patch.difficulty = options.difficulty
  if (options.complexity !== undefined) patch.complexity = options.complexity
  if (options.branch !== undefined) patch.branch = options.branch
  if (options.priority !== undefined) patch.priority = options.priority
  if (options.featureId !== undefined) patch.feature_id = options.featureId
  if (Object.keys(patch).length === 0) {
    throw new UsageError(
      'nothing to update: give at least one of --title, --description, --target-role, --difficulty, --complexity, --branch, --priority, --feature-id',
    )
  }
  return client.updateTask(options.taskId, patch, options.agentId)
}

/** `hpm tasks comment <id>`: `@agent_id` or `@role` in the text notifies them. */
export function addComment(client: HeadlessPMClient, options: { taskId: number; comment: string; agentId: string }): Promise<MessageResponse> {
  return client.addComment(options.taskId, options.comment, options.agentId)
}

/** `hpm tasks delete <id>`: pm only. */
export function deleteTask(client: HeadlessPMClient, options: { taskId: number; agentId: string }): Promise<MessageResponse> {
  return client.deleteTask(options.taskId, options.agentId)
}

/** `hpm runs <task_id>`: the runner's attempts at a task. */
export function listRuns(client: HeadlessPMClient, options: { taskId: number }): Promise<RunResponse[]> {
  return client.listRuns(options.taskId)
}
