import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterEach, describe, expect, it } from 'vitest'

import { ApiUnavailableError, HeadlessPMClient } from '../client/index.js'
import { untilServerAnswers } from './server-calls.js'

const servers: Array<ReturnType<typeof createServer>> = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

function serveRoot(port: number): void {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ message: 'Headless PM API', docs: '/api/v1/docs', health: 'ok' }))
  })
  servers.push(server)
  server.listen(port, '127.0.0.1')
}

describe('untilServerAnswers', () => {
  it('waits for a server that comes up later and returns its answer', async () => {
    const port = await freePort()
    const client = new HeadlessPMClient({ baseUrl: `http://127.0.0.1:${port}`, retries: 0 })
    const retries: number[] = []
    setTimeout(() => serveRoot(port), 700)

    const root = await untilServerAnswers(() => client.getRoot(), {
      signal: new AbortController().signal,
      firstDelayMs: 100,
      maxDelayMs: 400,
      onRetry: (_e, delayMs) => retries.push(delayMs),
    })

    expect(root.message).toBe('Headless PM API')
    expect(retries.length).toBeGreaterThan(0)
    expect(Math.max(...retries)).toBeLessThanOrEqual(400)
  })

  it('gives up with the unavailable error when stopped', async () => {
    const port = await freePort()
    const client = new HeadlessPMClient({ baseUrl: `http://127.0.0.1:${port}`, retries: 0 })
    const stop = new AbortController()
    setTimeout(() => stop.abort(), 300)

    await expect(
      untilServerAnswers(() => client.getRoot(), { signal: stop.signal, firstDelayMs: 100 }),
    ).rejects.toBeInstanceOf(ApiUnavailableError)
  })
})
