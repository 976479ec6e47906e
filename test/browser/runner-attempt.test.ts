import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { TEST_IDS } from '../../web/src/test-ids.js'
import {
  closeBrowser,
  launchBrowser,
  openPage,
  poll,
  requireDashboardBuild,
  screenshot,
  signIn,
} from '../helpers/browser.js'
import { startRunnerWorld, reportStatusStep } from '../helpers/runner-harness.js'
import type { RunnerWorld } from '../helpers/runner-harness.js'

// The whole path a person sees in the morning: `hpm run` works a task with the fake Claude, and the
// dashboard shows what it did (the transcript), what it cost and who did it, from the records the
// runner itself sent. One browser for the file; a runner world (server, git repo) per test.

let browser: Browser
let world: RunnerWorld

beforeAll(async () => {
  requireDashboardBuild()
  browser = await launchBrowser()
})
afterAll(async () => {
  await closeBrowser(browser)
})
beforeEach(async () => {
  world = await startRunnerWorld()
})
afterEach(async () => {
  await world.close()
})

const COST_USD = 0.37

const SCENARIO = {
  costUsd: COST_USD,
  steps: [
    { text: 'Creating hello.txt' },
    { write: { path: 'hello.txt', content: 'Hello World' } },
    { run: ['git', 'add', 'hello.txt'] },
    { run: ['git', 'commit', '-q', '-m', 'Add hello.txt'] },
    // Long enough for the agents page to show the step while it runs.
    { run: ['sleep', '3'] },
    reportStatusStep('dev_done', 'hello.txt added'),
  ],
  result: 'Created hello.txt and committed it.',
}

function byId(page: Page, testId: string) {
  return page.getByTestId(testId)
}

describe('dashboard: a real runner attempt with the fake Claude', () => {
  it('shows the agent at work live, then the attempt in the drawer with its transcript and cost, and on the agents page', async () => {
    const task = await world.createTask({ title: 'Create hello.txt' })
    await world.register('dev_1', 'backend_dev')
    const page = await openPage(browser)
    await signIn(page, world.server, '#/agents')
    const now = byId(page, TEST_IDS.agentActivity('dev_1'))
    await poll(() => now.getAttribute('data-state')).toBe('idle')

    const running = world.runRunner({ agentId: 'dev_1', role: 'backend_dev', scenario: SCENARIO })
    await poll(async () => (await now.textContent()) ?? '').toContain('sleep 3')
    await screenshot(page, 'agents-runner-at-work')
    const dev = await running
    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0)
    await poll(() => now.getAttribute('data-state')).toBe('idle')
    const [run] = (await world.runsOf(task.id)) as Array<{ id: number }>
    expect(run).toBeDefined()

    // The agents page: work done, money spent, the attempt itself.
    await poll(async () => byId(page, TEST_IDS.agentDone('dev_1')).textContent()).toBe('1 dev')
    await poll(async () => byId(page, TEST_IDS.agentCost('dev_1')).textContent()).toBe(
      '$0.37 (1 run)',
    )
    await byId(page, TEST_IDS.agentRunsToggle('dev_1')).click()
    const recent = byId(page, TEST_IDS.agentRuns('dev_1')).getByTestId(TEST_IDS.run(run!.id))
    await recent.waitFor()
    expect(await recent.textContent()).toContain(`#${task.id} Create hello.txt`)
    await screenshot(page, 'agents-recent-attempts')

    // The task's drawer: the attempt with its cost and verdict, and what Claude did.
    await recent.getByRole('button').click()
    const attempt = byId(page, TEST_IDS.drawerRuns).getByTestId(TEST_IDS.run(run!.id))
    await attempt.waitFor()
    const facts = await attempt.textContent()
    expect(facts).toContain('$0.37')
    expect(facts).toContain('succeeded')
    await byId(page, TEST_IDS.transcriptToggle(run!.id)).click()
    const transcript = byId(page, TEST_IDS.transcript(run!.id))
    await transcript.waitFor()
    const said = await transcript.textContent()
    expect(said).toContain('Creating hello.txt')
    expect(said).toContain("git commit -q -m 'Add hello.txt'")
    expect(said).toContain('hpm tasks status')
    await transcript.scrollIntoViewIfNeeded()
    await screenshot(page, 'drawer-runner-transcript')
  })
})
