import { describe, expect, it } from 'vitest'

import {
  MAX_RESTART_DELAY_MS,
  nextCrashCount,
  onPurposeReason,
  restartDelayMs,
} from './restart-policy.js'

describe('onPurposeReason', () => {
  it.each([
    [0, null, true],
    [1, null, true],
    [2, null, true],
    [3, null, false],
    [130, null, true],
    [143, null, true],
    [137, null, false],
    [null, 'SIGKILL', false],
    [null, 'SIGSEGV', false],
  ])('exit %s signal %s is on purpose: %s', (exitCode, signal, expected) => {
    expect(onPurposeReason({ exitCode, signal }) !== undefined).toBe(expected)
  })
})

describe('restartDelayMs', () => {
  it('restarts at once after the first crash, then doubles from 1 s up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 30].map((n) => restartDelayMs(n))

    expect(delays).toEqual([0, 1000, 2000, 4000, 8000, MAX_RESTART_DELAY_MS])
  })
})

describe('nextCrashCount', () => {
  it('starts afresh when the runner ran for a while before it crashed', () => {
    expect(nextCrashCount(5, 120_000, 60_000)).toBe(1)
    expect(nextCrashCount(5, 1_000, 60_000)).toBe(6)
  })
})
