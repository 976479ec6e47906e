import { describe, expect, it } from 'vitest'

import type { ErrorCode, TaskStatus } from '../contract/index.js'
import { AppError } from './app-error.js'
import { allowedTargets, assertTransition, isWorkingStatus } from './status-machine.js'
import type { Actor, TaskState } from './status-machine.js'

const DEV: Actor = { agentId: 'dev_holder', role: 'backend_dev' }
const QA: Actor = { agentId: 'qa_holder', role: 'qa' }

/** A major backend task nobody holds; the default of `POST /tasks/create`. */
function makeState(overrides: Partial<TaskState> = {}): TaskState {
  return {
    id: 7,
    status: 'created',
    claimedFrom: null,
    targetRole: 'backend_dev',
    complexity: 'major',
    lockedBy: null,
    ...overrides,
  }
}

// A qa runner merging a passed minor task sends it back itself when the merge conflicts.
const MINOR_PASSED = makeState({ status: 'qa_done', complexity: 'minor' })
const FRONTEND_DONE = makeState({ status: 'dev_done', targetRole: 'frontend_dev' })
const QA_TASK_HELD = makeState({
  status: 'under_work',
  claimedFrom: 'created',
  targetRole: 'qa',
  lockedBy: QA.agentId,
})
const LEGACY_APPROVED = makeState({ status: 'approved' })
const LEGACY_EVALUATION = makeState({ status: 'evaluation' })

/** Where a case starts; `under_work_dev` is held by its dev, `under_work_qa` by its qa. */
type From =
  | 'pending'
  | 'created'
  | 'under_work_dev'
  | 'under_work_qa'
  | 'dev_done'
  | 'qa_done'
  | 'documentation_done'
  | 'committed'

/** Each starting point with its holder: the lock holder, else the agent that worked it last. */
const START: Record<From, { task: TaskState; holder: Actor }> = {
  pending: { task: makeState({ status: 'pending' }), holder: DEV },
  created: { task: makeState(), holder: DEV },
  under_work_dev: {
    task: makeState({ status: 'under_work', claimedFrom: 'created', lockedBy: DEV.agentId }),
    holder: DEV,
  },
  dev_done: { task: makeState({ status: 'dev_done' }), holder: DEV },
  under_work_qa: {
    task: makeState({ status: 'under_work', claimedFrom: 'dev_done', lockedBy: QA.agentId }),
    holder: QA,
  },
  qa_done: { task: makeState({ status: 'qa_done' }), holder: QA },
  documentation_done: { task: makeState({ status: 'documentation_done' }), holder: QA },
  committed: { task: makeState({ status: 'committed' }), holder: QA },
}

/** Who asks: the holder, another dev of the task's role, a pm, an architect, another qa. */
type Who = 'holder' | 'dev' | 'pm' | 'architect' | 'qa'

const PM: Actor = { agentId: 'pm_001', role: 'pm' }
const OTHERS: Record<Exclude<Who, 'holder'>, Actor> = {
  dev: { agentId: 'dev_other', role: 'backend_dev' },
  pm: PM,
  architect: { agentId: 'architect_001', role: 'architect' },
  qa: { agentId: 'qa_other', role: 'qa' },
}

type Outcome = 'ok' | ErrorCode
const INVALID = 'invalid_transition'
const PLANNERS_ONLY = 'forbidden'
const NOT_HOLDER = 'not_lock_holder'

const table: Array<[From, TaskStatus, Who, Outcome]> = [
  // pending: only planners approve it.
  ['pending', 'created', 'pm', 'ok'],
  ['pending', 'created', 'architect', 'ok'],
  ['pending', 'created', 'holder', PLANNERS_ONLY],
  ['pending', 'created', 'qa', PLANNERS_ONLY],
  ['pending', 'under_work', 'pm', INVALID],
  ['pending', 'dev_done', 'pm', INVALID],
  ['pending', 'committed', 'pm', INVALID],
  // A planner re-stating the status is a no-op (v1's pm prompt "promotes" tasks it created).
  ['pending', 'pending', 'pm', 'ok'],
  ['pending', 'pending', 'holder', INVALID],
  // created: back to pending by planners; work starts only by lock/claim.
  ['created', 'pending', 'pm', 'ok'],
  ['created', 'pending', 'architect', 'ok'],
  ['created', 'pending', 'dev', PLANNERS_ONLY],
  ['created', 'under_work', 'dev', INVALID],
  ['created', 'dev_done', 'dev', INVALID],
  ['created', 'qa_done', 'pm', INVALID],
  ['created', 'committed', 'pm', INVALID],
  ['created', 'created', 'pm', 'ok'],
  ['created', 'created', 'architect', 'ok'],
  ['created', 'created', 'dev', INVALID],
  // under_work held by a dev.
  ['under_work_dev', 'dev_done', 'holder', 'ok'],
  ['under_work_dev', 'created', 'holder', 'ok'],
  ['under_work_dev', 'under_work', 'holder', 'ok'],
  ['under_work_dev', 'dev_done', 'pm', 'ok'],
  ['under_work_dev', 'dev_done', 'dev', NOT_HOLDER],
  ['under_work_dev', 'dev_done', 'architect', NOT_HOLDER],
  ['under_work_dev', 'created', 'qa', NOT_HOLDER],
  ['under_work_dev', 'qa_done', 'holder', INVALID],
  ['under_work_dev', 'committed', 'holder', INVALID],
  ['under_work_dev', 'pending', 'holder', INVALID],
  ['under_work_dev', 'documentation_done', 'pm', INVALID],
  // dev_done: QA must lock it to test it; a planner or a dev of the task's role may send it back for rework.
  ['dev_done', 'created', 'dev', 'ok'],
  ['dev_done', 'created', 'pm', 'ok'],
  ['dev_done', 'created', 'qa', PLANNERS_ONLY],
  ['dev_done', 'qa_done', 'qa', INVALID],
  ['dev_done', 'under_work', 'qa', INVALID],
  ['dev_done', 'committed', 'pm', INVALID],
  ['dev_done', 'dev_done', 'holder', INVALID],
  // under_work held by a qa (claimed from dev_done).
  ['under_work_qa', 'qa_done', 'holder', 'ok'],
  ['under_work_qa', 'created', 'holder', 'ok'],
  ['under_work_qa', 'dev_done', 'holder', 'ok'],
  ['under_work_qa', 'under_work', 'holder', 'ok'],
  ['under_work_qa', 'qa_done', 'qa', NOT_HOLDER],
  ['under_work_qa', 'qa_done', 'pm', 'ok'],
  ['under_work_qa', 'committed', 'holder', INVALID],
  // qa_done: documentation, commit or rework. These tasks are major: a planner reviews and commits them.
  ['qa_done', 'documentation_done', 'holder', 'ok'],
  ['qa_done', 'committed', 'pm', 'ok'],
  ['qa_done', 'committed', 'architect', 'ok'],
  ['qa_done', 'committed', 'holder', PLANNERS_ONLY],
  ['qa_done', 'committed', 'dev', PLANNERS_ONLY],
  ['qa_done', 'created', 'pm', 'ok'],
  ['qa_done', 'dev_done', 'pm', INVALID],
  ['qa_done', 'under_work', 'pm', INVALID],
  ['qa_done', 'pending', 'pm', INVALID],
  // documentation_done.
  ['documentation_done', 'committed', 'pm', 'ok'],
  ['documentation_done', 'committed', 'dev', PLANNERS_ONLY],
  ['documentation_done', 'dev_done', 'dev', 'ok'],
  ['documentation_done', 'created', 'pm', 'ok'],
  ['documentation_done', 'qa_done', 'pm', INVALID],
  // committed: only a planner reopens it.
  ['committed', 'created', 'pm', 'ok'],
  ['committed', 'created', 'architect', 'ok'],
  ['committed', 'created', 'dev', PLANNERS_ONLY],
  ['committed', 'dev_done', 'pm', INVALID],
  ['committed', 'qa_done', 'pm', INVALID],
  // Legacy statuses are never a target.
  ['created', 'approved', 'pm', INVALID],
  ['qa_done', 'evaluation', 'pm', INVALID],
]

/** The AppError `assertTransition` throws, or undefined when it allows the move. */
function refusal(task: TaskState, target: TaskStatus, actor: Actor): AppError | undefined {
  try {
    assertTransition(task, target, actor)
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  return undefined
}

describe('assertTransition', () => {
  it.each(table)(
    'answers the move from %s to %s by the %s with %s',
    (from, target, who, outcome) => {
      const { task, holder } = START[from]
      const actor = who === 'holder' ? holder : OTHERS[who]

      const error = refusal(task, target, actor)

      expect(error?.code ?? 'ok').toBe(outcome)
    },
  )

  it.each<[string, TaskState, TaskStatus, Actor, Outcome]>([
    ['a qa commits a passed minor task', MINOR_PASSED, 'committed', QA, 'ok'],
    ['a qa runner sends a passed minor task back', MINOR_PASSED, 'created', QA, 'ok'],
    ['a qa sends a passed major task back', START.qa_done.task, 'created', QA, PLANNERS_ONLY],
    ['a dev of the role sends a passed major task back', START.qa_done.task, 'created', DEV, 'ok'],
    ['a dev of another role sends work back', FRONTEND_DONE, 'created', DEV, PLANNERS_ONLY],
    ['the holder of a task targeted at qa reports qa_done', QA_TASK_HELD, 'qa_done', QA, 'ok'],
    ['a dev holding its task reports qa_done', START.under_work_dev.task, 'qa_done', DEV, INVALID],
    ['a pm moves legacy approved to created', LEGACY_APPROVED, 'created', PM, 'ok'],
    ['a pm moves legacy approved to dev_done', LEGACY_APPROVED, 'dev_done', PM, INVALID],
    ['a pm moves legacy evaluation to pending', LEGACY_EVALUATION, 'pending', PM, 'ok'],
  ])('answers %s with %s', (_case, task, target, actor, outcome) => {
    const error = refusal(task, target, actor)

    expect(error?.code ?? 'ok').toBe(outcome)
  })

  it('names the move and every allowed target when the move is not in the flow', () => {
    const error = refusal(makeState(), 'dev_done', DEV)

    expect(error?.message).toBe('cannot move task 7 from created to dev_done; allowed: pending')
    expect(error?.details).toEqual({ from: 'created', to: 'dev_done', allowed: ['pending'] })
  })

  it('names lock as the way in when asked for under_work', () => {
    const error = refusal(makeState(), 'under_work', DEV)

    expect(error?.message).toContain('; lock it first with POST /api/v1/tasks/7/lock (or claim it)')
  })

  it('names the holder when another agent changes a locked task', () => {
    const error = refusal(START.under_work_dev.task, 'dev_done', OTHERS.dev)

    expect(error?.message).toBe(
      'task 7 is locked by agent dev_holder; only the lock holder or a pm may change its status',
    )
  })

  it('names the planners and the review when a non-planner commits a major task', () => {
    const error = refusal(START.qa_done.task, 'committed', QA)

    expect(error?.message).toBe(
      'only pm or architect agents (the review of a major task) may move task 7 from qa_done to committed',
    )
  })

  it("names the task's role when another role sends handed-over work back", () => {
    const error = refusal(START.dev_done.task, 'created', QA)

    expect(error?.message).toBe(
      "only pm or architect agents, or backend_dev agents (the task's role) may move task 7 from dev_done to created",
    )
  })
})

describe('allowedTargets', () => {
  it('offers a qa holder its verdicts first when it claimed the task from dev_done', () => {
    expect(allowedTargets(START.under_work_qa.task)).toEqual([
      'under_work',
      'qa_done',
      'created',
      'dev_done',
    ])
  })

  it('offers dev_done to the holder of a task targeted at qa', () => {
    expect(allowedTargets(QA_TASK_HELD)).toEqual(['under_work', 'qa_done', 'dev_done', 'created'])
  })
})

describe('isWorkingStatus', () => {
  it.each<[TaskStatus, boolean]>([
    ['under_work', true],
    ['created', false],
    ['dev_done', false],
    ['qa_done', false],
  ])('answers %s: %s', (status, working) => {
    expect(isWorkingStatus(status)).toBe(working)
  })
})
