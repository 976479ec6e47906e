import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { childEnv, runProcess } from '../../src/lib/index.js'

const HPM_BIN = join(import.meta.dirname, '..', '..', 'bin', 'hpm.js')

describe('hpm demo', () => {
  it(
    'takes the sample task to committed with the fake claude and exits 0',
    { timeout: 130_000 },
    async () => {
      const result = await runProcess(process.execPath, [HPM_BIN, 'demo'], {
        // The demo must not depend on the caller's server settings or git identity.
        env: childEnv({
          HEADLESS_PM_API_URL: undefined,
          HEADLESS_PM_API_KEY: undefined,
          NO_COLOR: '1',
        }),
        timeoutMs: 120_000,
      })

      const output = result.stdout + result.stderr
      expect(result.exitCode, output).toBe(0)
      expect(output).toContain('committed')
      expect(output).toMatch(/task #\d+ is committed/)
    },
  )
})
