import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { pingService } from './service-ping.js'

describe('pingService', () => {
  const target = createServer((_req, res) => {
    hits++
    res.end('ok')
  })
  let hits = 0
  let port = 0

  beforeAll(async () => {
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
    port = (target.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise((resolve) => target.close(resolve))
  })

  it('reaches a service by a name that resolves to loopback when allow is private', async () => {
    const before = hits

    const ok = await pingService(`http://localhost:${port}/health`, {
      timeoutMs: 5000,
      allow: 'private',
    })

    expect(ok).toBe(true)
    expect(hits).toBe(before + 1)
  })

  it('never connects and reports a failed ping when allow is none', async () => {
    const before = hits

    const ok = await pingService(`http://127.0.0.1:${port}/health`, {
      timeoutMs: 5000,
      allow: 'none',
    })

    expect(ok).toBe(false)
    expect(hits).toBe(before)
  })
})
