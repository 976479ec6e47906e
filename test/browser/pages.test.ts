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
import { getTask, lock, makeTask, registerAgent, setStatus, uniqueId } from '../helpers/fixtures.js'
import type { Api } from '../helpers/fixtures.js'

// The overview, epics, documents, services and activity pages. One server and one Chromium for the
// file; every test has its own browser context, agents and names, and reads what it checks from the
// API, so tests that ran before it do not change its outcome.

/** Chromium logs each refused fetch as a console error; tests that provoke one allow its status. */
const REFUSED = (status: number) => new RegExp(`status of ${status}`)

const world = dashboardWorld()

function byId(page: Page, testId: string) {
  return page.getByTestId(testId)
}

async function actAs(page: Page, agentId: string): Promise<void> {
  await byId(page, TEST_IDS.actingAgent).selectOption(agentId)
}

async function expectToast(page: Page, text: string): Promise<void> {
  const toast = page.locator(`[data-testid="${TEST_IDS.toast}"][data-kind="error"]`)
  await toast.waitFor()
  await poll(() => toast.textContent()).toContain(text)
}

async function postRun(api: Api, taskId: number, body: Record<string, unknown>): Promise<void> {
  const now = new Date().toISOString()
  const res = await api(`/api/v1/tasks/${taskId}/runs`, {
    method: 'POST',
    body: { outcome: 'succeeded', started_at: now, finished_at: now, ...body },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
}

async function registerService(
  api: Api,
  owner: string,
  body: Record<string, unknown>,
): Promise<void> {
  const res = await api(`/api/v1/services/register?agent_id=${owner}`, { method: 'POST', body })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
}

/** Takes a task the whole way (dev, QA, merge) to committed. */
async function commitTask(api: Api, taskId: number): Promise<void> {
  const dev = await registerAgent(api, { role: 'backend_dev' })
  const qa = await registerAgent(api, { role: 'qa', level: 'principal' })
  expect((await lock(api, taskId, dev)).status).toBe(200)
  expect((await setStatus(api, taskId, dev, 'dev_done')).status).toBe(200)
  expect((await lock(api, taskId, qa)).status).toBe(200)
  expect((await setStatus(api, taskId, qa, 'qa_done')).status).toBe(200)
  expect((await setStatus(api, taskId, world.project.pm, 'committed')).status).toBe(200)
}

async function findByName<T extends { name: string }>(
  api: Api,
  path: string,
  name: string,
): Promise<T | undefined> {
  return ((await api(path)).body as T[]).find((row) => row.name === name)
}

describe('dashboard documents and mentions', () => {
  it('creates a document mentioning an agent, lists the mention under that agent and marks it read as it', async () => {
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })
    const title = uniqueId('doc')
    const page = await openPage(world.browser, { allowedConsoleErrors: [REFUSED(403)] })
    await signIn(page, world.server, '#/documents')
    await actAs(page, world.project.pm)

    await page.getByRole('button', { name: 'New document' }).click()
    await byId(page, TEST_IDS.field('document', 'doc_type')).selectOption('critical_issue')
    await byId(page, TEST_IDS.field('document', 'title')).fill(title)
    await byId(page, TEST_IDS.field('document', 'content')).fill(
      `## Login broken\n\n@${dev}, the **login** form answers 500.`,
    )
    await byId(page, TEST_IDS.submit('document')).click()

    const view = byId(page, TEST_IDS.documentView)
    await view.getByRole('heading', { name: title }).waitFor()
    await view.locator('.markdown .mention', { hasText: `@${dev}` }).waitFor()
    await view.locator('.markdown strong', { hasText: 'login' }).waitFor()
    const mentions = (await world.server.api(`/api/v1/mentions?agent_id=${dev}`)).body as Array<{
      id: number
      document_title: string | null
      is_read: boolean
    }>
    const mention = mentions.find((m) => m.document_title === title)
    expect(mention, JSON.stringify(mentions)).toBeDefined()
    const mentionId = mention!.id

    await byId(page, TEST_IDS.mentionsAgent).selectOption(dev)
    const item = byId(page, TEST_IDS.mention(mentionId))
    await item.waitFor()
    expect(await item.getAttribute('data-read')).toBe('false')
    await screenshot(page, 'documents-mention')

    // Acting as the author, not the mentioned agent: the server refuses and says why.
    await byId(page, TEST_IDS.markRead(mentionId)).click()
    await expectToast(page, 'Cannot mark mentions for other agents as read')
    expect(await item.getAttribute('data-read')).toBe('false')

    await actAs(page, dev)
    await byId(page, TEST_IDS.markRead(mentionId)).click()

    await item.waitFor({ state: 'detached' })
    const after = (await world.server.api(`/api/v1/mentions?agent_id=${dev}`)).body as Array<{
      id: number
      is_read: boolean
    }>
    expect(after.find((m) => m.id === mentionId)?.is_read).toBe(true)
    await byId(page, TEST_IDS.mentionsShowRead).check()
    await poll(() => item.getAttribute('data-read')).toBe('true')
    await screenshot(page, 'documents-mention-read')
  })

  it('filters the documents by type and author', async () => {
    const author = await registerAgent(world.server.api, { role: 'architect', level: 'principal' })
    const standup = await world.server.api(`/api/v1/documents?author_id=${author}`, {
      method: 'POST',
      body: { doc_type: 'standup', title: uniqueId('standup'), content: 'done: x' },
    })
    const update = await world.server.api(`/api/v1/documents?author_id=${world.project.pm}`, {
      method: 'POST',
      body: { doc_type: 'update', title: uniqueId('update'), content: 'y' },
    })
    expect(standup.status).toBe(200)
    expect(update.status).toBe(200)
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/documents')
    await byId(page, TEST_IDS.document(update.body.id)).waitFor()

    await byId(page, TEST_IDS.documentFilter('type')).selectOption('standup')
    await byId(page, TEST_IDS.documentFilter('author')).selectOption(author)

    await byId(page, TEST_IDS.document(update.body.id)).waitFor({ state: 'detached' })
    await byId(page, TEST_IDS.document(standup.body.id)).click()
    await byId(page, TEST_IDS.documentView).getByText('done: x').waitFor()
  })
})

describe('dashboard epics', () => {
  it('creates an epic, a feature and a task through the forms as a pm; the task shows on the board as created', async () => {
    const epicName = uniqueId('epic')
    const featureName = uniqueId('feature')
    const title = uniqueId('task')
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/epics')
    await actAs(page, world.project.pm)

    await byId(page, TEST_IDS.field('epic', 'name')).fill(epicName)
    await byId(page, TEST_IDS.field('epic', 'description')).fill('the login epic')
    await byId(page, TEST_IDS.submit('epic')).click()
    await poll(() => findByName(world.server.api, '/api/v1/epics', epicName)).toBeDefined()
    const epic = (await findByName<{ id: number; name: string }>(
      world.server.api,
      '/api/v1/epics',
      epicName,
    ))!
    await byId(page, TEST_IDS.epic(epic.id)).waitFor()

    await byId(page, TEST_IDS.field('feature', 'epic_id')).selectOption(String(epic.id))
    await byId(page, TEST_IDS.field('feature', 'name')).fill(featureName)
    await byId(page, TEST_IDS.submit('feature')).click()
    await poll(() => findByName(world.server.api, '/api/v1/features', featureName)).toBeDefined()
    const feature = (await findByName<{ id: number; name: string }>(
      world.server.api,
      '/api/v1/features',
      featureName,
    ))!
    await byId(page, TEST_IDS.epic(epic.id)).getByTestId(TEST_IDS.feature(feature.id)).waitFor()

    const field = (name: string) => byId(page, TEST_IDS.field('task', name))
    await field('feature_id').selectOption(String(feature.id))
    await field('title').fill(title)
    await field('description').fill('build the **login** form')
    await field('target_role').selectOption('frontend_dev')
    await field('difficulty').selectOption('senior')
    await field('complexity').selectOption('minor')
    await field('branch').fill('feature/login')
    await field('priority').fill('7')
    await field('budget_usd').fill('2.5')
    await byId(page, TEST_IDS.submit('task')).click()

    await poll(
      async () =>
        ((await world.server.api(`/api/v1/tasks?feature_id=${feature.id}`)).body as unknown[])
          .length,
    ).toBe(1)
    const [task] = (await world.server.api(`/api/v1/tasks?feature_id=${feature.id}`)).body
    expect(task).toMatchObject({
      title,
      status: 'created',
      created_by: world.project.pm,
      target_role: 'frontend_dev',
      difficulty: 'senior',
      complexity: 'minor',
      branch: 'feature/login',
      priority: 7,
      budget_usd: 2.5,
    })
    await poll(() => byId(page, TEST_IDS.feature(feature.id)).textContent()).toContain('Created 1')
    await page.getByRole('heading', { name: 'Epics', level: 1 }).scrollIntoViewIfNeeded()
    await screenshot(page, 'epics-created')
    await showRoute(page, '#/board')
    await byId(page, TEST_IDS.column('created')).getByTestId(TEST_IDS.card(task.id)).waitFor()
    await screenshot(page, 'epics-task-on-board')
  })

  it("shows the server's refusal in a toast when a dev creates an epic", async () => {
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })
    const name = uniqueId('refused')
    const refusal = await world.server.api(`/api/v1/epics?agent_id=${dev}`, {
      method: 'POST',
      body: { name, description: '' },
    })
    expect(refusal.status, JSON.stringify(refusal.body)).toBe(403)
    const page = await openPage(world.browser, { allowedConsoleErrors: [REFUSED(403)] })
    await signIn(page, world.server, '#/epics')
    await actAs(page, dev)

    await byId(page, TEST_IDS.field('epic', 'name')).fill(name)
    await byId(page, TEST_IDS.submit('epic')).click()

    await expectToast(page, refusal.body.detail)
    expect(await findByName(world.server.api, '/api/v1/epics', name)).toBeUndefined()
    await screenshot(page, 'epics-refused')
  })

  it('approves a task a dev proposed through the API (pending) with one click', async () => {
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/epics')
    await actAs(page, world.project.pm)
    await byId(page, TEST_IDS.pendingApproval).waitFor()
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })

    const task = await makeTask(world.server.api, world.project, {
      creator: dev,
      title: uniqueId('proposal'),
    })

    expect(task.status).toBe('pending')
    const item = byId(page, TEST_IDS.pendingTask(task.id))
    await item.waitFor()
    await screenshot(page, 'epics-pending')
    await byId(page, TEST_IDS.approve(task.id)).click()
    await poll(async () => (await getTask(world.server.api, task.id)).status).toBe('created')
    await item.waitFor({ state: 'detached' })
  })
})

describe('dashboard overview', () => {
  it('shows the committed count and the cost of runs posted through the API, live', async () => {
    const model = uniqueId('model')
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/overview')
    await byId(page, TEST_IDS.statusCount('committed')).waitFor()
    const task = await makeTask(world.server.api, world.project)

    const runner = await registerAgent(world.server.api, { agent_id: uniqueId('runner') })
    await postRun(world.server.api, task.id, {
      agent_id: runner,
      attempt: 1,
      model,
      cost_usd: 0.25,
    })
    await postRun(world.server.api, task.id, { agent_id: runner, attempt: 2, model, cost_usd: 0.5 })
    await commitTask(world.server.api, task.id)

    const stats = (await world.server.api('/api/v1/stats')).body
    const committed = String(stats.tasks_by_status.committed)
    expect(Number(committed)).toBeGreaterThan(0)
    await poll(() => byId(page, TEST_IDS.statusCount('committed')).textContent()).toBe(committed)
    const modelRow = byId(page, TEST_IDS.costRow('model', model))
    await poll(() => modelRow.textContent()).toContain('$0.75')
    expect(await modelRow.locator('td').first().textContent()).toBe('2')
    await poll(() => byId(page, TEST_IDS.costRow('agent', runner)).textContent()).toContain('$0.75')
    await poll(() => byId(page, TEST_IDS.medianLeadTime).textContent()).not.toBe('-')
    await screenshot(page, 'overview-live', { fullPage: true })
  })
})

describe('dashboard services', () => {
  it('lists a service registered through the API and follows its status live', async () => {
    const owner = await registerAgent(world.server.api, { role: 'backend_dev' })
    const name = uniqueId('api')
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/services')
    await byId(page, TEST_IDS.services).waitFor()

    await registerService(world.server.api, owner, {
      service_name: name,
      ping_url: 'http://127.0.0.1:9/health',
      port: 9,
      status: 'starting',
    })

    const row = byId(page, TEST_IDS.service(name))
    await row.waitFor()
    expect(await row.getAttribute('data-status')).toBe('starting')
    const text = await row.textContent()
    expect(text).toContain(owner)
    expect(text).toContain('http://127.0.0.1:9/health')
    await screenshot(page, 'services-starting')

    const beat = await world.server.api(`/api/v1/services/${name}/heartbeat?agent_id=${owner}`, {
      method: 'POST',
    })
    expect(beat.status, JSON.stringify(beat.body)).toBe(200)
    await poll(() => row.getAttribute('data-status')).toBe('up')

    const gone = await world.server.api(`/api/v1/services/${name}?agent_id=${owner}`, {
      method: 'DELETE',
    })
    expect(gone.status, JSON.stringify(gone.body)).toBe(200)
    await row.waitFor({ state: 'detached' })
  })
})

describe('dashboard activity', () => {
  it('shows a change made through the API live, and its filters narrow the list', async () => {
    const page = await openPage(world.browser)
    await signIn(page, world.server, '#/activity')
    const feed = byId(page, TEST_IDS.activity)
    await feed.locator('.activity-row').first().waitFor()

    const task = await makeTask(world.server.api, world.project, { title: uniqueId('activity') })

    await feed.getByText(`#${task.id} "${task.title}" created`).waitFor()
    await screenshot(page, 'activity-live')
    await byId(page, TEST_IDS.activityFilter('text')).fill(`#${task.id}`)
    await byId(page, TEST_IDS.activityFilter('kind')).selectOption('task_created')
    await poll(() => feed.locator('.activity-row').count()).toBe(1)
    expect(await feed.locator('.activity-row').textContent()).toContain(task.title)

    await byId(page, TEST_IDS.activityFilter('kind')).selectOption('')
    await world.server.api(`/api/v1/tasks/${task.id}/comment?agent_id=${world.project.pm}`, {
      method: 'POST',
      body: { comment: 'live while filtered' },
    })

    await poll(() => feed.locator('.activity-row').count()).toBe(2)
    await feed.getByText(`#${task.id} "${task.title}": comment by ${world.project.pm}`).waitFor()
    await screenshot(page, 'activity-filtered')
  })
})

describe('dashboard new pages', () => {
  const PAGES = ['overview', 'epics', 'documents', 'services', 'activity'] as const

  /** Something on every page: a run with a cost, a pending task, a document with a mention, a service. */
  async function seedEverything(scheme: string): Promise<number> {
    const dev = await registerAgent(world.server.api, {
      agent_id: uniqueId(`dev_${scheme}`),
      role: 'backend_dev',
    })
    const task = await makeTask(world.server.api, world.project, {
      title: `Screenshot task ${scheme}`,
    })
    await postRun(world.server.api, task.id, {
      agent_id: dev,
      model: 'claude-sonnet-4-5',
      cost_usd: 1.25,
    })
    await makeTask(world.server.api, world.project, {
      creator: dev,
      title: `Proposed by a dev (${scheme})`,
    })
    const doc = await world.server.api(`/api/v1/documents?author_id=${world.project.pm}`, {
      method: 'POST',
      body: {
        doc_type: 'standup',
        title: `Standup ${scheme}`,
        content: `## Yesterday\n\n- merged the **login** form\n- @${dev} please review #12`,
      },
    })
    expect(doc.status).toBe(200)
    await registerService(world.server.api, dev, {
      service_name: uniqueId(`web_${scheme}`),
      ping_url: 'http://127.0.0.1:5173/',
      port: 5173,
    })
    return doc.body.id
  }

  it.each(['light', 'dark'] as const)(
    'renders every new page at desktop and phone width in %s mode',
    async (colorScheme) => {
      const docId = await seedEverything(colorScheme)
      const desktop = await openPage(world.browser, { colorScheme })
      const phone = await openPage(world.browser, {
        colorScheme,
        viewport: { width: 390, height: 844 },
      })

      for (const [page, size] of [
        [desktop, 'desktop'],
        [phone, 'phone'],
      ] as const) {
        await signIn(page, world.server, '#/overview')
        for (const name of PAGES) {
          await showRoute(page, name === 'documents' ? `#/documents?doc=${docId}` : `#/${name}`)
          await byId(page, TEST_IDS[name]).waitFor()
          if (name === 'overview') await byId(page, TEST_IDS.statusCount('committed')).waitFor()
          if (name === 'documents')
            await byId(page, TEST_IDS.documentView).locator('.mention').first().waitFor()
          if (name === 'services') await page.locator('[data-testid^="service-"]').first().waitFor()
          if (name === 'activity') await page.locator('.activity-row').first().waitFor()
          await screenshot(page, `${name}-${size}-${colorScheme}`, {
            fullPage: name !== 'activity',
          })
        }
      }
    },
  )
})
