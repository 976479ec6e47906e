#!/usr/bin/env node
// `npm test`: the whole suite, ending with the plain `N passed, N failed` line CI reads.
import { spawnSync } from 'node:child_process'

const args = ['vitest', 'run', '--reporter=default', '--reporter=./scripts/summary-reporter.js', ...process.argv.slice(2)]
const result = spawnSync('npx', args, { stdio: 'inherit', env: process.env })
process.exit(result.status ?? 1)
