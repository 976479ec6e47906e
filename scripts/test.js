#!/usr/bin/env node
// `npm test`: every lane, ending with the plain `N passed, N failed[, N skipped]` line CI reads.
// The PostgreSQL lane runs when HPM_TEST_PG_URL is set; with HPM_REQUIRE_ALL_LANES=1 (CI) a
// missing lane is a failure, not a skip.
import { spawnSync } from 'node:child_process'

const requireAll = process.env.HPM_REQUIRE_ALL_LANES === '1'
if (!process.env.HPM_TEST_PG_URL) {
  const message = 'PostgreSQL lane skipped: HPM_TEST_PG_URL is not set (scripts/pg-test-cluster.sh start DIR prints one)'
  if (requireAll) {
    process.stderr.write(`${message}; HPM_REQUIRE_ALL_LANES=1 forbids skipping\n0 passed, 1 failed\n`)
    process.exit(1)
  }
  process.stdout.write(`${message}\n`)
}

// Tests run `hpm` as a real child process; build its bundle first so they run what is in src/.
const built = spawnSync(process.execPath, ['scripts/build.js'], { stdio: 'inherit', timeout: 120_000 })
if (built.status !== 0) {
  process.stderr.write('building dist/ failed\n0 passed, 1 failed\n')
  process.exit(1)
}

const args = ['vitest', 'run', '--reporter=default', '--reporter=./scripts/summary-reporter.js', ...process.argv.slice(2)]
const result = spawnSync('npx', args, {
  stdio: 'inherit',
  env: process.env,
  // The whole suite takes a few minutes; a hung run must not hold CI for its full 90.
  timeout: 30 * 60 * 1000,
  killSignal: 'SIGKILL',
})
if (result.error) process.stderr.write(`test run failed: ${result.error.message}\n`)
process.exit(result.status ?? 1)
