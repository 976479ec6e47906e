import { describe, expect, it } from 'vitest'

import { makeTask } from '../../test/fixtures/make-task.js'

import type { TaskLockState } from './components/index.js'
import { judgeRun } from './outcome.js'
import { reconcile } from './reconcile.js'

const task = makeTask

function lock(overrides: Partial<TaskLockState> = {}): TaskLockState {
  return {
    task_id: 7,
    agent_id: 'dev_1',
    locked_at: '2026-01-01T00:00:00.000Z',
    worktree_path: '/w/task-7',
    branch_name: 'feature/task-7',
    session_id: null,
    attempt: 1,
    phase: 'running',
    ...overrides,
  }
}

describe('reconcile', () => {
  it.each([
    ['claims new work when nothing is ours', { kind: 'none' } as const, [], undefined, 'claim'],
    ['adopts a claim the lock file lacks', { kind: 'none' } as const, [task()], undefined, 'adopt'],
    [
      'adopts the server claim when the lock file is corrupt',
      { kind: 'corrupt', error: 'x' } as const,
      [task()],
      undefined,
      'adopt',
    ],
    [
      'resumes a task the server still gives us',
      { kind: 'ok', state: lock() } as const,
      [task()],
      task(),
      'resume',
    ],
    [
      'finishes a task whose report reached the server',
      { kind: 'ok', state: lock({ phase: 'reported' }) } as const,
      [],
      task({ status: 'dev_done', locked_by: null }),
      'finish',
    ],
    [
      'finishes when the agent reported before the crash',
      { kind: 'ok', state: lock() } as const,
      [],
      task({ status: 'dev_done', locked_by: null }),
      'finish',
    ],
    [
      'drops a task whose lease lapsed',
      { kind: 'ok', state: lock() } as const,
      [],
      task({ status: 'created', locked_by: null }),
      'drop',
    ],
    [
      'drops a task another agent holds',
      { kind: 'ok', state: lock() } as const,
      [],
      task({ locked_by: 'dev_2' }),
      'drop',
    ],
    ['drops a deleted task', { kind: 'ok', state: lock() } as const, [], undefined, 'drop'],
  ])('%s', (_name, local, held, localTask, action) => {
    expect(reconcile({ local, held, localTask, isQa: false }).action).toBe(action)
  })

  it('treats a QA verdict of created as reported, but a lapsed QA claim (dev_done) as lost', () => {
    const state = lock({ worktree_path: '/w/task-7-qa' })
    expect(
      reconcile({
        local: { kind: 'ok', state },
        held: [],
        localTask: task({ status: 'created', locked_by: null }),
        isQa: true,
      }).action,
    ).toBe('finish')
    expect(
      reconcile({
        local: { kind: 'ok', state },
        held: [],
        localTask: task({ status: 'dev_done', locked_by: null }),
        isQa: true,
      }).action,
    ).toBe('drop')
  })
})

describe('judgeRun', () => {
  it.each([
    ['reported by the agent', task({ status: 'dev_done', locked_by: null }), false, 0, 'reported'],
    ['work on the branch, not reported', task(), false, 2, 'report_dev_done'],
    ['nothing done', task(), false, 0, 'no_work'],
    ['QA without a verdict', task({ claimed_from: 'dev_done' }), true, 0, 'no_work'],
    ['QA passed', task({ status: 'qa_done', locked_by: null }), true, 0, 'reported'],
    ['taken by someone else', task({ locked_by: 'dev_2' }), false, 3, 'lost'],
  ])('%s', (_name, t, isQa, commitsAhead, kind) => {
    expect(judgeRun({ task: t, agentId: 'dev_1', isQa, commitsAhead }).kind).toBe(kind)
  })
})
