import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { chromium } from 'playwright-core'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, onTestFinished } from 'vitest'

import { TEST_IDS } from '../../web/src/test-ids.js'
import { findChromium } from '../browser/find-chromium.js'
import { seedProject } from './fixtures.js'
import type { Project } from './fixtures.js'
import { startTestServer } from './test-server.js'
import type { TestServer } from './test-server.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** Screenshots and perf numbers of the browser lane; ignored by git. */
export const ARTIFACTS_DIR = join(ROOT, 'test-artifacts')
const SCREENSHOTS_DIR = join(ARTIFACTS_DIR, 'screenshots')
const DASHBOARD_INDEX = join(ROOT, 'dist', 'web', 'index.html')

// Code passed to page.evaluate runs in Chromium; this Node-side program has no DOM lib (adding it
// would let src/ use browser globals unnoticed), so each file names the little it uses.
declare const location: { hash: string }

const LAUNCH_TIMEOUT_MS = 60_000
const CLOSE_TIMEOUT_MS = 20_000

/** `hpm serve` serves the dashboard only once it is built; say how to build it instead of a vague 404. */
export function requireDashboardBuild(): void {
  if (!existsSync(DASHBOARD_INDEX))
    throw new Error(`${DASHBOARD_INDEX} is missing: run npm run build first`)
}

/** Headless Chromium from HPM_TEST_CHROMIUM, /usr/bin/chromium or PATH (see test/browser/find-chromium.js). */
export async function launchBrowser(): Promise<Browser> {
  const found = findChromium()
  if (found.path === undefined) throw new Error(`no chromium for the browser lane: ${found.reason}`)
  return chromium.launch({
    executablePath: found.path,
    headless: true,
    args: ['--no-sandbox'],
    timeout: LAUNCH_TIMEOUT_MS,
  })
}

/** Closes the browser, giving up after a bound: a stuck close must not hold the run (Playwright kills it at exit). */
export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  if (!browser) return
  await withTimeout(browser.close(), CLOSE_TIMEOUT_MS, 'closing chromium')
}

export interface OpenPageOptions extends Pick<BrowserContextOptions, 'colorScheme' | 'viewport'> {
  /**
   * Console errors this test expects. Chromium logs every non-2xx fetch as `Failed to load
   * resource: ... status of 409`, so a test that provokes a refusal lists that status here.
   */
  allowedConsoleErrors?: RegExp[]
}

/**
 * A page in a fresh context (its own storage, so no sign-in leaks between tests). When the test
 * ends the context is closed, and the test fails if the page logged a console error it did not
 * allow or threw an uncaught error; a failed test leaves a `failed-<test name>.png` screenshot.
 */
export async function openPage(browser: Browser, options: OpenPageOptions = {}): Promise<Page> {
  const { allowedConsoleErrors = [], ...contextOptions } = options
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    ...contextOptions,
  })
  // Generous: CI runs this lane beside the runner suites on two cores. Failing waits name what they waited for.
  context.setDefaultTimeout(30_000)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    const text = message.text()
    if (allowedConsoleErrors.some((pattern) => pattern.test(text))) return
    const { url, lineNumber } = message.location()
    errors.push(`console error: ${text}${url ? ` (${url}:${lineNumber})` : ''}`)
  })
  page.on('pageerror', (error) => errors.push(`page error: ${error.stack ?? error.message}`))

  onTestFinished(async ({ task }) => {
    const failureShot = `failed-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}`
    try {
      if (task.result?.state === 'fail') await screenshot(page, failureShot).catch(() => undefined)
      else rmSync(join(SCREENSHOTS_DIR, `${failureShot}.png`), { force: true })
    } finally {
      await withTimeout(context.close(), CLOSE_TIMEOUT_MS, 'closing a browser context')
    }
    if (errors.length === 0) return
    // The server lists dist/web's files when it starts, so a rebuild during the run 404s the new assets.
    const hint = errors.some((e) => e.includes('status of 404') && e.includes('/assets/'))
      ? '\n(dist/web was probably rebuilt while this test ran; run it again)'
      : ''
    throw new Error(`the page reported ${errors.length} error(s):\n${errors.join('\n')}${hint}`)
  })
  return page
}

/** Saves the viewport (or the whole page) as test-artifacts/screenshots/<name>.png and returns its path. */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true })
  const path = join(SCREENSHOTS_DIR, `${name}.png`)
  await page.screenshot({ path, fullPage: options.fullPage ?? false, animations: 'disabled' })
  return path
}

/**
 * Signs in the way a person does, with the URL `hpm serve` prints, and waits until the event
 * stream is live; then shows `route` (a hash such as `#/board`) without reloading.
 */
export async function signIn(page: Page, server: TestServer, route = '#/'): Promise<void> {
  await page.goto(`${server.url}/#key=${server.apiKey}`)
  await page.locator(`[data-testid="${TEST_IDS.connection}"][data-state="live"]`).waitFor()
  await showRoute(page, route)
}

/** Changes the location hash in place, as a click on a nav link would. */
export async function showRoute(page: Page, route: string): Promise<void> {
  await page.evaluate((hash) => {
    location.hash = hash
  }, route)
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** What a dashboard test file works with: a real server, a seeded project, one browser. */
export interface DashboardWorld {
  server: TestServer
  browser: Browser
  project: Project
}

/**
 * Starts the server (with `env`) and the browser before the file's tests and closes both after.
 * The returned object is filled in by `beforeAll`: read its fields inside tests only.
 */
export function dashboardWorld(env: Record<string, string> = {}): DashboardWorld {
  const world = {} as DashboardWorld
  beforeAll(async () => {
    requireDashboardBuild()
    world.server = await startTestServer({ env })
    world.browser = await launchBrowser()
    world.project = await seedProject(world.server.api)
  })
  afterAll(async () => {
    await closeBrowser(world.browser)
    await world.server?.close()
  })
  return world
}

/** vitest's poll with a timeout that suits a loaded machine (its default is one second). */
export function poll<T>(read: () => Promise<T> | T) {
  return expect.poll(read, { timeout: 30_000, interval: 100 })
}
