// Where the browser lane's Chromium is. Plain JavaScript so scripts/test.js (plain Node) and
// vitest.config.ts share one answer to "does the browser lane run?".
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'

const DEFAULT_PATH = '/usr/bin/chromium'

function isExecutableFile(path) {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * HPM_TEST_CHROMIUM when set (and then only it: a wrong value skips the lane rather than testing
 * some other browser), else /usr/bin/chromium, else `chromium` on PATH.
 */
export function findChromium(env = process.env) {
  const chosen = env.HPM_TEST_CHROMIUM
  if (chosen) {
    return isExecutableFile(chosen)
      ? { path: chosen }
      : { path: undefined, reason: `HPM_TEST_CHROMIUM=${chosen} is not an executable file` }
  }
  if (isExecutableFile(DEFAULT_PATH)) return { path: DEFAULT_PATH }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && isExecutableFile(join(dir, 'chromium')))
      return { path: join(dir, 'chromium') }
  }
  return { path: undefined, reason: `neither ${DEFAULT_PATH} nor chromium on PATH exists` }
}

/** The line scripts/test.js prints when the lane cannot run. */
export const SKIPPED_MESSAGE =
  'browser lane skipped: no chromium (apt-get install chromium, or set HPM_TEST_CHROMIUM)'
