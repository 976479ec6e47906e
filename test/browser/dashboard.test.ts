import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'

import { TEST_IDS } from '../../web/src/test-ids.js'
import {
  dashboardWorld,
  openPage,
  poll,
  screenshot,
  showRoute,
  signIn,
} from '../helpers/browser.js'
import {
  eventually,
  getTask,
  lock,
  makeTask,
  registerAgent,
  setStatus,
  uniqueId,
} from '../helpers/fixtures.js'

// One server and one Chromium for the file; every test has its own browser context (so its own
// sign-in) and its own agents and tasks. A budget of two failures lets the attention test spend it;
// an agent unseen for a second counts as away, so a holder goes away without a fake clock.
const MAX_FAILURES = 2
const ACTIVE_SECONDS = 1
/** Chromium logs each refused fetch as a console error; tests that provoke one allow its status. */
const REFUSED = (status: number) => new RegExp(`status of ${status}`)

// In-page code (page.evaluate) runs in Chromium; the Node-side tsconfig has no DOM lib.
declare const window: object
declare const localStorage: { getItem(key: string): string | null }
declare const document: { activeElement: { getAttribute(name: string): string | null } | null }

const world = dashboardWorld({
  HPM_TASK_MAX_FAILURES: String(MAX_FAILURES),
  HPM_AGENT_ACTIVE_SECONDS: String(ACTIVE_SECONDS),
})

const times = { started_at: '2026-01-01T00:00:00Z', finished_at: '2026-01-01T00:03:00Z' }

/** The test id of the element that has the keyboard focus. */
function focusedTestId(page: Page): Promise<string | null | undefined> {
  return page.evaluate(() => document.activeElement?.getAttribute('data-testid'))
}

/** Sets a marker on the current document: it survives anything except a reload. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { hpmNoReload: true }))
}

async function isSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => 'hpmNoReload' in window)
}

async function storedValues(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Object.keys(localStorage).map((key) => localStorage.getItem(key) ?? ''),
  )
}

async function openDrawer(page: Page, taskId: number): Promise<void> {
  await page.getByTestId(TEST_IDS.card(taskId)).click()
  await page.getByTestId(TEST_IDS.drawer).waitFor()
}

describe('dashboard sign-in', () => {
  it('signs in from the printed #key= URL, goes live and drops the key from the URL', async () => {
    const page = await openPage(world.browser)

    await page.goto(`${world.server.url}/#key=${world.server.apiKey}`)

    await page
      .getByTestId(TEST_IDS.attention)
      .or(page.getByTestId(TEST_IDS.board))
      .first()
      .waitFor()
    await poll(() => page.getByTestId(TEST_IDS.connection).getAttribute('data-state')).toBe('live')
    expect(page.url()).not.toContain(world.server.apiKey)
    expect(await storedValues(page)).toContain(world.server.apiKey)
    await screenshot(page, 'signin-by-url')
  })

  it('keeps one event stream open across every page', async () => {
    const task = await makeTask(world.server.api, world.project)
    const page = await openPage(world.browser)
    const streams: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/v1/events') streams.push(request.url())
    })

    await signIn(page, world.server, '#/board')
    await openDrawer(page, task.id)
    await showRoute(page, '#/agents')
    await page.getByTestId(TEST_IDS.agentRow(world.project.pm)).waitFor()
    await showRoute(page, '#/')
    await page.getByTestId(TEST_IDS.attention).waitFor()

    expect(streams).toHaveLength(1)
    expect(await page.getByTestId(TEST_IDS.connection).getAttribute('data-state')).toBe('live')
  })

  it('shows signin-error and stays signed out when the key is wrong', async () => {
    const page = await openPage(world.browser, { allowedConsoleErrors: [REFUSED(401)] })
    await page.goto(`${world.server.url}/`)

    await page.getByTestId(TEST_IDS.signinKey).fill('not-the-key')
    await page.getByTestId(TEST_IDS.signinSubmit).click()

    await page.getByTestId(TEST_IDS.signinError).waitFor()
    await screenshot(page, 'signin-wrong-key')
    await page.reload()
    await page.getByTestId(TEST_IDS.signinForm).waitFor()
    expect(
      await page.getByTestId(TEST_IDS.board).or(page.getByTestId(TEST_IDS.attention)).count(),
    ).toBe(0)
    expect(await storedValues(page)).not.toContain('not-the-key')
  })

  it('forgets the key and shows the sign-in form after sign-out', async () => {
    const page = await openPage(world.browser)
    await signIn(page, world.server)

    await page.getByTestId(TEST_IDS.signout).click()

    await page.getByTestId(TEST_IDS.signinForm).waitFor()
    expect(await storedValues(page)).not.toContain(world.server.apiKey)
    await screenshot(page, 'signed-out')
  })
})

describe('dashboard board', () => {
  it('shows a task created through the API without a reload', async () => {
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/board')
    await page.getByTestId(TEST_IDS.board).waitFor()
    await markDocument(page)

    const createdAt = Date.now()
    const task = await makeTask(world.server.api, world.project, { title: uniqueId('live') })

    // The spec says within a second; ten tell live updates from polling on a loaded machine.
    await page
      .getByTestId(TEST_IDS.column('created'))
      .getByTestId(TEST_IDS.card(task.id))
      .waitFor({ timeout: 10_000 })
    console.log(`board: task ${task.id} appeared ${Date.now() - createdAt} ms after its creation`)
    expect(await isSameDocument(page)).toBe(true)
    await screenshot(page, 'board-live-card')
  })

  it('moves a pending task to created when a pm drags it there', async () => {
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })
    const task = await makeTask(world.server.api, world.project, { creator: dev })
    expect(task.status).toBe('pending')
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/board')
    await page.getByTestId(TEST_IDS.actingAgent).selectOption(world.project.pm)

    await page
      .getByTestId(TEST_IDS.card(task.id))
      .dragTo(page.getByTestId(TEST_IDS.column('created')))

    await poll(async () => (await getTask(world.server.api, task.id)).status).toBe('created')
    await page.getByTestId(TEST_IDS.column('created')).getByTestId(TEST_IDS.card(task.id)).waitFor()
    await screenshot(page, 'board-after-drag')
  })

  it("shows the server's refusal in an error toast and keeps the status when a dev drags a task to committed", async () => {
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })
    const task = await makeTask(world.server.api, world.project)
    const refusal = await setStatus(world.server.api, task.id, dev, 'committed')
    expect(refusal.status, JSON.stringify(refusal.body)).toBe(409)
    const page = await openPage(world.browser, { allowedConsoleErrors: [REFUSED(409)] })
    await signIn(page, world.server, '#/board')
    await page.getByTestId(TEST_IDS.actingAgent).selectOption(dev)

    await page
      .getByTestId(TEST_IDS.card(task.id))
      .dragTo(page.getByTestId(TEST_IDS.column('committed')))

    const toast = page.locator(`[data-testid="${TEST_IDS.toast}"][data-kind="error"]`)
    await toast.waitFor()
    await poll(() => toast.textContent()).toContain(refusal.body.detail)
    await screenshot(page, 'board-refused-move')
    expect((await getTask(world.server.api, task.id)).status).toBe('created')
    await page.getByTestId(TEST_IDS.column('created')).getByTestId(TEST_IDS.card(task.id)).waitFor()
  })

  it('works from the keyboard alone: / searches, arrows move between cards, m 2 moves a card, Enter opens, Escape closes', async () => {
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })
    const prefix = uniqueId('keys')
    const first = await makeTask(world.server.api, world.project, {
      title: `${prefix} first`,
      creator: dev,
    })
    const second = await makeTask(world.server.api, world.project, {
      title: `${prefix} second`,
      creator: dev,
    })
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/')
    await page.getByTestId(TEST_IDS.actingAgent).selectOption(world.project.pm)
    await page.locator('body').click()

    await page.keyboard.press('/')
    await poll(() => focusedTestId(page)).toBe(TEST_IDS.filterText)
    await page.keyboard.type(prefix)
    const pending = page.getByTestId(TEST_IDS.column('pending'))
    await pending.getByTestId(TEST_IDS.card(first.id)).waitFor()
    await pending.getByTestId(TEST_IDS.card(second.id)).waitFor()
    const [top, below] = await pending
      .locator('[data-testid^="card-"]')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-testid')))
    expect([top, below].sort()).toEqual([TEST_IDS.card(first.id), TEST_IDS.card(second.id)].sort())
    await pending.getByTestId(top).focus()
    await page.keyboard.press('ArrowDown')
    await poll(() => focusedTestId(page)).toBe(below)
    const moved = below === TEST_IDS.card(first.id) ? first : second
    const stays = moved === first ? second : first

    await page.keyboard.press('m')
    await page.keyboard.press('2')

    await poll(async () => (await getTask(world.server.api, moved.id)).status).toBe('created')
    await page
      .getByTestId(TEST_IDS.column('created'))
      .getByTestId(TEST_IDS.card(moved.id))
      .waitFor()
    await poll(() => focusedTestId(page)).toBe(TEST_IDS.card(moved.id))
    await page.keyboard.press('Enter')
    await page.getByTestId(TEST_IDS.drawer).waitFor()
    await page.keyboard.press('Escape')
    await page.getByTestId(TEST_IDS.drawer).waitFor({ state: 'detached' })
    expect((await getTask(world.server.api, stays.id)).status).toBe('pending')
  })

  it('filters the board by text and keeps the filter in the URL across a reload', async () => {
    const wanted = await makeTask(world.server.api, world.project, { title: uniqueId('wanted') })
    const other = await makeTask(world.server.api, world.project, { title: uniqueId('other') })
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/board')
    await page.getByTestId(TEST_IDS.card(other.id)).waitFor()

    await page.getByTestId(TEST_IDS.filterText).fill(wanted.title)

    await page.getByTestId(TEST_IDS.card(other.id)).waitFor({ state: 'detached' })
    await page.getByTestId(TEST_IDS.card(wanted.id)).waitFor()
    await poll(() => decodeURIComponent(new URL(page.url()).hash)).toContain(wanted.title)
    await page.reload()
    await page.getByTestId(TEST_IDS.card(wanted.id)).waitFor()
    expect(await page.getByTestId(TEST_IDS.card(other.id)).count()).toBe(0)
    await screenshot(page, 'board-filtered')
  })
})

describe('dashboard task drawer', () => {
  it('renders the description as markdown', async () => {
    const task = await makeTask(world.server.api, world.project, {
      description: '## Plan\n\n- make it **bold**\n- keep `code`',
    })
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/board')

    await openDrawer(page, task.id)

    const description = page.getByTestId(TEST_IDS.drawerDescription)
    await description.locator('strong', { hasText: 'bold' }).waitFor()
    await description.locator('code', { hasText: 'code' }).waitFor()
    expect(await description.textContent()).not.toContain('**')
    await screenshot(page, 'drawer-markdown')
  })

  it('adds a comment as the acting agent, shown without a reload', async () => {
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })
    const task = await makeTask(world.server.api, world.project)
    const text = `looks right to me ${uniqueId('comment')}`
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/board')
    await page.getByTestId(TEST_IDS.actingAgent).selectOption(dev)
    await openDrawer(page, task.id)
    await markDocument(page)

    await page.getByTestId(TEST_IDS.drawerCommentInput).fill(text)
    await page.getByTestId(TEST_IDS.drawerCommentSubmit).click()

    await page.getByTestId(TEST_IDS.drawerComments).getByText(text).waitFor()
    expect(await isSameDocument(page)).toBe(true)
    const { comments } = await getTask(world.server.api, task.id)
    expect(comments).toContainEqual(
      expect.objectContaining({ author_id: dev, kind: 'comment', body: text }),
    )
    await screenshot(page, 'drawer-comment')
  })

  it('lists a runner attempt with its model, cost and verdict', async () => {
    const task = await makeTask(world.server.api, world.project)
    await registerAgent(world.server.api, { agent_id: 'runner_1' })
    const posted = await world.server.api(`/api/v1/tasks/${task.id}/runs`, {
      method: 'POST',
      body: {
        agent_id: 'runner_1',
        attempt: 1,
        outcome: 'succeeded',
        model: 'claude-sonnet-4-5',
        cost_usd: 0.42,
        num_turns: 7,
        ...times,
      },
    })
    expect(posted.status, JSON.stringify(posted.body)).toBe(200)
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/board')

    await openDrawer(page, task.id)

    const run = page.getByTestId(TEST_IDS.drawerRuns).getByTestId(TEST_IDS.run(posted.body.id))
    await run.waitFor()
    const text = await run.textContent()
    expect(text).toContain('0.42')
    expect(text).toContain('claude-sonnet-4-5')
    expect(text).toContain('succeeded')
    await run.scrollIntoViewIfNeeded()
    await screenshot(page, 'drawer-runs')
  })
})

describe('dashboard attention', () => {
  it('lists a task sent back by its failure budget and approves it again with one click', async () => {
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })
    const task = await makeTask(world.server.api, world.project)
    expect((await lock(world.server.api, task.id, dev)).status).toBe(200)
    for (let attempt = 1; attempt <= MAX_FAILURES; attempt++) {
      const res = await world.server.api(`/api/v1/tasks/${task.id}/runs`, {
        method: 'POST',
        body: {
          agent_id: dev,
          attempt,
          outcome: 'agent_exit',
          verdict: 'failed',
          verdict_reason: `tests failed (${attempt})`,
          ...times,
        },
      })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
    }
    expect((await getTask(world.server.api, task.id)).status).toBe('pending')
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/')
    const item = page.getByTestId(TEST_IDS.attentionItem('failure_budget_spent', task.id))
    await item.waitFor()
    await screenshot(page, 'attention-budget-spent')
    await page.getByTestId(TEST_IDS.actingAgent).selectOption(world.project.pm)

    await page.getByTestId(TEST_IDS.attentionAction('failure_budget_spent', task.id)).click()

    await poll(async () => (await getTask(world.server.api, task.id)).status).toBe('created')
    await item.waitFor({ state: 'detached' })
    await screenshot(page, 'attention-after-approval')
  })

  it('marks a task awaiting merge committed with one click', async () => {
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })
    const qa = await registerAgent(world.server.api, { role: 'qa', level: 'principal' })
    const task = await makeTask(world.server.api, world.project)
    expect((await lock(world.server.api, task.id, dev)).status).toBe(200)
    expect((await setStatus(world.server.api, task.id, dev, 'dev_done')).status).toBe(200)
    expect((await lock(world.server.api, task.id, qa)).status).toBe(200)
    expect((await setStatus(world.server.api, task.id, qa, 'qa_done')).status).toBe(200)
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/')
    const item = page.getByTestId(TEST_IDS.attentionItem('awaiting_merge', task.id))
    await item.waitFor()
    await page.getByTestId(TEST_IDS.actingAgent).selectOption(world.project.pm)

    await page.getByTestId(TEST_IDS.attentionAction('awaiting_merge', task.id)).click()

    await poll(async () => (await getTask(world.server.api, task.id)).status).toBe('committed')
    await item.waitFor({ state: 'detached' })
    await screenshot(page, 'attention-after-merge')
  })

  it('gives a task no agent can take the role of a registered agent with one click', async () => {
    await registerAgent(world.server.api, { role: 'backend_dev' })
    const task = await makeTask(world.server.api, world.project, { target_role: 'frontend_dev' })
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/')
    const item = page.getByTestId(TEST_IDS.attentionItem('no_agent_for_role', task.id))
    await item.waitFor()
    await page.getByTestId(TEST_IDS.actingAgent).selectOption(world.project.pm)
    await page.getByTestId(TEST_IDS.reassignRole(task.id)).selectOption('backend_dev')
    await screenshot(page, 'attention-no-agent-for-role')

    await page.getByTestId(TEST_IDS.attentionAction('no_agent_for_role', task.id)).click()

    await poll(async () => (await getTask(world.server.api, task.id)).target_role).toBe(
      'backend_dev',
    )
    await item.waitFor({ state: 'detached' })
  })

  it('unlocks a task whose holder is away with one click', async () => {
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })
    const task = await makeTask(world.server.api, world.project)
    expect((await lock(world.server.api, task.id, dev)).status).toBe(200)
    const isListed = async () =>
      (
        (await world.server.api('/status')).body.attention as Array<{
          reason: string
          task_id: number
        }>
      ).some((item) => item.reason === 'holder_away' && item.task_id === task.id)
    expect(await eventually(isListed, 15_000, 100)).toBe(true)
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/')
    const item = page.getByTestId(TEST_IDS.attentionItem('holder_away', task.id))
    await item.waitFor()
    await page.getByTestId(TEST_IDS.actingAgent).selectOption(world.project.pm)

    await page.getByTestId(TEST_IDS.attentionAction('holder_away', task.id)).click()

    await poll(async () => (await getTask(world.server.api, task.id)).locked_by).toBeNull()
    await item.waitFor({ state: 'detached' })
    await screenshot(page, 'attention-after-unlock')
  })
})

describe('dashboard pages', () => {
  it.each(['light', 'dark'] as const)(
    'renders attention, board, drawer and agents at desktop width in %s mode',
    async (colorScheme) => {
      const task = await makeTask(world.server.api, world.project, {
        title: `Screenshot task ${colorScheme}`,
        description: '## Goal\n\nShow **every** part.',
      })
      await world.server.api(`/api/v1/tasks/${task.id}/comment?agent_id=${world.project.pm}`, {
        method: 'POST',
        body: { comment: 'a comment' },
      })
      await registerAgent(world.server.api, { agent_id: 'runner_1' })
      await world.server.api(`/api/v1/tasks/${task.id}/runs`, {
        method: 'POST',
        body: {
          agent_id: 'runner_1',
          outcome: 'agent_exit',
          verdict: 'failed',
          verdict_reason: 'tests failed',
          model: 'claude-opus-4',
          cost_usd: 1.5,
          ...times,
        },
      })
      const page = await openPage(world.browser, { colorScheme })

      await signIn(page, world.server, '#/')
      await page.getByTestId(TEST_IDS.attention).waitFor()
      await screenshot(page, `attention-desktop-${colorScheme}`, { fullPage: true })
      await showRoute(page, '#/board')
      await page.getByTestId(TEST_IDS.card(task.id)).waitFor()
      await screenshot(page, `board-desktop-${colorScheme}`)
      await openDrawer(page, task.id)
      await page.getByTestId(TEST_IDS.drawerComments).getByText('a comment').waitFor()
      await page.getByTestId(TEST_IDS.drawerChangelog).waitFor()
      await page.getByTestId(TEST_IDS.drawerRuns).waitFor()
      await screenshot(page, `drawer-desktop-${colorScheme}`)
      await showRoute(page, '#/agents')
      await page.getByTestId(TEST_IDS.agentRow(world.project.pm)).waitFor()
      await screenshot(page, `agents-desktop-${colorScheme}`, { fullPage: true })
    },
  )

  it.each(['light', 'dark'] as const)(
    'renders the board at phone width in %s mode',
    async (colorScheme) => {
      const task = await makeTask(world.server.api, world.project, {
        title: `Phone task ${colorScheme}`,
      })
      const page = await openPage(world.browser, {
        colorScheme,
        viewport: { width: 390, height: 844 },
      })

      await signIn(page, world.server, '#/board')

      await page.getByTestId(TEST_IDS.board).waitFor()
      await page.getByTestId(TEST_IDS.card(task.id)).waitFor({ state: 'attached' })
      await screenshot(page, `board-phone-${colorScheme}`)
    },
  )
})
