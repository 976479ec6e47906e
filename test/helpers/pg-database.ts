import { randomBytes } from 'node:crypto'

import pg from 'pg'

/** Whether this vitest project runs against PostgreSQL (the `postgres` project sets it). */
export const isPgLane = process.env.HPM_TEST_DIALECT === 'postgresql'

/** The admin URL of the test PostgreSQL server, from HPM_TEST_PG_URL. */
export function pgAdminUrl(): string {
  const url = process.env.HPM_TEST_PG_URL
  if (!url) throw new Error('HPM_TEST_PG_URL is not set: the PostgreSQL lane needs a server')
  return url
}

/** A fresh, empty database on the test server; `drop` removes it even with connections open. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = pgAdminUrl()
  const name = `hpm_t_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: admin })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  const url = new URL(admin)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin })
      await c.connect()
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await c.end()
      }
    },
  }
}
