import { ApiError } from '../client/index.js'
import type { HeadlessPMClient } from '../client/index.js'
import type { RunnerConfig } from '../config/index.js'
import type { TaskResponse } from '../contract/index.js'
import type {
  ClaudeExecutor,
  GitWorktree,
  HookRunner,
  ModelMapper,
  TaskPersistence,
  TerminalUI,
} from './components/index.js'
import { untilServerAnswers } from './server-calls.js'

/** Points where tests kill the runner with SIGKILL (HPM_RUNNER_FAULT) to prove recovery. */
export const FAULT_POINTS = [
  'after_claim',
  'after_lock_write',
  'during_worktree',
  'during_pre_task',
  'during_claude',
  'after_claude',
  'during_post_task',
  'during_merge',
] as const
export type FaultPoint = (typeof FAULT_POINTS)[number]

/** Everything one runner uses; built once by AdvancedAgentRunner, which alone changes state. */
export interface RunnerContext {
  config: RunnerConfig
  client: HeadlessPMClient
  ui: TerminalUI
  persistence: TaskPersistence
  worktree: GitWorktree
  hooks: HookRunner
  executor: ClaudeExecutor
  models: ModelMapper
  baseBranch: string
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal
  rolePrompt: string
  mergeLockDir: string
  faultPoint: FaultPoint | undefined
}

/** Calls the server, waiting out an outage (capped backoff) unless the runner is stopping. */
export function serverCall<T>(ctx: RunnerContext, what: string, call: () => Promise<T>): Promise<T> {
  return untilServerAnswers(call, {
    signal: ctx.signal,
    onRetry: (error, delayMs) => ctx.ui.warn(`${what}: server unreachable (${error.message}); retrying in ${Math.round(delayMs / 1000)} s`),
  })
}

/**
 * Sets a task's status for this agent. A refusal (409/403) is checked against the task: when it is
 * already at `status` (a retried call that had landed) that is success; otherwise the task has moved
 * on without us and 'lost' is returned rather than thrown.
 */
export async function reportStatus(
  ctx: RunnerContext,
  taskId: number,
  status: TaskResponse['status'],
  notes: string,
): Promise<'ok' | 'lost'> {
  try {
    await serverCall(ctx, `reporting ${status}`, () => ctx.client.updateStatus(taskId, { status, notes }, ctx.config.agentId))
    return 'ok'
  } catch (error) {
    if (!(error instanceof ApiError) || ![403, 404, 409].includes(error.status)) throw error
    const task = error.status === 404 ? undefined : await serverCall(ctx, 'reading the task', () => ctx.client.getTask(taskId))
    if (task?.status === status) return 'ok'
    ctx.ui.warn(`could not set task ${taskId} to ${status}: ${error.message}`)
    return 'lost'
  }
}

/** Kills this process where a test asked for it; a no-op otherwise. */
export function faultPoint(ctx: RunnerContext, point: FaultPoint): void {
  if (ctx.faultPoint === point) process.kill(process.pid, 'SIGKILL')
}

/** A QA agent reviewing a developer's task (rather than doing a task targeted at qa). */
export function isReview(ctx: RunnerContext, task: TaskResponse): boolean {
  return ctx.config.role === 'qa' && task.target_role !== 'qa'
}

const VALID_BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*@\{|.*\.lock$|.*\/$)[A-Za-z0-9._/-]+$/

/**
 * The task's branch: `task.branch` when it names a branch of its own, else `feature/task-<id>`.
 * v1 tasks often say `main`: work never happens on the base branch itself.
 */
export function taskBranch(task: TaskResponse, baseBranch: string): string {
  const branch = task.branch.trim()
  if (branch === '' || branch === baseBranch || !VALID_BRANCH.test(branch)) return `feature/task-${task.id}`
  return branch
}
