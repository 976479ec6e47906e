import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  eventually,
  expectClientError,
  snapshotDatabase,
  uniqueId,
} from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

async function registerService(owner: string, body: Record<string, unknown> = {}) {
  const res = await server.api(`/api/v1/services/register?agent_id=${owner}`, {
    method: 'POST',
    body: { service_name: uniqueId('svc'), ping_url: 'http://127.0.0.1:9/health', ...body },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

describe('POST /services/register', () => {
  it('registers the service as up, owned by the caller, with a heartbeat when no status is given', async () => {
    const owner = uniqueId('dev')

    const svc = await registerService(owner, {
      service_name: 'backend-api',
      port: 8000,
      meta_data: { env: 'dev' },
    })

    expect(svc).toMatchObject({
      service_name: 'backend-api',
      owner_agent_id: owner,
      ping_url: 'http://127.0.0.1:9/health',
      port: 8000,
      status: 'up',
      last_ping_at: null,
      last_ping_success: null,
      meta_data: { env: 'dev' },
    })
    expect(svc.last_heartbeat).toMatch(/Z$/)
  })

  it('updates the existing service when its owner registers the name again', async () => {
    const owner = uniqueId('dev')
    const first = await registerService(owner, { status: 'starting' })

    const again = await registerService(owner, {
      service_name: first.service_name,
      port: 9000,
      status: 'down',
    })

    expect(again).toMatchObject({ id: first.id, owner_agent_id: owner, port: 9000, status: 'down' })
    const list = await server.api('/api/v1/services')
    expect(list.body.filter((s: any) => s.service_name === first.service_name)).toHaveLength(1)
  })
})

describe('POST /services/register ping_url', () => {
  it.each([
    'ftp://127.0.0.1/x',
    'file:///etc/passwd',
    'gopher://127.0.0.1:70/',
    'javascript:alert(1)',
  ])('returns 422 naming ping_url and stores nothing when it is %s', async (pingUrl) => {
    const before = await snapshotDatabase(server)

    const res = await server.api(`/api/v1/services/register?agent_id=${uniqueId('dev')}`, {
      method: 'POST',
      body: { service_name: uniqueId('svc'), ping_url: pingUrl },
    })

    expectClientError(res, 422, 'ping_url')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it.each([
    'http://8.8.8.8/health',
    'http://169.254.169.254/latest/meta-data/',
    'https://[2001:db8::1]/',
  ])(
    'returns 422 naming HPM_PING_ALLOW and stores nothing when the default private policy meets %s',
    async (pingUrl) => {
      const before = await snapshotDatabase(server)

      const res = await server.api(`/api/v1/services/register?agent_id=${uniqueId('dev')}`, {
        method: 'POST',
        body: { service_name: uniqueId('svc'), ping_url: pingUrl },
      })

      expectClientError(res, 422, 'HPM_PING_ALLOW=private')
      expect(res.body.detail).toContain('ping_url')
      expect(await snapshotDatabase(server)).toBe(before)
    },
  )

  it('registers a public address when HPM_PING_ALLOW=any', async () => {
    const open = await startTestServer({ env: { HPM_PING_ALLOW: 'any' } })
    try {
      const res = await open.api(`/api/v1/services/register?agent_id=${uniqueId('dev')}`, {
        method: 'POST',
        body: { service_name: 'public', ping_url: 'http://8.8.8.8/health' },
      })

      expect(res.status, JSON.stringify(res.body)).toBe(200)
    } finally {
      await open.close()
    }
  })
})

describe('GET /services', () => {
  it('lists services by name when several are registered', async () => {
    const owner = uniqueId('dev')
    await registerService(owner, { service_name: 'zz-last' })
    await registerService(owner, { service_name: 'aa-first' })

    const res = await server.api('/api/v1/services')

    const names = res.body.map((s: any) => s.service_name)
    expect(names).toEqual([...names].sort())
    expect(names).toEqual(expect.arrayContaining(['aa-first', 'zz-last']))
  })
})

describe('POST /services/{service_name}/heartbeat', () => {
  it('marks the service up and moves last_heartbeat when the owner sends one', async () => {
    const owner = uniqueId('dev')
    const svc = await registerService(owner, { status: 'down' })

    const res = await server.api(
      `/api/v1/services/${svc.service_name}/heartbeat?agent_id=${owner}`,
      { method: 'POST' },
    )

    expect(res.status).toBe(200)
    expect(res.body.status).toBe('up')
    expect(res.body.last_heartbeat >= svc.last_heartbeat).toBe(true)
  })

  it('returns 403 with v1 wording and changes nothing when another agent sends one', async () => {
    const svc = await registerService(uniqueId('dev'), { status: 'down' })
    const before = await snapshotDatabase(server)

    const res = await server.api(
      `/api/v1/services/${svc.service_name}/heartbeat?agent_id=${uniqueId('intruder')}`,
      { method: 'POST' },
    )

    expectClientError(res, 403, 'Only service owner can send heartbeat')
    expect(await snapshotDatabase(server)).toBe(before)
  })
})

describe('DELETE /services/{service_name}', () => {
  it('removes the service when the owner unregisters it', async () => {
    const owner = uniqueId('dev')
    const svc = await registerService(owner)

    const res = await server.api(`/api/v1/services/${svc.service_name}?agent_id=${owner}`, {
      method: 'DELETE',
    })

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ message: `Service ${svc.service_name} unregistered successfully` })
    expect(
      (await server.api('/api/v1/services')).body.map((s: any) => s.service_name),
    ).not.toContain(svc.service_name)
  })

  it('returns 403 with v1 wording and keeps the service when another agent unregisters it', async () => {
    const svc = await registerService(uniqueId('dev'))
    const before = await snapshotDatabase(server)

    const res = await server.api(
      `/api/v1/services/${svc.service_name}?agent_id=${uniqueId('intruder')}`,
      { method: 'DELETE' },
    )

    expectClientError(res, 403, 'Only service owner can unregister service')
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('returns 404 Service not found when the service does not exist', async () => {
    const res = await server.api(`/api/v1/services/nothing-here?agent_id=${uniqueId('dev')}`, {
      method: 'DELETE',
    })

    expectClientError(res, 404, 'Service not found')
  })
})

describe('service ping checker', () => {
  let pinged: TestServer
  let target: Server
  let answer = 200

  beforeAll(async () => {
    target = createServer((_req, res) => {
      res.statusCode = answer
      res.end('ok')
    })
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
    pinged = await startTestServer({ env: { HPM_SERVICE_PING_INTERVAL: '1' } })
  })
  afterAll(async () => {
    await pinged.close()
    await new Promise((resolve) => target.close(resolve))
  })

  it('marks a service up when its ping answers 200, then down when it answers 500', async () => {
    const port = (target.address() as AddressInfo).port
    const owner = uniqueId('dev')
    await pinged.api(`/api/v1/services/register?agent_id=${owner}`, {
      method: 'POST',
      body: {
        service_name: 'pinged',
        ping_url: `http://127.0.0.1:${port}/health`,
        status: 'starting',
      },
    })
    const service = async () =>
      (await pinged.api('/api/v1/services')).body.find((s: any) => s.service_name === 'pinged')

    const up = await eventually(async () => {
      const s = await service()
      return s.last_ping_success === true ? s : undefined
    })
    answer = 500
    const down = await eventually(async () => {
      const s = await service()
      return s.status === 'down' ? s : undefined
    })

    expect(up).toMatchObject({ status: 'up', last_ping_success: true })
    expect(up.last_ping_at).toMatch(/Z$/)
    expect(down).toMatchObject({ status: 'down', last_ping_success: false })
    expect(down.last_ping_at > up.last_ping_at).toBe(true)
  })

  it('marks a service down when nothing listens at its ping URL', async () => {
    const owner = uniqueId('dev')
    await pinged.api(`/api/v1/services/register?agent_id=${owner}`, {
      method: 'POST',
      body: { service_name: 'nobody-home', ping_url: 'http://127.0.0.1:9/health' },
    })

    const down = await eventually(async () => {
      const s = (await pinged.api('/api/v1/services')).body.find(
        (x: any) => x.service_name === 'nobody-home',
      )
      return s.last_ping_success === false ? s : undefined
    })

    expect(down).toMatchObject({ status: 'down', last_ping_success: false })
  })
})
