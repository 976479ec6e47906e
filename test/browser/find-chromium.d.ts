export type ChromiumLookup =
  { path: string; reason?: undefined } | { path: undefined; reason: string }

/**
 * HPM_TEST_CHROMIUM when set (and then only it), else /usr/bin/chromium, else `chromium` on PATH;
 * `reason` says why none was found.
 */
export function findChromium(env?: Record<string, string | undefined>): ChromiumLookup

/** The line scripts/test.js prints when the lane cannot run. */
export const SKIPPED_MESSAGE: string
