import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { spawnStreaming } from '../../src/lib/index.js'
import { HPM_BIN } from '../helpers/runner-harness.js'

describe('hpm serve', () => {
  it("prints the URL for agents under both names, hpm's and v1's client's, and the dashboard URL with the key in its fragment", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hpm-banner-'))
    let banner = ''
    let sawAgents: () => void = () => undefined
    const agentsLine = new Promise<void>((resolve) => (sawAgents = resolve))

    const server = await spawnStreaming(
      process.execPath,
      [HPM_BIN, 'serve', '--port', '0', '--data-dir', dataDir],
      {
        cwd: dataDir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dataDir,
          HPM_LOG_LEVEL: 'silent',
          HPM_SERVICE_PING_INTERVAL: '0',
        },
        timeoutMs: 60_000,
        // The banner is for people: it goes to stderr, stdout stays for command output.
        onStderr: (chunk) => {
          banner += chunk
          if (/agents:.*\n/.test(banner)) sawAgents()
        },
      },
    )
    try {
      await Promise.race([agentsLine, server.done])
    } finally {
      server.kill('abort')
      await server.done
      rmSync(dataDir, { recursive: true, force: true })
    }

    const agents = banner.split('\n').find((line) => line.includes('agents:')) ?? ''
    const url = /HEADLESS_PM_API_URL=(\S+)/.exec(agents)?.[1]
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(agents).toContain(`HEADLESS_PM_URL=${url}`)
    expect(agents).toMatch(/HEADLESS_PM_API_KEY=hpm_[\w-]{16,}/)
    const key = /HEADLESS_PM_API_KEY=(\S+)/.exec(agents)?.[1]
    // The fragment never reaches the server, so the key stays out of its logs.
    expect(banner).toContain(`dashboard: ${url}/#key=${key}`)
  })
})
