import { describe, expect, it } from 'vitest'

import { mapV1, V1_IMPORT_AUTHOR } from './map-v1.js'
import type { V1Row, V1Snapshot, V1Table } from './v1-schema.js'
import { v1TimeToIso } from './v1-fields.js'

const NOW = '2027-01-01T00:00:00.000Z'
const T = '2026-11-30 03:20:40.037265'

type Rows = { [K in V1Table]?: Array<Partial<Record<keyof V1Row<K>, unknown>>> }

const DEFAULTS: { [K in V1Table]: V1Row<K> } = {
  agent: {
    id: 1,
    agent_id: 'pm_001',
    role: 'PM',
    level: 'PRINCIPAL',
    connection_type: 'CLIENT',
    last_seen: T,
  },
  epic: { id: 1, name: 'Auth', description: 'Login and users', created_at: T },
  feature: { id: 1, epic_id: 1, name: 'Login', description: null },
  task: {
    id: 1,
    feature_id: 1,
    title: 'Login API',
    description: 'POST /login',
    created_by_id: 1,
    target_role: 'BACKEND_DEV',
    difficulty: 'SENIOR',
    complexity: 'MINOR',
    branch: 'feat/login',
    status: 'created',
    locked_by_id: null,
    locked_at: null,
    notes: null,
    created_at: T,
    updated_at: '2026-11-30 03:29:45.502300',
  },
  document: {
    id: 1,
    doc_type: 'UPDATE',
    author_id: 'pm_001',
    title: 'Hello',
    content: 'hi @qa_001',
    meta_data: 'null',
    created_at: T,
    updated_at: T,
    expires_at: null,
  },
  mention: {
    id: 1,
    document_id: 1,
    task_id: null,
    mentioned_agent_id: 'qa_001',
    created_by: 'pm_001',
    is_read: 0,
    created_at: T,
  },
  service: {
    id: 1,
    service_name: 'web',
    owner_agent_id: 'pm_001',
    ping_url: 'http://127.0.0.1:9/',
    port: null,
    status: 'UP',
    last_heartbeat: T,
    last_ping_at: null,
    last_ping_success: null,
    meta_data: 'null',
    updated_at: T,
  },
  changelog: {
    id: 1,
    task_id: 1,
    old_status: 'pending',
    new_status: 'created',
    changed_by: 'pm_001',
    notes: null,
    changed_at: T,
  },
  taskevaluation: { id: 1, task_id: 1 },
}

/** A v1 database with one row per table (the defaults), each table replaced by the rows given. */
function makeV1(rows: Rows = {}): V1Snapshot {
  const tables = Object.keys(DEFAULTS) as V1Table[]
  return Object.fromEntries(
    tables.map((t) => [
      t,
      (rows[t] ?? (t === 'taskevaluation' ? [] : [{}])).map((r) => ({ ...DEFAULTS[t], ...r })),
    ]),
  ) as unknown as V1Snapshot
}

describe('mapV1', () => {
  it('maps every table of a sound v1 database with nothing skipped', () => {
    const plan = mapV1(makeV1(), { now: NOW })

    expect(plan.skipped).toEqual([])
    expect(
      [
        plan.agents,
        plan.epics,
        plan.features,
        plan.tasks,
        plan.documents,
        plan.mentions,
        plan.services,
        plan.changelog,
      ].map((r) => r.length),
    ).toEqual([1, 1, 1, 1, 1, 1, 1, 1])
  })

  it('lower-cases the enum names v1 stored and keeps v1 ids', () => {
    const plan = mapV1(
      makeV1({ agent: [{ id: 7, connection_type: 'MCP' }], task: [{ id: 9, created_by_id: 7 }] }),
      { now: NOW },
    )

    expect(plan.agents[0]).toMatchObject({
      id: 7,
      role: 'pm',
      level: 'principal',
      connection_type: 'mcp',
    })
    expect(plan.tasks[0]).toMatchObject({
      id: 9,
      target_role: 'backend_dev',
      difficulty: 'senior',
      complexity: 'minor',
      status: 'created',
    })
    expect(plan.documents[0]?.doc_type).toBe('update')
    expect(plan.services[0]?.status).toBe('up')
  })

  it('writes timestamps as our ISO strings and the task creator as its agent_id', () => {
    const plan = mapV1(makeV1(), { now: NOW })

    expect(plan.tasks[0]).toMatchObject({
      created_by: 'pm_001',
      created_at: '2026-11-30T03:20:40.037Z',
      updated_at: '2026-11-30T03:29:45.502Z',
    })
    expect(plan.agents[0]).toMatchObject({
      last_seen: '2026-11-30T03:20:40.037Z',
      created_at: '2026-11-30T03:20:40.037Z',
    })
    expect(plan.features[0]).toMatchObject({
      created_at: '2026-11-30T03:20:40.037Z',
      description: '',
    })
  })

  it('stores v1 JSON null as SQL NULL and keeps other JSON text', () => {
    const plan = mapV1(
      makeV1({ document: [{ id: 1 }, { id: 2, meta_data: '{"priority": "low"}' }] }),
      { now: NOW },
    )

    expect(plan.documents.map((d) => d.meta_data)).toEqual([null, '{"priority": "low"}'])
  })

  it('drops a v1 lock and writes a changelog row saying whose it was', () => {
    const plan = mapV1(
      makeV1({
        agent: [{ id: 1 }, { id: 5, agent_id: 'be_s', role: 'BACKEND_DEV' }],
        task: [{ locked_by_id: 5, locked_at: T }],
      }),
      { now: NOW },
    )

    expect(plan.tasks[0]).toMatchObject({
      locked_by: null,
      locked_at: null,
      lease_expires_at: null,
    })
    expect(plan.lockNotes).toEqual([
      {
        task_id: 1,
        old_status: 'created',
        new_status: 'created',
        changed_by: V1_IMPORT_AUTHOR,
        notes: 'v1 lock by be_s dropped on import',
        changed_at: NOW,
      },
    ])
    expect(plan.notes).toContain('task 1: v1 lock by be_s dropped on import')
  })

  it('keeps an under_work task under_work and remembers the status it was claimed from', () => {
    const plan = mapV1(
      makeV1({
        task: [{ status: 'under_work', locked_by_id: 1 }],
        changelog: [
          {
            id: 1,
            old_status: 'created',
            new_status: 'under_work',
            changed_at: '2026-11-30 03:00:00',
          },
          {
            id: 2,
            old_status: 'under_work',
            new_status: 'dev_done',
            changed_at: '2026-11-30 03:10:00',
          },
          {
            id: 3,
            old_status: 'dev_done',
            new_status: 'under_work',
            changed_at: '2026-11-30 03:20:00',
          },
        ],
      }),
      { now: NOW },
    )

    expect(plan.tasks[0]).toMatchObject({
      status: 'under_work',
      claimed_from: 'dev_done',
      locked_by: null,
    })
    expect(plan.notes.some((n) => n.includes('stays under_work'))).toBe(true)
  })

  it('makes v1 notes the first comment of the task, by its creator', () => {
    const plan = mapV1(makeV1({ task: [{ notes: 'merged\n\nnobody_x: hi' }] }), { now: NOW })

    expect(plan.tasks[0]?.notes).toBe('merged\n\nnobody_x: hi')
    expect(plan.comments).toEqual([
      {
        task_id: 1,
        author_id: 'pm_001',
        kind: 'comment',
        body: 'merged\n\nnobody_x: hi',
        created_at: '2026-11-30T03:29:45.502Z',
      },
    ])
  })

  it('credits v1-import when the task creator is not in the v1 database', () => {
    const plan = mapV1(makeV1({ task: [{ created_by_id: 42, notes: 'x' }] }), { now: NOW })

    expect(plan.tasks[0]?.created_by).toBe(V1_IMPORT_AUTHOR)
    expect(plan.comments[0]?.author_id).toBe(V1_IMPORT_AUTHOR)
    expect(plan.notes[0]).toMatch(/task 1: its creator \(v1 agent 42\)/)
  })

  it.each<[string, Rows, V1Table, RegExp]>([
    [
      'an unknown role',
      { agent: [{ role: 'WIZARD' }] },
      'agent',
      /role "WIZARD" is not one of frontend_dev, backend_dev, fullstack_dev, qa, architect, pm/,
    ],
    [
      'an unknown difficulty',
      { task: [{ difficulty: 'GURU' }] },
      'task',
      /difficulty "GURU" is not one of junior, senior, principal/,
    ],
    [
      'a status we do not know',
      { task: [{ status: 'testing' }] },
      'task',
      /status "testing" is not one of pending, created/,
    ],
    ['a missing status', { task: [{ status: null }] }, 'task', /status is missing/],
    [
      'an unknown document type',
      { document: [{ doc_type: 'MEMO' }] },
      'document',
      /doc_type "MEMO" is not one of standup, critical_issue, service_status, update/,
    ],
    [
      'an unknown service status',
      { service: [{ status: 'ACTIVE' }] },
      'service',
      /status "ACTIVE" is not one of up, down, starting/,
    ],
    [
      'a date that does not exist',
      { epic: [{ created_at: '2026-02-30 10:00:00' }] },
      'epic',
      /created_at "2026-02-30 10:00:00" is not a date-time/,
    ],
    [
      'an agent id too long for our column',
      { agent: [{ agent_id: 'a'.repeat(101) }] },
      'agent',
      /agent_id is longer than 100 characters/,
    ],
    [
      'a changelog status we do not know',
      { changelog: [{ new_status: 'reviewing' }] },
      'changelog',
      /new_status "reviewing"/,
    ],
    [
      'a mention of nothing',
      { mention: [{ document_id: null, task_id: null }] },
      'mention',
      /names neither a document nor a task/,
    ],
    [
      'an orphan feature',
      { feature: [{ epic_id: 99 }] },
      'feature',
      /its epic 99 was not imported/,
    ],
    [
      'an orphan changelog row',
      { changelog: [{ task_id: 99 }] },
      'changelog',
      /its task 99 was not imported/,
    ],
    [
      'a legacy task evaluation',
      { taskevaluation: [{ id: 3, task_id: 1 }] },
      'taskevaluation',
      /legacy task evaluations/,
    ],
  ])('skips %s and says why', (_case, rows, table, reason) => {
    const plan = mapV1(makeV1(rows), { now: NOW })

    expect(plan.skipped[0]?.table).toBe(table)
    expect(plan.skipped[0]?.reason).toMatch(reason)
    // Anything else skipped is only what hung off that row.
    for (const other of plan.skipped.slice(1)) expect(other.reason).toMatch(/was not imported$/)
  })

  it('skips what hangs off a skipped task: its mentions and changelog', () => {
    const plan = mapV1(
      makeV1({ task: [{ difficulty: 'GURU' }], mention: [{ document_id: null, task_id: 1 }] }),
      { now: NOW },
    )

    expect(plan.skipped.map((s) => [s.table, s.reason])).toEqual([
      ['task', expect.stringMatching(/difficulty/)],
      ['mention', 'its task 1 was not imported'],
      ['changelog', 'its task 1 was not imported'],
    ])
    expect(plan.comments).toEqual([])
  })

  it('lists every problem of a row at once', () => {
    const plan = mapV1(makeV1({ agent: [{ role: 'X', level: 'Y' }] }), { now: NOW })

    expect(plan.skipped[0]?.reason).toMatch(/role "X".*; level "Y"/)
  })
})

describe('v1TimeToIso', () => {
  it.each<[unknown, string | undefined]>([
    ['2026-11-30 03:20:40.037265', '2026-11-30T03:20:40.037Z'],
    ['2026-11-30 03:20:40.999999', '2026-11-30T03:20:40.999Z'],
    ['2026-11-30 03:20:40', '2026-11-30T03:20:40.000Z'],
    ['2026-11-30T03:20:40.5', '2026-11-30T03:20:40.500Z'],
    ['2026-11-30 03:20:40.000000+02:00', '2026-11-30T01:20:40.000Z'],
    ['2026-02-30 00:00:00', undefined],
    ['yesterday', undefined],
    [1764473000, undefined],
    [null, undefined],
  ])('reads %s as %s', (value, expected) => {
    expect(v1TimeToIso(value)).toBe(expected)
  })
})
