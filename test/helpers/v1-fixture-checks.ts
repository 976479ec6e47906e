import type SQLite from 'better-sqlite3'
import { expect } from 'vitest'

/**
 * What importing the v1 fixture (test/fixtures/v1-database) must leave in our tables, whatever the
 * source (SQLite or MySQL): lower-cased enums, notes as the first comment, v1 locks dropped with a
 * changelog note.
 */
export function expectFixtureImported(db: SQLite.Database): void {
  expect(
    db
      .prepare(
        'select status, difficulty, target_role, complexity, created_by, created_at from tasks where id = 2',
      )
      .get(),
  ).toEqual({
    status: 'dev_done',
    difficulty: 'junior',
    target_role: 'frontend_dev',
    complexity: 'major',
    created_by: 'be_001',
    created_at: '2026-11-30T03:20:40.410Z',
  })
  expect(
    db
      .prepare(
        'select author_id, kind, body from task_comments where task_id = 1 order by id limit 1',
      )
      .get(),
  ).toEqual({
    author_id: 'pm_001',
    kind: 'comment',
    body: 'merged\n\nnobody_x: hi',
  })
  expect(
    db.prepare('select locked_by, locked_at, lease_expires_at from tasks where id = 8').get(),
  ).toEqual({ locked_by: null, locked_at: null, lease_expires_at: null })
  expect(
    db.prepare(`select notes from changelog where task_id = 8 and changed_by = 'v1-import'`).all(),
  ).toEqual([{ notes: 'v1 lock by qa_j dropped on import' }])
  expect(db.prepare('select role, level from agents where agent_id = ?').get('be_p')).toEqual({
    role: 'backend_dev',
    level: 'principal',
  })
}
