/**
 * The runner's building blocks (names follow the seed plan). The loop in
 * advanced-agent-runner.ts owns all state; these only do one job each and return results as values.
 */
export { ClaudeExecutor } from './claude-executor.js'
export type { ClaudeExecutorOptions, ClaudeRunInput, ClaudeRunResult } from './claude-executor.js'
export type { ClaudeOutcome } from './claude-outcome.js'
export { parseStreamLine, summarizeStream, summarizeToolInput } from './claude-stream.js'
export type {
  ClaudeEvent,
  ClaudeResultSummary,
  ParsedLine,
  StreamSummary,
  TokenUsage,
} from './claude-stream.js'
export { ensureExcluded, Git, parseWorktreeList } from './git.js'
export type { GitErrorCode, GitFailure, GitOptions, GitOutput, WorktreeEntry } from './git.js'
export type { MergeOptions, MergeResult } from './git-merge.js'
export { fetchRemote, hasRemote, pushCommit, remoteRef } from './git-remote.js'
export { GitWorktree } from './git-worktree.js'
export type { GitWorktreeOptions, ReviewWorktree, TaskWorktree } from './git-worktree.js'
export type { CommitResult, WorktreeStatus } from './worktree-ops.js'
export { HOOK_NAMES, HookRunner } from './hook-runner.js'
export type {
  HookContext,
  HookName,
  HookResult,
  HookRunnerOptions,
  HookTask,
} from './hook-runner.js'
export { ModelMapper } from './model-mapper.js'
export type { ModelMapperOptions } from './model-mapper.js'
export { agentFileKey, slug } from './slug.js'
export { spareWorktreeName } from './worktree-spare.js'
export { lockFileName, TASK_PHASES, TaskLockState, TaskPersistence } from './task-persistence.js'
export type { TaskLockRead, TaskPhase } from './task-persistence.js'
export { formatElapsed, TerminalUI } from './terminal-ui.js'
export type { OperatorChoice, TerminalUIOptions } from './terminal-ui.js'
