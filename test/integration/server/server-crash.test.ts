import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'

import { spawnStreaming } from '../../../src/lib/index.js'
import type { StreamingProcess } from '../../../src/lib/index.js'
import { createTestDatabase, isPgLane } from '../../helpers/pg-database.js'
import { HPM_BIN } from '../../helpers/runner-harness.js'

// `kill -9` of `hpm serve` while 50 clients write: every write the server acknowledged is there
// after a restart, and the SQLite file passes its integrity check. Runs on SQLite and, in the
// PostgreSQL lane, on PostgreSQL.

const KEY = 'crash-test-key-0123456789'
const WRITERS = 50

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function startServe(
  dataDir: string,
  databaseUrl: string,
): Promise<{ url: string; process: StreamingProcess }> {
  let banner = ''
  let found: (url: string) => void = () => undefined
  const ready = new Promise<string>((resolve) => (found = resolve))
  const child = await spawnStreaming(
    process.execPath,
    [HPM_BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--database-url', databaseUrl],
    {
      cwd: dataDir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dataDir,
        HEADLESS_PM_API_KEY: KEY,
        HPM_LOG_LEVEL: 'silent',
        HPM_SERVICE_PING_INTERVAL: '0',
      },
      timeoutMs: 120_000,
      onStderr: (chunk) => {
        banner += chunk
        const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1]
        if (url) found(url)
      },
    },
  )
  cleanups.push(async () => {
    child.kill('abort')
    await child.done
  })
  const url = await Promise.race([
    ready,
    child.done.then((r) => Promise.reject(new Error(`hpm serve exited early: ${r.stderr}`))),
  ])
  return { url, process: child }
}

async function call(
  url: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  })
  return { status: res.status, body: await res.json() }
}

describe('hpm serve killed with SIGKILL during 50 concurrent writers', () => {
  it('keeps every acknowledged write, and the database is intact', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hpm-crash-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const pg = isPgLane ? await createTestDatabase() : undefined
    if (pg) cleanups.push(pg.drop)
    const databaseUrl = pg?.url ?? `sqlite:${join(dataDir, 'headless-pm.db')}`

    const first = await startServe(dataDir, databaseUrl)
    expect(
      (
        await call(first.url, '/api/v1/register', {
          agent_id: 'pm_1',
          role: 'pm',
          level: 'principal',
        })
      ).status,
    ).toBe(200)
    const epic = await call(first.url, '/api/v1/epics?agent_id=pm_1', {
      name: 'crash',
      description: '',
    })
    const feature = await call(first.url, '/api/v1/features?agent_id=pm_1', {
      epic_id: epic.body.id,
      name: 'crash',
      description: '',
    })

    const acknowledged = new Map<number, string>()
    let isCrashed = false
    const writer = async (n: number) => {
      for (let i = 0; !isCrashed; i++) {
        const title = `writer ${n} write ${i}`
        try {
          const res = await call(first.url, '/api/v1/tasks/create?agent_id=pm_1', {
            feature_id: feature.body.id,
            title,
            description: '',
            target_role: 'backend_dev',
            difficulty: 'junior',
            branch: 'b',
          })
          if (res.status === 200) acknowledged.set(res.body.id, title)
        } catch {
          return // the server is gone: this write was never acknowledged
        }
      }
    }
    const writers = Array.from({ length: WRITERS }, (_, n) => writer(n))
    while (acknowledged.size < 500) await new Promise((resolve) => setTimeout(resolve, 20))
    process.kill(-first.process.pid, 'SIGKILL')
    isCrashed = true
    await Promise.all(writers)
    await first.process.done

    const second = await startServe(dataDir, databaseUrl)
    const stored = new Map(
      ((await call(second.url, '/api/v1/tasks')).body as Array<{ id: number; title: string }>).map(
        (t) => [t.id, t.title],
      ),
    )

    const lost = [...acknowledged].filter(([id, title]) => stored.get(id) !== title)
    expect(lost, `${lost.length} of ${acknowledged.size} acknowledged writes lost`).toEqual([])
    if (!pg) {
      second.process.kill('abort')
      await second.process.done
      const db = new Database(join(dataDir, 'headless-pm.db'), { readonly: true })
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      } finally {
        db.close()
      }
    }
  })
})
