import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'

import { TEST_IDS } from '../../web/src/test-ids.js'
import { dashboardWorld, openPage, poll, screenshot, signIn } from '../helpers/browser.js'
import { getTask, lock, makeTask, registerAgent } from '../helpers/fixtures.js'
import type { Api } from '../helpers/fixtures.js'

// What a runner reports while Claude works (heartbeat activity) and what it records after (a run's
// transcript). One server and one Chromium for the file; each test has its own agents and tasks.

const world = dashboardWorld()

function byId(page: Page, testId: string) {
  return page.getByTestId(testId)
}

async function heartbeat(
  api: Api,
  agentId: string,
  activity: Record<string, unknown> | null,
): Promise<void> {
  const res = await api(`/api/v1/agents/${agentId}/heartbeat`, {
    method: 'POST',
    body: { activity },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
}

function bashActivity(taskId: number, command: string): Record<string, unknown> {
  return {
    task_id: taskId,
    attempt: 1,
    phase: 'claude',
    tool: 'Bash',
    detail: command,
    since: new Date().toISOString(),
    recent: [
      { kind: 'text', text: 'Running the tests first.' },
      { kind: 'tool', name: 'Bash', text: command },
    ],
  }
}

describe('dashboard agent activity', () => {
  it('shows what an agent is doing from its heartbeat live, and idle once the activity is cleared', async () => {
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })
    const task = await makeTask(world.server.api, world.project)
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/agents')
    const now = byId(page, TEST_IDS.agentActivity(dev))
    await poll(() => now.getAttribute('data-state')).toBe('idle')

    await heartbeat(world.server.api, dev, bashActivity(task.id, 'npm test'))

    await poll(() => now.getAttribute('data-state')).toBe('active')
    const text = await now.textContent()
    expect(text).toContain(`task #${task.id}, attempt 1: Bash npm test`)
    expect(text).toContain('Running the tests first.')
    expect(text).toContain('Bash: npm test')
    await screenshot(page, 'agents-activity')

    await heartbeat(world.server.api, dev, null)

    await poll(() => now.getAttribute('data-state')).toBe('idle')
    expect(await now.textContent()).toBe('idle')
  })

  it("shows the holder's current step in the drawer of the task it works on, live", async () => {
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })
    const task = await makeTask(world.server.api, world.project)
    expect((await lock(world.server.api, task.id, dev)).status).toBe(200)
    expect((await getTask(world.server.api, task.id)).status).toBe('under_work')
    const page = await openPage(world.browser)
    await signIn(page, world.server, `#/board?task=${task.id}`)
    await byId(page, TEST_IDS.drawerRuns).waitFor()

    await heartbeat(world.server.api, dev, bashActivity(task.id, 'npm run lint'))

    const live = byId(page, TEST_IDS.liveAttempt)
    await poll(() => live.textContent()).toContain('Bash npm run lint')
    await heartbeat(world.server.api, dev, bashActivity(task.id, 'npm test'))
    await poll(() => live.textContent()).toContain('Bash npm test')
    await live.scrollIntoViewIfNeeded()
    await screenshot(page, 'drawer-live-attempt')
    await heartbeat(world.server.api, dev, null)
    await live.waitFor({ state: 'detached' })
  })
})

describe('dashboard run transcript', () => {
  it('shows a posted run transcript in order after the toggle is clicked', async () => {
    const task = await makeTask(world.server.api, world.project)
    const transcript = [
      { kind: 'text', text: 'I will run the tests.\nThen fix what fails.' },
      { kind: 'tool', name: 'Bash', text: 'npm test' },
      { kind: 'tool_result', text: '1 failing', is_error: true },
      { kind: 'tool', name: 'Edit', text: 'src/app.ts' },
      { kind: 'tool_result', text: 'ok' },
      { kind: 'result', text: 'done: fixed the failing test' },
      { kind: 'note', text: '2 entries left out' },
    ]
    const now = new Date().toISOString()
    await registerAgent(world.server.api, { agent_id: 'runner_1' })
    const posted = await world.server.api(`/api/v1/tasks/${task.id}/runs`, {
      method: 'POST',
      body: {
        agent_id: 'runner_1',
        attempt: 1,
        outcome: 'succeeded',
        started_at: now,
        finished_at: now,
        transcript,
      },
    })
    expect(posted.status, JSON.stringify(posted.body)).toBe(200)
    const page = await openPage(world.browser)
    await signIn(page, world.server, `#/board?task=${task.id}`)
    const toggle = byId(page, TEST_IDS.transcriptToggle(posted.body.id))
    await poll(() => toggle.textContent()).toContain(`Transcript (${transcript.length})`)
    expect(await byId(page, TEST_IDS.transcript(posted.body.id)).count()).toBe(0)

    await toggle.click()

    const entries = byId(page, TEST_IDS.transcript(posted.body.id)).locator('li')
    await poll(() => entries.count()).toBe(transcript.length)
    expect(await entries.allInnerTexts()).toEqual([
      'I will run the tests.\nThen fix what fails.',
      'Bash: npm test',
      '1 failing',
      'Edit: src/app.ts',
      'ok',
      'done: fixed the failing test',
      '2 entries left out',
    ])
    expect(await entries.nth(2).getAttribute('class')).toContain('is-error')
    await byId(page, TEST_IDS.transcript(posted.body.id)).scrollIntoViewIfNeeded()
    await screenshot(page, 'drawer-transcript')
  })
})
