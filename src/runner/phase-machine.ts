import type { TaskPhase } from './components/index.js'

/** What the driver knows when it asks for the next step (all of it from the lock file or the server). */
export interface StepState {
  phase: TaskPhase
  /** The lock file names a launched attempt that no run record tells of (the runner died during it). */
  hasUnrecordedAttempt: boolean
  /** Review of a passed `minor` task that the server shows at `qa_done`: the merge is due. */
  isMergeDue: boolean
  /** Failed attempts in a row in this process (reset by an operator's retry). */
  failuresInARow: number
  maxAttempts: number
}

/** What just happened: the outcome of the last step, or a (re)start from the lock file. */
export type StepEvent =
  /** Carry on from the phase in the lock file: a start, a restart after a crash, or a step that succeeded. */
  | { kind: 'resume' }
  /** SIGINT/SIGTERM. */
  | { kind: 'interrupted' }
  /** The server no longer gives the task to this agent. */
  | { kind: 'lease_lost' }
  /** The agent reported through `hpm` itself (its word is taken, whatever Claude's exit). */
  | { kind: 'reported_by_agent' }
  /**
   * The step failed. `isEnvironment`: not the task's fault (Claude cannot run here).
   * `isFinal`: trying again cannot help (the task's money budget is spent): no retry at once.
   */
  | { kind: 'failed'; isEnvironment: boolean; isBudgetSpent: boolean; isFinal?: boolean }

/** The one thing to do next; the effectful code in task-work.ts / task-tail.ts does it. */
export type StepAction =
  | 'prepare_worktree'
  | 'run_pre_task'
  | 'record_cut_off_attempt'
  | 'run_attempt'
  | 'judge_finished_run'
  | 'run_post_task'
  | 'merge'
  | 'clean_up'
  /** Stop now; the lock file stays at its phase so the next start resumes. */
  | 'stop'
  /** The task is no longer ours: leave its branch alone, remove the worktree and the lock file. */
  | 'drop'
  /** Claude cannot run here: give the task back at once and stop claiming. */
  | 'give_back'
  | 'retry_attempt'
  /** Retry / release / quit: the operator (or the `--on-stuck` policy) decides. */
  | 'ask_operator'

const TAIL_PHASES: readonly TaskPhase[] = ['reported', 'post_task_done', 'merging', 'done']

/** Whether the work is reported: from here on only the tail is left, and the task is not ours to lose. */
export function isReportedPhase(phase: TaskPhase): boolean {
  return TAIL_PHASES.includes(phase)
}

/**
 * The runner's phase machine (pure): the next action for a task from its phase and what just
 * happened. Phases advance only through effects that write the lock file; this decides, nothing
 * more. An interrupt is never judged as a finished run; a task that is reported is not lost.
 */
export function nextStep(state: StepState, event: StepEvent): StepAction {
  const { phase } = state
  switch (event.kind) {
    case 'interrupted':
      return 'stop'
    case 'lease_lost':
      return isReportedPhase(phase) ? resume(state) : 'drop'
    case 'reported_by_agent':
      return isReportedPhase(phase) ? resume(state) : 'run_post_task'
    case 'failed':
      if (event.isEnvironment) return 'give_back'
      if (event.isBudgetSpent) return 'drop'
      if ((phase === 'running' || phase === 'agent_finished') && !event.isFinal) {
        return state.failuresInARow < state.maxAttempts ? 'retry_attempt' : 'ask_operator'
      }
      // A failed worktree or pre_task hook, or a tail step: a person (or the policy) decides.
      return 'ask_operator'
    case 'resume':
      return resume(state)
  }
}

function resume(state: StepState): StepAction {
  switch (state.phase) {
    case 'claimed':
      return 'prepare_worktree'
    case 'worktree_ready':
      return 'run_pre_task'
    case 'pre_task_done':
      return 'run_attempt'
    case 'running':
      return state.hasUnrecordedAttempt ? 'record_cut_off_attempt' : 'run_attempt'
    case 'agent_finished':
      // Recorded already (judged and failed): the next attempt. Unrecorded: judge that run first.
      return state.hasUnrecordedAttempt ? 'judge_finished_run' : 'run_attempt'
    case 'reported':
      return 'run_post_task'
    case 'post_task_done':
    case 'merging':
      return state.isMergeDue ? 'merge' : 'clean_up'
    case 'done':
      return 'clean_up'
  }
}
