import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createTestDatabase, pgAdminUrl } from '../../helpers/pg-database.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

// PostgreSQL may drop a server's idle connections (a restart, a failover, an administrator): the
// pool must replace them and the server keep answering, not die of an unhandled 'error' event.

describe('a server whose PostgreSQL connections are dropped', () => {
  let drop: () => Promise<void>
  let server: TestServer
  let database: string

  beforeAll(async () => {
    const created = await createTestDatabase()
    drop = created.drop
    database = new URL(created.url).pathname.slice(1)
    server = await startTestServer({ databaseUrl: created.url })
  })

  afterAll(async () => {
    await server.close()
    await drop()
  })

  it('keeps answering after every connection of its database is terminated', async () => {
    expect((await server.api('/api/v1/tasks')).status).toBe(200)
    const admin = new pg.Client({ connectionString: pgAdminUrl() })
    await admin.connect()

    try {
      const killed = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      )
      expect(killed.rowCount).toBeGreaterThan(0)
    } finally {
      await admin.end()
    }
    await new Promise((r) => setTimeout(r, 300))

    expect((await server.api('/api/v1/tasks')).status).toBe(200)
    expect(
      (
        await server.api('/api/v1/register', {
          method: 'POST',
          body: { agent_id: 'after_loss', role: 'qa', level: 'junior' },
        })
      ).status,
    ).toBe(200)
  })
})
