import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startTestServer } from '../helpers/test-server.js'
import type { TestServer } from '../helpers/test-server.js'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

describe('hpm serve', () => {
  it('answers /health without a key', async () => {
    const res = await server.api('/health', { key: null })

    expect(res.status).toBe(200)
    expect(res.body.status).toBe('healthy')
  })

  it('runs a task from creation to claim', async () => {
    await server.api('/api/v1/register', {
      method: 'POST',
      body: { agent_id: 'pm_1', role: 'pm', level: 'principal' },
    })
    await server.api('/api/v1/register', {
      method: 'POST',
      body: { agent_id: 'dev_1', role: 'backend_dev', level: 'senior' },
    })
    const epic = await server.api('/api/v1/epics?agent_id=pm_1', {
      method: 'POST',
      body: { name: 'E', description: 'd' },
    })
    const feature = await server.api('/api/v1/features?agent_id=pm_1', {
      method: 'POST',
      body: { epic_id: epic.body.id, name: 'F', description: 'd' },
    })
    const task = await server.api('/api/v1/tasks/create?agent_id=pm_1', {
      method: 'POST',
      body: {
        feature_id: feature.body.id,
        title: 'T',
        description: 'd',
        target_role: 'backend_dev',
        difficulty: 'junior',
        branch: 'feature/t',
      },
    })

    const claim = await server.api('/api/v1/tasks/claim', {
      method: 'POST',
      body: { agent_id: 'dev_1', timeout: 0 },
    })

    expect(task.body.status).toBe('created')
    expect(claim.status).toBe(200)
    expect(claim.body).toMatchObject({
      id: task.body.id,
      status: 'under_work',
      locked_by: 'dev_1',
      claimed_from: 'created',
    })
  })
})
