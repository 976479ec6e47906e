#!/usr/bin/env node
// `npm test`: every lane, ending with the plain `N passed, N failed[, N skipped]` line CI reads.
// The PostgreSQL lane runs when HPM_TEST_PG_URL is set, the MySQL one (import from a v1 MySQL
// database) when HPM_TEST_MYSQL_URL is, the browser one (the dashboard in Chromium) when a
// Chromium is found; with HPM_REQUIRE_ALL_LANES=1 (CI) a missing lane is a failure, not a skip.
import { spawnSync } from 'node:child_process'

import { findChromium, SKIPPED_MESSAGE } from '../test/browser/find-chromium.js'

const LANES = [
  { name: 'PostgreSQL', variable: 'HPM_TEST_PG_URL', script: 'scripts/pg-test-cluster.sh' },
  { name: 'MySQL', variable: 'HPM_TEST_MYSQL_URL', script: 'scripts/mysql-test-cluster.sh' },
]
const requireAll = process.env.HPM_REQUIRE_ALL_LANES === '1'
const missing = LANES.filter((lane) => !process.env[lane.variable]).map(
  (lane) =>
    `${lane.name} lane skipped: ${lane.variable} is not set (${lane.script} start DIR prints one)`,
)
// vitest.config.ts asks the same question, so the lane runs exactly when this says it does.
const chromium = findChromium()
if (chromium.path === undefined) missing.push(`${SKIPPED_MESSAGE}; ${chromium.reason}`)
for (const message of missing) {
  if (requireAll) process.stderr.write(`${message}; HPM_REQUIRE_ALL_LANES=1 forbids skipping\n`)
  else process.stdout.write(`${message}\n`)
}
if (requireAll && missing.length > 0) {
  process.stderr.write(`0 passed, ${missing.length} failed\n`)
  process.exit(1)
}

// Tests run `hpm` as a real child process; build its bundle first so they run what is in src/.
const built = spawnSync(process.execPath, ['scripts/build.js'], {
  stdio: 'inherit',
  timeout: 120_000,
})
if (built.status !== 0) {
  process.stderr.write('building dist/ failed\n0 passed, 1 failed\n')
  process.exit(1)
}

const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=./scripts/summary-reporter.js',
  ...process.argv.slice(2),
]
const result = spawnSync('npx', args, {
  stdio: 'inherit',
  env: process.env,
  // The whole suite takes a few minutes; a hung run must not hold CI for its full 90.
  timeout: 30 * 60 * 1000,
  killSignal: 'SIGKILL',
})
if (result.error) process.stderr.write(`test run failed: ${result.error.message}\n`)
process.exit(result.status ?? 1)
