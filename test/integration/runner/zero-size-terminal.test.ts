import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runProcess } from '../../../src/lib/index.js'
import { GIT_TEST_ENV } from '../../fixtures/temp-repo.js'
import {
  FAKE_CLAUDE,
  HELLO_DEV_SCENARIO,
  HPM_BIN,
  startRunnerWorld,
} from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

// `script -qc` runs a command on a pseudo-terminal of 0×0. There a spinner never finishes clearing
// its lines: `hpm run` once wrote 47 MB of escape codes a minute and never finished its task.
async function hasScript(): Promise<boolean> {
  try {
    const probe = await runProcess('script', ['-qec', 'test -t 1', '/dev/null'], {
      timeoutMs: 10_000,
    })
    return probe.exitCode === 0
  } catch {
    return false
  }
}

const canRunScript = await hasScript()
const ESC = '\u001b'
const SPINNER_FRAME = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/

let world: RunnerWorld

beforeAll(async () => {
  if (canRunScript) world = await startRunnerWorld()
})
afterAll(async () => {
  await world?.close()
})

describe.skipIf(!canRunScript)('hpm run on a terminal of 0×0 (util-linux script)', () => {
  it('finishes its task with plain lines and no spinner', async () => {
    const task = await world.createTask({ title: 'Write hello.txt' })
    const scenario = { ...HELLO_DEV_SCENARIO, steps: [{ sleep: 500 }, ...HELLO_DEV_SCENARIO.steps] }

    // The command line is fixed; paths reach it through the environment, never through the string.
    const command =
      'stty cols 0 rows 0 && exec "$HPM_NODE" "$HPM_BIN" run --role backend_dev --agent-id dev_001 --repo "$HPM_REPO" --single-task'
    const run = await runProcess('script', ['-qec', command, '/dev/null'], {
      cwd: world.repo,
      timeoutMs: 90_000,
      killGraceMs: 5_000,
      maxOutputBytes: 1024 * 1024,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: world.root,
        ...GIT_TEST_ENV,
        HPM_NODE: process.execPath,
        HPM_BIN,
        HPM_REPO: world.repo,
        HEADLESS_PM_API_URL: world.server.url,
        HEADLESS_PM_API_KEY: world.server.apiKey,
        HEADLESS_PM_CLAUDE_BIN: FAKE_CLAUDE,
        HEADLESS_PM_ON_STUCK: 'release',
        HEADLESS_PM_CLAIM_WAIT: '5',
        HEADLESS_PM_MIN_FREE_MB: '1',
        CLAUDE_FAKE_STATE_DIR: join(world.root, 'fake-state'),
        CLAUDE_FAKE_SCENARIO: JSON.stringify(scenario),
      },
    })

    const transcript = JSON.stringify(run.stdout.slice(0, 600))
    expect(run.timedOut, `hung writing ${run.stdout.length} bytes: ${transcript}`).toBe(false)
    expect(run.exitCode, transcript).toBe(0)
    expect(await world.getTask(task.id)).toMatchObject({ status: 'dev_done' })
    expect(run.stdout).not.toContain(ESC)
    expect(run.stdout).not.toMatch(SPINNER_FRAME)
    expect(run.stdout).toMatch(/^\[\d\d:\d\d:\d\d\] … /m)
  })
})
