import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { loadServerConfig } from '../../src/config/index.js'
import type { ServerConfig } from '../../src/config/index.js'
import { createLogger } from '../../src/lib/logger.js'
import { startServer } from '../../src/server/main.js'
import type { RunningServer } from '../../src/server/main.js'
import type { Clock } from '../../src/server/clock.js'
import { createTestDatabase, isPgLane } from './pg-database.js'

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string
  apiKey: string
  dataDir: string
  config: ServerConfig
  running: RunningServer
  /** fetch against the API with the key set; `path` starts with `/`. */
  api: (
    path: string,
    init?: {
      method?: string
      body?: unknown
      headers?: Record<string, string>
      key?: string | null
    },
  ) => Promise<{ status: number; body: any; headers: Headers }>
  close: () => Promise<void>
}

export interface TestServerOptions {
  /** Extra environment, e.g. HPM_LEASE_SECONDS. */
  env?: Record<string, string>
  /** Database URL; default a fresh SQLite file, or a fresh PostgreSQL database in the postgres lane. */
  databaseUrl?: string
  dataDir?: string
  /** The server's time; default the real one (a TestClock lets a test move it forward). */
  clock?: Clock
}

export const TEST_API_KEY = 'test-key-0123456789'

/** A real server on a random port over a real database, as agents would reach it. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hpm-test-'))
  const pgDatabase =
    options.databaseUrl === undefined && isPgLane ? await createTestDatabase() : undefined
  const config = loadServerConfig({
    flags: {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      databaseUrl: options.databaseUrl ?? pgDatabase?.url,
    },
    env: {
      HEADLESS_PM_API_KEY: TEST_API_KEY,
      HPM_SERVICE_PING_INTERVAL: '0',
      HPM_LOG_LEVEL: process.env.HPM_TEST_LOG_LEVEL ?? 'silent',
      ...options.env,
    },
    cwd: dataDir,
  })
  const running = await startServer(
    config,
    createLogger({ level: config.logLevel }),
    dataDir,
    options.clock,
  )
  const url = running.url
  const api: TestServer['api'] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers }
    if (init.key !== null) headers['x-api-key'] = init.key ?? TEST_API_KEY
    let body: string | undefined
    if (init.body !== undefined) {
      headers['content-type'] ??= 'application/json'
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
    }
    const res = await fetch(`${url}${path}`, { method: init.method ?? 'GET', headers, body })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      parsed = text
    }
    return { status: res.status, body: parsed, headers: res.headers }
  }
  return {
    url,
    apiKey: TEST_API_KEY,
    dataDir,
    config,
    running,
    api,
    close: async () => {
      await running.close()
      await pgDatabase?.drop()
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
