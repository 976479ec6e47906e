import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { HELLO_DEV_SCENARIO, startRunnerWorld } from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

// The runner registers for its agent's token, keeps it (mode 0600) and gives Claude only the
// token: a prompt-injected Claude cannot act as another agent, and with HPM_REQUIRE_AGENT_TOKENS
// the whole task still goes through.

let world: RunnerWorld

beforeEach(async () => {
  world = await startRunnerWorld({ HPM_REQUIRE_AGENT_TOKENS: 'true' })
})
afterEach(async () => {
  await world.close()
})

describe('hpm run with agent tokens', () => {
  it("works a task under HPM_REQUIRE_AGENT_TOKENS, giving Claude the agent's token and never the project key", async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const seen = join(world.root, 'key-seen')
    const scenario = {
      ...HELLO_DEV_SCENARIO,
      steps: [
        { run: ['sh', '-c', 'printf %s "$HEADLESS_PM_API_KEY" > "$1"', 'sh', seen] },
        ...HELLO_DEV_SCENARIO.steps,
      ],
    }

    const dev = await world.runRunner({
      agentId: 'dev_tok',
      role: 'backend_dev',
      level: 'junior',
      scenario,
    })

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    expect((await world.getTask(task.id)).status).toBe('dev_done')
    const claudeKey = await readFile(seen, 'utf8')
    expect(claudeKey).toMatch(/^hpm_agent_/)
    expect(claudeKey).not.toBe(world.server.apiKey)
    const tokenFile = join(world.repo, '.headless-pm', 'runner', 'tokens', 'dev_tok.json')
    expect(JSON.parse(await readFile(tokenFile, 'utf8'))).toEqual({
      agent_id: 'dev_tok',
      token: claudeKey,
    })
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600)
  })

  it('keeps its token across starts, and gets a new one through the project key after a revocation', async () => {
    await world.createTask({ title: 'Create hello.txt' })
    const first = await world.runRunner({
      agentId: 'dev_tok',
      role: 'backend_dev',
      level: 'junior',
      scenario: HELLO_DEV_SCENARIO,
    })
    const tokenFile = join(world.repo, '.headless-pm', 'runner', 'tokens', 'dev_tok.json')
    const issued = JSON.parse(await readFile(tokenFile, 'utf8')).token
    await world.createTask({ title: 'Create hello.txt, second' })
    const second = await world.runRunner({
      agentId: 'dev_tok',
      role: 'backend_dev',
      level: 'junior',
      scenario: HELLO_DEV_SCENARIO,
    })
    const kept = JSON.parse(await readFile(tokenFile, 'utf8')).token

    const revoked = await world.server.api('/api/v1/agents/dev_tok/tokens', { method: 'DELETE' })
    await world.createTask({ title: 'Create hello.txt again' })
    const third = await world.runRunner({
      agentId: 'dev_tok',
      role: 'backend_dev',
      level: 'junior',
      scenario: HELLO_DEV_SCENARIO,
    })
    const renewed = JSON.parse(await readFile(tokenFile, 'utf8')).token

    expect(first.exitCode, first.stdout + first.stderr).toBe(0)
    expect(second.exitCode, second.stdout + second.stderr).toBe(0)
    expect(kept).toBe(issued)
    // One token issued over two starts: the second start registered with the stored one.
    expect(revoked.body).toMatchObject({ revoked: 1 })
    expect(third.exitCode, third.stdout + third.stderr).toBe(0)
    expect(third.stdout + third.stderr).toContain('was refused (revoked?)')
    expect(renewed).not.toBe(issued)
  })
})
