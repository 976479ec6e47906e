import { chmodSync, copyFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

import pg from 'pg'
import { describe, expect, it, onTestFinished } from 'vitest'

import type { ImportV1Result } from '../../../src/cli/commands/db.js'
import { runHpm, tempDir } from '../../cli/run-hpm.js'
import { createTestDatabase } from '../../helpers/pg-database.js'
import { startTestServer } from '../../helpers/test-server.js'

const FIXTURE = resolve(import.meta.dirname, '../../fixtures/v1-database/headless-pm-v1.db')

async function setUp(): Promise<{
  dir: string
  url: string
  query: <R>(text: string) => Promise<R[]>
}> {
  const dir = await tempDir('hpm-import-v1-pg-')
  copyFileSync(FIXTURE, join(dir, 'v1.db'))
  chmodSync(join(dir, 'v1.db'), 0o644)
  const database = await createTestDatabase()
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  onTestFinished(async () => {
    await client.end()
    await database.drop()
  })
  return {
    dir,
    url: database.url,
    query: async <R>(text: string) => (await client.query(text)).rows as R[],
  }
}

function importV1(dir: string, url: string) {
  return runHpm(['db', 'import-v1', 'v1.db', '--database-url', url, '--json'], {
    cwd: dir,
    env: { HOME: dir, HPM_LOG_LEVEL: 'silent' },
  })
}

async function counts(query: <R>(text: string) => Promise<R[]>): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of [
    'agents',
    'epics',
    'features',
    'tasks',
    'task_comments',
    'documents',
    'mentions',
    'services',
    'changelog',
  ]) {
    out[table] = Number((await query<{ n: string }>(`select count(*) as n from ${table}`))[0]?.n)
  }
  return out
}

describe('hpm db import-v1 into PostgreSQL', () => {
  it('imports the v1 fixture once, keeps its ids, and moves the sequences past them', async () => {
    const { dir, url, query } = await setUp()

    const first = await importV1(dir, url)
    const second = await importV1(dir, url)

    expect(first.code, first.stderr).toBe(0)
    expect(await counts(query)).toEqual({
      agents: 8,
      epics: 2,
      features: 2,
      tasks: 7,
      task_comments: 3,
      documents: 7,
      mentions: 8,
      services: 1,
      changelog: 41,
    })
    expect(second.code, second.stderr).toBe(0)
    for (const t of second.json<ImportV1Result>().tables) expect(t.imported, t.from).toBe(0)
    expect(await query('select id, title, status, difficulty from tasks where id = 10')).toEqual([
      { id: 10, title: 'second', status: 'pending', difficulty: 'junior' },
    ])
    // A server on the imported database makes new rows after v1's largest ids, not on top of them.
    const server = await startTestServer({ databaseUrl: url })
    onTestFinished(() => server.close())
    const task = await server.api('/api/v1/tasks/create?agent_id=pm_001', {
      method: 'POST',
      body: {
        feature_id: 2,
        title: 'after import',
        description: '',
        target_role: 'backend_dev',
        difficulty: 'junior',
        branch: 'b/after',
      },
    })
    expect(task.status, JSON.stringify(task.body)).toBe(200)
    expect(task.body.id).toBe(11)
    const changelogIds = await query<{ id: number }>(`select id from changelog where task_id = 11`)
    expect(changelogIds[0]?.id).toBeGreaterThan(50)
  })

  it('writes nothing when a write fails half-way', async () => {
    const { dir, url, query } = await setUp()
    await runHpm(['db', 'migrate', '--database-url', url], {
      cwd: dir,
      env: { HOME: dir, HPM_LOG_LEVEL: 'silent' },
    })
    await query(
      `create function refuse() returns trigger language plpgsql as $$ begin raise exception 'mentions are refused'; end $$`,
    )
    await query(
      `create trigger no_mentions before insert on mentions for each row execute function refuse()`,
    )

    const run = await importV1(dir, url)

    expect(run.code).toBe(1)
    expect(run.stderr).toContain('mentions are refused')
    expect(await counts(query)).toEqual({
      agents: 0,
      epics: 0,
      features: 0,
      tasks: 0,
      task_comments: 0,
      documents: 0,
      mentions: 0,
      services: 0,
      changelog: 0,
    })
  })
})
