import { ApiError } from '../client/index.js'
import type { HeadlessPMClient } from '../client/index.js'
import type { RunnerConfig } from '../config/index.js'
import type { TaskResponse } from '../contract/index.js'
import type {
  ClaudeExecutor,
  Git,
  GitWorktree,
  HookRunner,
  ModelMapper,
  TaskLockState,
  TaskPersistence,
  TerminalUI,
} from './components/index.js'
import type { ActivityChannel } from './activity.js'
import { untilServerAnswers } from './server-calls.js'

/** Points where tests kill the runner with SIGKILL (HPM_RUNNER_FAULT) to prove recovery. */
export const FAULT_POINTS = [
  'after_claim',
  'after_lock_write',
  'during_worktree',
  'during_pre_task',
  'during_claude',
  'after_claude',
  'after_run_record',
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
  git: Git
  hooks: HookRunner
  executor: ClaudeExecutor
  models: ModelMapper
  baseBranch: string
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal
  rolePrompt: string
  mergeLockDir: string
  faultPoint: FaultPoint | undefined
  /** Values never sent to the server in a transcript or an activity: the key, secret-named env. */
  secrets: readonly string[]
  /** What the runner is doing now, for the dashboard. */
  activity: ActivityChannel
}

/** Calls the server, waiting out an outage (capped backoff) unless the runner is stopping. */
export function serverCall<T>(
  ctx: RunnerContext,
  what: string,
  call: () => Promise<T>,
): Promise<T> {
  return untilServerAnswers(call, {
    signal: ctx.signal,
    onRetry: (error, delayMs) =>
      ctx.ui.warn(
        `${what}: server unreachable (${error.message}); retrying in ${Math.round(delayMs / 1000)} s`,
      ),
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
  work: { work_branch?: string; work_commit?: string } = {},
): Promise<'ok' | 'lost'> {
  try {
    await serverCall(ctx, `reporting ${status}`, () =>
      ctx.client.updateStatus(taskId, { status, notes, ...work }, ctx.config.agentId),
    )
    return 'ok'
  } catch (error) {
    if (!(error instanceof ApiError) || ![403, 404, 409].includes(error.status)) throw error
    const task =
      error.status === 404
        ? undefined
        : await serverCall(ctx, 'reading the task', () => ctx.client.getTask(taskId))
    if (task?.status === status) return 'ok'
    ctx.ui.warn(`could not set task ${taskId} to ${status}: ${error.message}`)
    return 'lost'
  }
}

/** Comments on a task as this agent; bookkeeping: a refusal is logged, never thrown. */
export async function commentOnTask(
  ctx: RunnerContext,
  taskId: number,
  text: string,
): Promise<void> {
  try {
    await serverCall(ctx, 'commenting', () =>
      ctx.client.addComment(taskId, text, ctx.config.agentId),
    )
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    ctx.ui.warn(`could not comment on task ${taskId}: ${error.message}`)
  }
}

/** Where changes left on a branch this agent no longer holds are kept (never on the branch). */
export function leftoversRef(state: TaskLockState): string {
  return `refs/headless-pm/leftovers/task-${state.task_id}-attempt-${state.attempt}`
}

/** Kills this process where a test asked for it; a no-op otherwise. */
export function faultPoint(ctx: RunnerContext, point: FaultPoint): void {
  if (ctx.faultPoint === point) process.kill(process.pid, 'SIGKILL')
}

/** How work on one task ended, as far as the loop cares. */
export type TaskEnd =
  | 'done'
  /** The task's work is reported but the merge of a passed minor task failed: a human must look. */
  | 'merge_failed'
  | 'released'
  | 'dropped'
  | 'quit'
  | 'interrupted'
  /** Nothing about the task is at fault (Claude cannot run): the task went back, stop claiming. */
  | 'blocked'

export type TaskMode = 'work' | 'review'

/**
 * Review or work, decided once from the claim: a QA agent that claimed a developer's `dev_done`
 * task reviews it; every other claim (a dev task, a task targeted at qa) is work.
 */
export function modeOfClaim(task: TaskResponse): TaskMode {
  return task.claimed_from === 'dev_done' ? 'review' : 'work'
}

/** The mode recorded in the lock file; lock files from before it existed derive it as then. */
export function modeOf(ctx: RunnerContext, state: TaskLockState, task?: TaskResponse): TaskMode {
  if (state.mode) return state.mode
  return ctx.config.role === 'qa' && task?.target_role !== 'qa' ? 'review' : 'work'
}

/** The branch a task's work starts on when nothing else says: `feature/task-<id>`. */
export function fallbackBranch(taskId: number): string {
  return `feature/task-${taskId}`
}

/**
 * The branch a task asks for, when git accepts it as a branch name (`git check-ref-format
 * --branch`, exactly) and it is not the base branch; else `feature/task-<id>`. v1 tasks often say
 * `main`: work never happens on the base branch itself.
 */
export async function requestedBranch(ctx: RunnerContext, task: TaskResponse): Promise<string> {
  const wanted = (task.work_branch ?? task.branch).trim()
  if (wanted === '' || wanted === ctx.baseBranch) return fallbackBranch(task.id)
  const isValid = await ctx.git.isValidBranchName(ctx.config.repoDir, wanted)
  return isValid ? wanted : fallbackBranch(task.id)
}
