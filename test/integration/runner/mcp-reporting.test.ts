import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { git } from '../../fixtures/temp-repo.js'
import { startRunnerWorld } from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

let world: RunnerWorld

beforeEach(async () => {
  world = await startRunnerWorld()
})
afterEach(async () => {
  await world.close()
})

/** The dev script, reporting through the MCP tool the runner's --mcp-config provides. */
const MCP_DEV_SCENARIO = {
  steps: [
    { write: { path: 'hello.txt', content: 'Hello World' } },
    { run: ['git', 'add', 'hello.txt'] },
    { run: ['git', 'commit', '-q', '-m', 'Add hello.txt'] },
    {
      mcp: {
        tool: 'update_task_status',
        arguments: { task_id: '{task_id}', status: 'dev_done', notes: 'hello.txt added, via MCP' },
      },
    },
  ],
  result: 'done',
}

describe('hpm run with HEADLESS_PM_CLAUDE_MCP=1', () => {
  it('gives Claude the MCP server as this agent, tells it to report through the tools, and the report lands', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const record = join(world.root, 'claude-calls.jsonl')
    // The fake fills {task_id} as a string; the tool wants a number, so the script names it itself.
    const scenario = JSON.parse(
      JSON.stringify(MCP_DEV_SCENARIO).replace('"{task_id}"', String(task.id)),
    )

    const dev = await world.runRunner({
      agentId: 'dev_mcp_001',
      role: 'backend_dev',
      level: 'junior',
      scenario,
      env: { HEADLESS_PM_CLAUDE_MCP: '1', CLAUDE_FAKE_RECORD: record },
    })

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    const [call] = (await readFile(record, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    const configFile = call.argv[call.argv.indexOf('--mcp-config') + 1]
    const config = JSON.parse(await readFile(configFile, 'utf8'))
    expect(config.mcpServers['headless-pm']).toMatchObject({
      type: 'stdio',
      command: process.execPath,
      args: [
        expect.stringMatching(/bin\/hpm\.js$/),
        'mcp',
        '--agent-id',
        'dev_mcp_001',
        '--role',
        'backend_dev',
        '--level',
        'junior',
      ],
      // The agent's own token, never the project key.
      env: {
        HEADLESS_PM_API_URL: world.server.url,
        HEADLESS_PM_API_KEY: expect.stringMatching(/^hpm_agent_/),
      },
    })
    expect((await stat(configFile)).mode & 0o777).toBe(0o600)
    expect(call.prompt).toContain(
      `mcp__headless-pm__update_task_status {"task_id": ${task.id}, "status": "dev_done"`,
    )
    expect(call.prompt).not.toMatch(/hpm tasks status/)
    const reported = await world.getTask(task.id)
    expect(reported).toMatchObject({
      status: 'dev_done',
      locked_by: null,
      work_branch: `feature/task-${task.id}`,
    })
    expect(reported.notes).toContain('hello.txt added, via MCP')
    expect(await git(world.repo, 'show', `feature/task-${task.id}:hello.txt`)).toBe('Hello World')
  })
})
