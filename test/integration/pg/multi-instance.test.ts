import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createTestDatabase } from '../../helpers/pg-database.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

// Several server instances on one PostgreSQL database, as behind a load balancer.
// The fallback re-check is set far beyond every wait here, so only LISTEN/NOTIFY can wake a waiter
// on another instance in time.
const ENV = { HPM_EVENT_RECHECK_MS: '600000' }

async function seed(server: TestServer): Promise<number> {
  await server.api('/api/v1/register', {
    method: 'POST',
    body: { agent_id: 'pm_1', role: 'pm', level: 'principal' },
  })
  const epic = await server.api('/api/v1/epics?agent_id=pm_1', {
    method: 'POST',
    body: { name: 'E', description: '' },
  })
  const feature = await server.api('/api/v1/features?agent_id=pm_1', {
    method: 'POST',
    body: { epic_id: epic.body.id, name: 'F', description: '' },
  })
  return feature.body.id as number
}

function createTask(server: TestServer, featureId: number, title: string) {
  return server.api('/api/v1/tasks/create?agent_id=pm_1', {
    method: 'POST',
    body: {
      feature_id: featureId,
      title,
      description: '',
      target_role: 'backend_dev',
      difficulty: 'junior',
      branch: `b/${title}`,
    },
  })
}

describe('several instances on one PostgreSQL database', () => {
  let drop: () => Promise<void>
  let servers: TestServer[] = []
  let featureId: number

  beforeAll(async () => {
    const database = await createTestDatabase()
    drop = database.drop
    servers = []
    for (let i = 0; i < 3; i++)
      servers.push(await startTestServer({ databaseUrl: database.url, env: ENV }))
    featureId = await seed(servers[0]!)
  })

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
    await drop()
  })

  it('hands each of 1000 tasks to exactly one of 100 claimers spread over three instances', async () => {
    const titles = Array.from({ length: 1000 }, (_, i) => `bulk-${i}`)
    for (let i = 0; i < titles.length; i += 50) {
      await Promise.all(
        titles.slice(i, i + 50).map((t, j) => createTask(servers[(i + j) % 3]!, featureId, t)),
      )
    }
    const claimers = Array.from({ length: 100 }, (_, i) => ({
      id: `bulk_dev_${i}`,
      server: servers[i % 3]!,
    }))
    for (const c of claimers) {
      await c.server.api('/api/v1/register', {
        method: 'POST',
        body: { agent_id: c.id, role: 'backend_dev', level: 'senior' },
      })
    }

    const claimedBy = new Map<number, string[]>()
    await Promise.all(
      claimers.map(async (c) => {
        for (;;) {
          const res = await c.server.api('/api/v1/tasks/claim', {
            method: 'POST',
            body: { agent_id: c.id, timeout: 0 },
          })
          expect(res.status).toBe(200)
          if (res.body === null || res.body === undefined) return
          const id = res.body.id as number
          claimedBy.set(id, [...(claimedBy.get(id) ?? []), c.id])
          const done = await c.server.api(`/api/v1/tasks/${id}/status?agent_id=${c.id}`, {
            method: 'PUT',
            body: { status: 'dev_done' },
          })
          expect(done.status).toBe(200)
        }
      }),
    )

    const bulk = (await servers[1]!.api('/api/v1/tasks?status=dev_done')).body.filter(
      (t: { title: string }) => t.title.startsWith('bulk-'),
    )
    expect(bulk).toHaveLength(1000)
    expect(claimedBy.size).toBe(1000)
    expect([...claimedBy.values()].filter((holders) => holders.length !== 1)).toEqual([])
  })

  it('wakes a waiter on one instance when a task is created through another', async () => {
    await servers[2]!.api('/api/v1/register', {
      method: 'POST',
      body: { agent_id: 'wake_dev', role: 'frontend_dev', level: 'senior' },
    })
    const waiting = servers[2]!.api('/api/v1/tasks/claim', {
      method: 'POST',
      body: { agent_id: 'wake_dev', timeout: 60 },
    })
    await new Promise((r) => setTimeout(r, 300))

    const created = await servers[0]!.api('/api/v1/tasks/create?agent_id=pm_1', {
      method: 'POST',
      body: {
        feature_id: featureId,
        title: 'wake',
        description: '',
        target_role: 'frontend_dev',
        difficulty: 'junior',
        branch: 'b/wake',
      },
    })
    const claimed = await waiting

    expect(claimed.body).toMatchObject({ id: created.body.id, locked_by: 'wake_dev' })
  })

  it('streams an event written through one instance to a subscriber on another', async () => {
    const controller = new AbortController()
    const res = await fetch(`${servers[1]!.url}/api/v1/events`, {
      headers: { 'x-api-key': servers[1]!.apiKey },
      signal: controller.signal,
    })
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    await reader.read()

    await servers[0]!.api('/api/v1/documents?author_id=pm_1', {
      method: 'POST',
      body: { doc_type: 'update', title: 'cross-instance', content: 'hello' },
    })
    while (!text.includes('cross-instance')) text += decoder.decode((await reader.read()).value)
    controller.abort()

    expect(text).toContain('event: document_created')
  })
})

describe('lease expiry with several instances', () => {
  it('returns each lapsed task to the pool exactly once', async () => {
    const database = await createTestDatabase()
    const env = { ...ENV, HPM_LEASE_SECONDS: '1', HPM_LEASE_CHECK_INTERVAL_MS: '100' }
    const servers: TestServer[] = []
    for (let i = 0; i < 3; i++)
      servers.push(await startTestServer({ databaseUrl: database.url, env }))
    try {
      const featureId = await seed(servers[0]!)
      const ids: number[] = []
      for (let i = 0; i < 20; i++) {
        ids.push((await createTask(servers[0]!, featureId, `lease-${i}`)).body.id as number)
        await servers[0]!.api('/api/v1/register', {
          method: 'POST',
          body: { agent_id: `lease_dev_${i}`, role: 'backend_dev', level: 'junior' },
        })
        await servers[i % 3]!.api('/api/v1/tasks/claim', {
          method: 'POST',
          body: { agent_id: `lease_dev_${i}`, timeout: 0 },
        })
      }

      let tasks: Array<{ id: number; status: string }> = []
      for (let tries = 0; tries < 200; tries++) {
        tasks = (await servers[1]!.api('/api/v1/tasks')).body
        if (tasks.every((t) => t.status === 'created')) break
        await new Promise((r) => setTimeout(r, 100))
      }
      const changelog: Array<{ task_id: number; notes: string | null }> = (
        await servers[2]!.api('/api/v1/changelog?limit=1000')
      ).body
      // A task that lapsed early may be claimed again by a later agent; each claim lapses once.
      const count = (prefix: string) =>
        changelog
          .filter((row) => row.notes?.startsWith(prefix))
          .map((row) => row.task_id)
          .sort((a, b) => a - b)

      expect(tasks.map((t) => t.status)).toEqual(ids.map(() => 'created'))
      expect(count('claimed by')).toHaveLength(ids.length)
      expect(count('lease expired')).toEqual(count('claimed by'))
    } finally {
      await Promise.all(servers.map((s) => s.close()))
      await database.drop()
    }
  })
})
