import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { git } from '../../fixtures/temp-repo.js'
import { startRunnerWorld, waitFor, reportStatusStep } from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

// An unattended night, time-compressed: two dev runners and a QA runner in continuous mode, five
// good tasks and one that always fails. In the morning: the five committed exactly once, the
// hopeless one back at pending with a comment for a human, and no more paid runs on it than its
// failure budget (R-BUDGET).

const BUDGET = 6
let world: RunnerWorld

beforeEach(async () => {
  world = await startRunnerWorld({ HPM_TASK_MAX_FAILURES: String(BUDGET) })
})
afterEach(async () => {
  await world.close()
})

const report = (status: string) => reportStatusStep(status, 'done')

describe('an unattended night', () => {
  it('commits every good task exactly once and sends the hopeless one to a human within its budget (R-BUDGET)', async () => {
    const hopeless = await world.createTask({ title: 'Hopeless: always crashes' })
    const good: Array<{ id: number }> = []
    for (let i = 1; i <= 5; i++) good.push(await world.createTask({ title: `Good task ${i}` }))
    await world.server.api('/api/v1/register', {
      method: 'POST',
      body: { agent_id: 'pm_night', role: 'pm', level: 'senior' },
    })
    const record = join(world.root, 'claude-calls.jsonl')
    const devScenario = {
      tasks: { [String(hopeless.id)]: { mode: 'crash' } },
      steps: [
        { write: { path: 'work-{task_id}.txt', content: 'done\n' } },
        { run: ['git', 'add', '-A'] },
        { run: ['git', 'commit', '-q', '-m', 'work for task {task_id}'] },
        report('dev_done'),
      ],
    }
    const qaScenario = { steps: [{ run: ['test', '-f', 'work-{task_id}.txt'] }, report('qa_done')] }
    const night = {
      HEADLESS_PM_HEALTH_CHECK_INTERVAL: '1',
      HEADLESS_PM_CLAIM_WAIT: '2',
      HEADLESS_PM_MAX_ATTEMPTS: '3',
      HEADLESS_PM_ON_STUCK: 'release',
      CLAUDE_FAKE_RECORD: record,
    }
    const stop = new AbortController()
    const runners = [
      world.runRunner({
        agentId: 'dev_night_1',
        role: 'backend_dev',
        singleTask: false,
        scenario: devScenario,
        signal: stop.signal,
        timeoutMs: 180_000,
        env: { ...night, CLAUDE_FAKE_STATE_DIR: join(world.root, 'fake-1') },
      }),
      world.runRunner({
        agentId: 'dev_night_2',
        role: 'backend_dev',
        singleTask: false,
        scenario: devScenario,
        signal: stop.signal,
        timeoutMs: 180_000,
        env: { ...night, CLAUDE_FAKE_STATE_DIR: join(world.root, 'fake-2') },
      }),
      world.runRunner({
        agentId: 'qa_night_1',
        role: 'qa',
        singleTask: false,
        scenario: qaScenario,
        signal: stop.signal,
        timeoutMs: 180_000,
        env: { ...night, CLAUDE_FAKE_STATE_DIR: join(world.root, 'fake-3') },
      }),
    ]

    try {
      await waitFor(
        async () => {
          const tasks = await Promise.all([hopeless, ...good].map((t) => world.getTask(t.id)))
          const isMorning =
            tasks[0].status === 'pending' && tasks.slice(1).every((t) => t.status === 'committed')
          return isMorning ? true : undefined
        },
        'the five good tasks committed and the hopeless one back at pending',
        150_000,
      )
    } finally {
      stop.abort()
    }
    const ended = await Promise.all(runners)

    for (const run of ended) expect([130, 143], run.stdout + run.stderr).toContain(run.exitCode)
    const changelog = (await world.server.api('/api/v1/changelog?limit=1000')).body as Array<{
      task_id: number
      new_status: string
    }>
    for (const task of good) {
      expect(
        changelog.filter((c) => c.task_id === task.id && c.new_status === 'committed'),
        `task ${task.id}`,
      ).toHaveLength(1)
      expect(await git(world.repo, 'show', `main:work-${task.id}.txt`)).toBe('done')
    }
    const sentBack = await world.getTask(hopeless.id)
    expect(sentBack).toMatchObject({ status: 'pending', locked_by: null, failures: BUDGET })
    expect(sentBack.comments.map((c: { body: string }) => c.body).join('\n')).toMatch(
      /@pm .*failed 6 runner attempts/,
    )
    const calls = readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { prompt: string })
    const paidOnHopeless = calls.filter((c) =>
      new RegExp(`^Task ID: ${hopeless.id}$`, 'm').test(c.prompt),
    )
    expect(paidOnHopeless.length).toBeLessThanOrEqual(BUDGET)
    const mentions = (await world.server.api('/api/v1/mentions?agent_id=pm_night')).body as Array<{
      task_id: number | null
    }>
    expect(mentions.some((m) => m.task_id === hopeless.id)).toBe(true)
  })
})
