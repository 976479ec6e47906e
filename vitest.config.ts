import { existsSync } from 'node:fs'

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

// `npm run test:fast` (`--mode fast`) runs the unit tests alone: every test file in src/ but the
// slow ones, and the pure ones under test/ (CONTRIBUTING.md, Setup). A file is slow when it runs
// git, a server of ours, `hpm`, a (fake) Claude or hooks, or waits on timeouts, retries or dying
// processes; under test/ every file is slow unless named here.
const SLOW_IN_SRC = [
  'src/client/headless-pm-client.test.ts',
  'src/lib/process.test.ts',
  'src/runner/components/claude-executor.test.ts',
  'src/runner/components/git-remote.test.ts',
  'src/runner/components/git-worktree.test.ts',
  'src/runner/components/hook-runner.test.ts',
  'src/runner/components/task-persistence.test.ts',
  'src/runner/components/worktree-spare.test.ts',
  'src/runner/server-calls.test.ts',
]
const FAST_IN_TEST = [
  'test/cli/choices.test.ts',
  'test/cli/client-config.test.ts',
  'test/cli/program.test.ts',
  'test/cli/role-prompts.test.ts',
  // Drift tests hold the docs against the code; they only read files.
  'test/docs/**/*.test.ts',
]

function fastProject(): TestProjectInlineConfiguration {
  // A renamed or deleted file would otherwise leave the fast run silently without it or with it.
  const stale = [...SLOW_IN_SRC, ...FAST_IN_TEST].filter(
    (file) => !file.includes('*') && !existsSync(new URL(file, import.meta.url)),
  )
  if (stale.length > 0) throw new Error(`vitest.config.ts names missing tests: ${stale.join(', ')}`)
  return {
    test: {
      ...common,
      name: 'fast',
      // Unit tests leave no global state behind, so files share a worker's modules: the fast run
      // spends most of its time importing otherwise.
      isolate: false,
      include: ['src/**/*.test.ts', ...FAST_IN_TEST],
      exclude: [...SLOW_IN_SRC, '**/node_modules/**'],
    },
  }
}

// Most time goes to waiting on child processes and sockets, so two workers fit two cores.
export default defineConfig(({ mode }) => ({
  test: { projects: mode === 'fast' ? [fastProject()] : projects, maxWorkers: 2 },
}))
