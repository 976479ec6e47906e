import { defineConfig } from 'vitest/config'
import type { TestProjectInlineConfiguration } from 'vitest/config'

import { findChromium } from './test/browser/find-chromium.js'

// The server suites run once on SQLite and again on PostgreSQL when HPM_TEST_PG_URL names a server
// (CI starts one; see scripts/pg-test-cluster.sh). The import from a v1 MySQL database runs when
// HPM_TEST_MYSQL_URL names one (scripts/mysql-test-cluster.sh). Without them those lanes are
// skipped, and scripts/test.js says so. The dashboard's browser tests run when a Chromium is found
// (HPM_TEST_CHROMIUM, /usr/bin/chromium or PATH; test/browser/find-chromium.js).
const PG_SUITES = ['test/integration/server/**/*.test.ts', 'test/integration/pg/**/*.test.ts']
const MYSQL_SUITES = ['test/integration/mysql/**/*.test.ts']
const BROWSER_SUITES = ['test/browser/**/*.test.ts']

const common = {
  pool: 'forks' as const,
  // Runner tests spawn real runners, git and fake Claudes; under a loaded 2-core machine one such
  // test can take over a minute. The limit is a guard against hangs, not a speed target.
  testTimeout: 240_000,
  hookTimeout: 120_000,
  // CI fails a run that still has `.only` in it.
  allowOnly: !process.env.CI,
}

const projects: TestProjectInlineConfiguration[] = [
  {
    test: {
      ...common,
      name: 'sqlite',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: ['test/integration/pg/**', ...MYSQL_SUITES, ...BROWSER_SUITES, '**/node_modules/**'],
    },
  },
]
if (process.env.HPM_TEST_PG_URL) {
  projects.push({
    test: {
      ...common,
      name: 'postgres',
      include: PG_SUITES,
      env: { HPM_TEST_DIALECT: 'postgresql' },
    },
  })
}
if (process.env.HPM_TEST_MYSQL_URL) {
  projects.push({ test: { ...common, name: 'mysql', include: MYSQL_SUITES } })
}
if (findChromium().path !== undefined) {
  // Each file drives a Chromium (several processes) against its own server: one file at a time
  // keeps a 2-core machine responsive enough for the UI's one-second liveness.
  projects.push({ test: { ...common, name: 'browser', include: BROWSER_SUITES, maxWorkers: 1 } })
}

// Most time goes to waiting on child processes and sockets, so two workers fit two cores.
export default defineConfig({ test: { projects, maxWorkers: 2 } })
