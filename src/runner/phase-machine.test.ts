import { describe, expect, it } from 'vitest'

import { TASK_PHASES } from './components/index.js'
import type { TaskPhase } from './components/index.js'
import { nextStep } from './phase-machine.js'
import type { StepAction, StepEvent, StepState } from './phase-machine.js'

const state = (phase: TaskPhase, overrides: Partial<StepState> = {}): StepState => ({
  phase,
  hasUnrecordedAttempt: false,
  isMergeDue: false,
  failuresInARow: 1,
  maxAttempts: 3,
  ...overrides,
})

const RESUME: StepEvent = { kind: 'resume' }
const INTERRUPT: StepEvent = { kind: 'interrupted' }
const LEASE_LOST: StepEvent = { kind: 'lease_lost' }
const REPORTED: StepEvent = { kind: 'reported_by_agent' }
const FAILED: StepEvent = { kind: 'failed', isEnvironment: false, isBudgetSpent: false }
const BUDGET_SPENT: StepEvent = { kind: 'failed', isEnvironment: false, isBudgetSpent: true }
const ENVIRONMENT: StepEvent = { kind: 'failed', isEnvironment: true, isBudgetSpent: false }

// Every phase × every event: [resume (also: restart after a crash), interrupt, lease lost,
// reported by the agent, failure, failure with the budget spent, Claude cannot run].
const TABLE: Record<
  TaskPhase,
  [StepAction, StepAction, StepAction, StepAction, StepAction, StepAction, StepAction]
> = {
  claimed: [
    'prepare_worktree',
    'stop',
    'drop',
    'run_post_task',
    'ask_operator',
    'drop',
    'give_back',
  ],
  worktree_ready: [
    'run_pre_task',
    'stop',
    'drop',
    'run_post_task',
    'ask_operator',
    'drop',
    'give_back',
  ],
  pre_task_done: [
    'run_attempt',
    'stop',
    'drop',
    'run_post_task',
    'ask_operator',
    'drop',
    'give_back',
  ],
  running: ['run_attempt', 'stop', 'drop', 'run_post_task', 'retry_attempt', 'drop', 'give_back'],
  agent_finished: [
    'run_attempt',
    'stop',
    'drop',
    'run_post_task',
    'retry_attempt',
    'drop',
    'give_back',
  ],
  reported: [
    'run_post_task',
    'stop',
    'run_post_task',
    'run_post_task',
    'ask_operator',
    'drop',
    'give_back',
  ],
  post_task_done: ['clean_up', 'stop', 'clean_up', 'clean_up', 'ask_operator', 'drop', 'give_back'],
  merging: ['clean_up', 'stop', 'clean_up', 'clean_up', 'ask_operator', 'drop', 'give_back'],
  done: ['clean_up', 'stop', 'clean_up', 'clean_up', 'ask_operator', 'drop', 'give_back'],
}
const EVENTS = [RESUME, INTERRUPT, LEASE_LOST, REPORTED, FAILED, BUDGET_SPENT, ENVIRONMENT] as const

describe('nextStep', () => {
  it('has a row for every phase', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...TASK_PHASES].sort())
  })

  for (const phase of TASK_PHASES) {
    it.each(
      EVENTS.map(
        (event, i) =>
          [
            event.kind === 'failed'
              ? `${event.kind}${event.isBudgetSpent ? ' (budget spent)' : ''}${event.isEnvironment ? ' (environment)' : ''}`
              : event.kind,
            event,
            TABLE[phase][i],
          ] as const,
      ),
    )(`in phase ${phase}, on %s, does the table's action`, (_name, event, expected) => {
      expect(nextStep(state(phase), event)).toBe(expected)
    })
  }

  it('records an attempt the runner died during before running another', () => {
    expect(nextStep(state('running', { hasUnrecordedAttempt: true }), RESUME)).toBe(
      'record_cut_off_attempt',
    )
  })

  it('judges a finished run nobody recorded instead of paying for another', () => {
    expect(nextStep(state('agent_finished', { hasUnrecordedAttempt: true }), RESUME)).toBe(
      'judge_finished_run',
    )
  })

  it("asks the operator at once when retrying cannot help (the task's money budget is spent)", () => {
    expect(nextStep(state('agent_finished'), { ...FAILED, isFinal: true })).toBe('ask_operator')
  })

  it('asks the operator once HEADLESS_PM_MAX_ATTEMPTS attempts failed in a row', () => {
    expect(nextStep(state('agent_finished', { failuresInARow: 3 }), FAILED)).toBe('ask_operator')
  })

  it('merges a passed minor review after post_task, and again after a crash mid-merge', () => {
    expect(nextStep(state('post_task_done', { isMergeDue: true }), RESUME)).toBe('merge')
    expect(nextStep(state('merging', { isMergeDue: true }), RESUME)).toBe('merge')
  })

  it('never judges an interrupted run, whatever the phase', () => {
    for (const phase of TASK_PHASES)
      expect(nextStep(state(phase, { hasUnrecordedAttempt: true }), INTERRUPT)).toBe('stop')
  })
})
