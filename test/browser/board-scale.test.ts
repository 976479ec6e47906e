import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'

import { TEST_IDS } from '../../web/src/test-ids.js'
import { ARTIFACTS_DIR, dashboardWorld, openPage, screenshot, signIn } from '../helpers/browser.js'
import { registerAgent } from '../helpers/fixtures.js'

// 5,000 tasks on one board: every card must stay reachable. The timings go to
// test-artifacts/perf.json for people to read; nothing asserts on them (shared, noisy machines).
const TASK_COUNT = 5_000
/** A pm's tasks start `created`, a dev's `pending`: two long columns. */
const PENDING_SHARE = 0.3
const INSERT_CONCURRENCY = 8
const STATUSES = [
  'pending',
  'created',
  'under_work',
  'dev_done',
  'qa_done',
  'documentation_done',
  'committed',
] as const

// In-page code (page.evaluate, addInitScript) runs in Chromium; the Node-side tsconfig has no DOM
// lib, so these name the little of it used here.
interface PageElement {
  scrollTop: number
  readonly scrollHeight: number
  readonly clientHeight: number
  readonly dataset: Record<string, string | undefined>
  querySelectorAll(
    selector: string,
  ): Iterable<PageElement> & { forEach(each: (el: PageElement) => void): void }
}
declare const window: { hpmLongTasks?: LongTask[] }
declare const document: {
  querySelector(selector: string): PageElement | null
  readonly scrollingElement: PageElement | null
  readonly documentElement: PageElement
}
declare function getComputedStyle(el: PageElement): { overflowY: string }
declare function requestAnimationFrame(callback: () => void): number
declare class PerformanceObserver {
  constructor(
    callback: (list: { getEntries(): Array<{ startTime: number; duration: number }> }) => void,
  )
  observe(options: { type: string; buffered: boolean }): void
}

const world = dashboardWorld()

/** Creates `count` tasks through the API, a few requests at a time; returns their ids. */
async function createTasks(count: number, creatorOf: (index: number) => string): Promise<number[]> {
  const ids: number[] = []
  let next = 0
  const worker = async () => {
    while (next < count) {
      const index = next++
      const res = await world.server.api(`/api/v1/tasks/create?agent_id=${creatorOf(index)}`, {
        method: 'POST',
        body: {
          feature_id: world.project.featureId,
          title: `Scale task ${index}`,
          description: `Task ${index} of ${count}.`,
          target_role: 'backend_dev',
          difficulty: 'junior',
          branch: 'feature/scale',
        },
      })
      if (res.status !== 200)
        throw new Error(
          `creating task ${index} answered ${res.status}: ${JSON.stringify(res.body)}`,
        )
      ids.push(res.body.id)
    }
  }
  await Promise.all(Array.from({ length: INSERT_CONCURRENCY }, worker))
  return ids
}

interface LongTask {
  startMs: number
  durationMs: number
}

/** Records every long task of each document from its first script on, in `window.hpmLongTasks`. */
async function observeLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const tasks: LongTask[] = []
    window.hpmLongTasks = tasks
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        tasks.push({ startMs: entry.startTime, durationMs: entry.duration })
    }).observe({ type: 'longtask', buffered: true })
  })
}

/**
 * Scrolls one column's scroller (the column itself or its tallest scrollable descendant; the page
 * when the column does not scroll) from top to bottom a screenful at a time, and returns the id of
 * every card rendered on the way: virtualised lists render only what is near the viewport.
 */
function scrollThroughColumn(
  page: Page,
  columnTestId: string,
): Promise<{ cardTestIds: string[]; steps: number }> {
  return page.evaluate(async (testId) => {
    const column = document.querySelector(`[data-testid="${testId}"]`)
    if (!column) throw new Error(`no element with data-testid ${testId}`)
    const scrollable = [column, ...column.querySelectorAll('*')].filter(
      (el) =>
        /(auto|scroll)/.test(getComputedStyle(el).overflowY) && el.scrollHeight > el.clientHeight,
    )
    const scroller =
      scrollable.sort((a, b) => b.scrollHeight - a.scrollHeight)[0] ??
      document.scrollingElement ??
      document.documentElement
    const seen = new Set<string>()
    const collect = () =>
      column
        .querySelectorAll('[data-testid^="card-"]')
        .forEach((el) => seen.add(el.dataset.testid ?? ''))
    const frames = () =>
      new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
    scroller.scrollTop = 0
    await frames()
    collect()
    let steps = 0
    for (;;) {
      const before = scroller.scrollTop
      scroller.scrollTop = before + Math.max(1, Math.floor(scroller.clientHeight * 0.9))
      await frames()
      collect()
      steps++
      if (scroller.scrollTop <= before) break
    }
    return { cardTestIds: [...seen], steps }
  }, columnTestId)
}

describe('dashboard board at scale', () => {
  it(`keeps all ${TASK_COUNT.toLocaleString('en')} cards reachable by scrolling their columns`, async () => {
    const dev = await registerAgent(world.server.api, { role: 'backend_dev' })
    const insertStart = Date.now()
    const ids = await createTasks(TASK_COUNT, (index) =>
      index < TASK_COUNT * PENDING_SHARE ? dev : world.project.pm,
    )
    const insertMs = Date.now() - insertStart
    const page = await openPage(world.browser, { viewport: { width: 1600, height: 1800 } })
    await observeLongTasks(page)
    // A whole board in one answer blocks the server for every agent while it is serialised.
    const taskLists: URL[] = []
    page.on('request', (request) => {
      const url = new URL(request.url())
      if (url.pathname === '/api/v1/tasks') taskLists.push(url)
    })
    await signIn(page, world.server)
    // A cold load of the board: a new document, signed in by the stored key.
    await page.goto('about:blank')

    const loadStart = Date.now()
    await page.goto(`${world.server.url}/#/board`)
    await page
      .getByTestId(TEST_IDS.column('pending'))
      .locator('[data-testid^="card-"]')
      .first()
      .waitFor({ timeout: 60_000 })
    await page
      .getByTestId(TEST_IDS.column('created'))
      .locator('[data-testid^="card-"]')
      .first()
      .waitFor({ timeout: 60_000 })
    const loadMs = Date.now() - loadStart
    await screenshot(page, 'board-5000-tasks')
    const scrollStart = Date.now()
    const seen = new Set<string>()
    const stepsByColumn: Record<string, number> = {}
    for (const status of STATUSES) {
      const { cardTestIds, steps } = await scrollThroughColumn(page, TEST_IDS.column(status))
      for (const id of cardTestIds) seen.add(id)
      stepsByColumn[status] = steps
    }
    const scrollMs = Date.now() - scrollStart
    const longTasks = await page.evaluate(() => window.hpmLongTasks ?? [])

    const longest = longTasks.reduce((max, task) => Math.max(max, task.durationMs), 0)
    const perf = {
      tasks: TASK_COUNT,
      insertMs,
      loadMs,
      scrollMs,
      scrollStepsByColumn: stepsByColumn,
      longestLongTaskMs: Math.round(longest),
      longTaskCount: longTasks.length,
      longTaskTotalMs: Math.round(longTasks.reduce((sum, task) => sum + task.durationMs, 0)),
      cardsReached: seen.size,
      measuredAt: new Date().toISOString(),
    }
    mkdirSync(ARTIFACTS_DIR, { recursive: true })
    writeFileSync(join(ARTIFACTS_DIR, 'perf.json'), `${JSON.stringify(perf, null, 2)}\n`)
    console.log(`board at scale: ${JSON.stringify(perf)}`)
    expect(taskLists.length).toBeGreaterThan(TASK_COUNT / 1000)
    expect(taskLists.filter((url) => !url.searchParams.has('limit')).map(String)).toEqual([])
    const missing = ids.filter((id) => !seen.has(TEST_IDS.card(id)))
    expect(missing.length, `cards never rendered, e.g. ${missing.slice(0, 5).join(', ')}`).toBe(0)
  })
})
