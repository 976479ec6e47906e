import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { startRunnerWorld, waitFor, reportStatusStep } from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

let world: RunnerWorld

beforeEach(async () => {
  world = await startRunnerWorld()
})
afterEach(async () => {
  await world.close()
})

const HELLO = {
  steps: [
    { write: { path: 'hello.txt', content: 'Hello World' } },
    { run: ['git', 'add', 'hello.txt'] },
    { run: ['git', 'commit', '-q', '-m', 'Add hello.txt'] },
    reportStatusStep('dev_done', 'done'),
  ],
  result: 'Created hello.txt.',
}

const agentNamed = async (agentId: string) =>
  ((await world.server.api('/api/v1/agents')).body as any[]).find((a) => a.agent_id === agentId)

describe('hpm run: what Claude does, live and afterwards', () => {
  it('shows the current tool on the agent while Claude works, then records the transcript with secrets removed', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    const scenario = {
      steps: [
        { text: 'Creating hello.txt' },
        { write: { path: 'hello.txt', content: 'Hello World' } },
        { run: ['git', 'add', 'hello.txt'] },
        { run: ['git', 'commit', '-q', '-m', 'Add hello.txt'] },
        // A tool that prints the runner's key: the transcript must not carry it.
        { run: ['sh', '-c', 'echo "key=$HEADLESS_PM_API_KEY"'] },
        { sleep: 4000 },
        reportStatusStep('dev_done', 'done'),
      ],
      result: 'Created hello.txt.',
    }

    const running = world.runRunner({
      agentId: 'dev_001',
      role: 'backend_dev',
      level: 'junior',
      scenario,
    })
    const live = await waitFor(
      async () =>
        (await agentNamed('dev_001'))?.activity?.tool === 'Bash'
          ? (await agentNamed('dev_001')).activity
          : undefined,
      'the agent to show Claude at work',
      60_000,
    )
    const dev = await running
    const runs = await world.runsOf(task.id)
    const transcript = (
      await world.server.api(`/api/v1/tasks/${task.id}/runs/${String(runs[0]?.id)}/transcript`)
    ).body
    const after = await agentNamed('dev_001')

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    expect(live).toMatchObject({ task_id: task.id, attempt: 1, phase: 'claude', tool: 'Bash' })
    expect(live.recent.length).toBeGreaterThan(0)
    expect(runs[0]?.transcript_entries).toBe(transcript.entries.length)
    expect(transcript.entries).toEqual(
      expect.arrayContaining([
        { kind: 'text', text: 'Creating hello.txt' },
        expect.objectContaining({ kind: 'tool', name: 'Write' }),
        expect.objectContaining({
          kind: 'tool',
          name: 'Bash',
          text: expect.stringContaining('git commit'),
        }),
        expect.objectContaining({ kind: 'tool_result', text: 'key=[redacted]\n' }),
        expect.objectContaining({ kind: 'result' }),
      ]),
    )
    expect(JSON.stringify(transcript)).not.toContain(world.server.apiKey)
    expect(after.activity).toBeNull()
  })

  it('tells each step of a task as it starts, in order, and clears the activity when the task is done here', async () => {
    await world.createTask({ title: 'Create hello.txt' })
    const dev = await world.runRunner({
      agentId: 'dev_002',
      role: 'backend_dev',
      level: 'junior',
      scenario: HELLO,
    })

    const feed = (await world.server.api('/api/v1/changes?after_id=0&limit=1000&agent_id=dev_002'))
      .body.changes as any[]
    const told = feed
      .filter((c) => c.type === 'agent_activity' && c.data.agent_id === 'dev_002')
      .map((c) => c.data.phase)
    const steps = told.filter((phase, i) => phase !== told[i - 1])

    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    expect(steps).toEqual([
      'preparing the worktree',
      'pre_task hook',
      'claude',
      'post_task hook',
      'cleaning up',
      null,
    ])
  })
})
