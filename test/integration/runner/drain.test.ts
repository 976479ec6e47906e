import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'

import { spawnStreaming } from '../../../src/lib/index.js'
import { GIT_TEST_ENV } from '../../fixtures/temp-repo.js'
import {
  FAKE_CLAUDE,
  HELLO_DEV_SCENARIO,
  HPM_BIN,
  startRunnerWorld,
  waitFor,
} from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

// R-DRAIN (docs/runner-spec.md): SIGUSR2 finishes the task in hand, claims nothing more, exits 0.
// `hpm team` relies on it; test/integration/team/team.test.ts covers it through the supervisor.

let world: RunnerWorld

beforeAll(async () => {
  world = await startRunnerWorld()
})

afterAll(async () => {
  await world.close()
})

async function startRunner(agentId: string, scenario: unknown) {
  const lines: string[] = []
  const child = await spawnStreaming(
    process.execPath,
    [HPM_BIN, 'run', '--role', 'backend_dev', '--agent-id', agentId, '--repo', world.repo],
    {
      cwd: world.repo,
      timeoutMs: 90_000,
      killGraceMs: 20_000,
      onLine: (line) => lines.push(line),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: world.root,
        ...GIT_TEST_ENV,
        HEADLESS_PM_API_URL: world.server.url,
        HEADLESS_PM_API_KEY: world.server.apiKey,
        HEADLESS_PM_CLAUDE_BIN: FAKE_CLAUDE,
        HEADLESS_PM_CLAIM_WAIT: '30',
        HEADLESS_PM_MIN_FREE_MB: '1',
        CLAUDE_FAKE_STATE_DIR: join(world.root, 'fake-state'),
        CLAUDE_FAKE_SCENARIO: JSON.stringify(scenario),
      },
    },
  )
  onTestFinished(async () => {
    child.kill('test over')
    await child.done
  })
  return { child, lines }
}

describe('hpm run on SIGUSR2', () => {
  it('finishes the task in hand, claims nothing more, and exits 0', async () => {
    const slow = { ...HELLO_DEV_SCENARIO, steps: [{ sleep: 2000 }, ...HELLO_DEV_SCENARIO.steps] }
    const inHand = await world.createTask({ title: 'in hand' })
    const next = await world.createTask({ title: 'not claimed' })
    const { child, lines } = await startRunner('drain_busy', slow)
    await waitFor(
      async () => ((await world.getTask(inHand.id)).status === 'under_work' ? true : undefined),
      'the claim',
      60_000,
    )

    process.kill(child.pid, 'SIGUSR2')
    const result = await child.done

    expect(result.exitCode, lines.join('\n')).toBe(0)
    expect((await world.getTask(inHand.id)).status).toBe('dev_done')
    expect(await world.getTask(next.id)).toMatchObject({ status: 'created', locked_by: null })
  })

  it('ends the wait for work at once when it holds no task', async () => {
    const { child, lines } = await startRunner('drain_idle', HELLO_DEV_SCENARIO)
    await waitFor(
      () => (lines.some((l) => /waiting for a/.test(l)) ? true : undefined),
      'the claim wait',
      60_000,
    )

    process.kill(child.pid, 'SIGUSR2')
    const result = await child.done

    expect(result.exitCode).toBe(0)
    expect(lines.some((l) => /drained: no task in hand/.test(l))).toBe(true)
  })
})
