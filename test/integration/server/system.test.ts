import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { registerAgent, seedProject, makeTask } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ env: { PROJECT_NAME: 'Acme Rocket' } })
})
afterAll(async () => {
  await server.close()
})

describe('GET /', () => {
  it('returns the v1 greeting when called without a key', async () => {
    const res = await server.api('/', { key: null })

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ message: 'Headless PM API', docs: '/api/v1/docs', health: 'ok' })
  })

  it('returns the dashboard page to a browser (Accept: text/html), without a key', async () => {
    const res = await fetch(`${server.url}/`, {
      headers: { accept: 'text/html,application/xhtml+xml' },
    })
    const html = await res.text()
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
    const script = await fetch(`${server.url}${asset}`)

    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(html).toContain('<div id="root">')
    expect(script.status).toBe(200)
    expect(script.headers.get('cache-control')).toContain('immutable')
  })
})

describe('GET /health', () => {
  it('reports a healthy database and a Z timestamp when called without a key', async () => {
    const res = await server.api('/health', { key: null })

    expect(res.status).toBe(200)
    // CI and `npm install` build the dashboard (the package's prepare script).
    expect(res.body).toMatchObject({
      status: 'healthy',
      service: 'headless-pm-api',
      database: 'healthy',
      dashboard: 'installed',
    })
    expect(res.body.timestamp).toMatch(/Z$/)
  })
})

describe('GET /status', () => {
  it('counts agents, tasks, documents and services when called without a key', async () => {
    const project = await seedProject(server.api)
    await registerAgent(server.api)
    await makeTask(server.api, project)
    await server.api(`/api/v1/documents?author_id=${project.pm}`, {
      method: 'POST',
      body: { doc_type: 'update', title: 't', content: 'c' },
    })

    const res = await server.api('/status', { key: null })

    expect(res.status).toBe(200)
    expect(res.body.service).toBe('headless-pm-api')
    expect(res.body.metrics).toMatchObject({
      total_agents: 2,
      active_agents: 2,
      total_tasks: 1,
      total_documents: 1,
      total_services: 0,
    })
    expect(res.body.metrics.tasks_by_status).toEqual({ created: 1 })
  })
})

describe('GET /api/v1/context', () => {
  it('returns the configured project name and the database in use when called without a key', async () => {
    const res = await server.api('/api/v1/context', { key: null })

    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      project_name: 'Acme Rocket',
      database_type: server.running.connection.dialect,
    })
    expect(res.body).toHaveProperty('shared_path')
    expect(res.body).toHaveProperty('instructions_path')
    expect(res.body).toHaveProperty('project_docs_path')
  })
})

describe('GET /api/v1/docs', () => {
  it('serves the interactive docs as HTML when called without a key', async () => {
    const res = await fetch(`${server.url}/api/v1/docs`)
    const text = await res.text()

    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(text.toLowerCase()).toContain('swagger')
  })
})

describe('GET /api/v1/openapi.json', () => {
  it('describes every v1 path when called without a key', async () => {
    const res = await server.api('/api/v1/openapi.json', { key: null })

    expect(res.status).toBe(200)
    expect(res.body.info.title).toBe('Headless PM API')
    const paths = Object.keys(res.body.paths)
    for (const path of [
      '/api/v1/register',
      '/api/v1/agents',
      '/api/v1/epics',
      '/api/v1/features',
      '/api/v1/tasks/create',
      '/api/v1/tasks',
      '/api/v1/tasks/next',
      '/api/v1/tasks/claim',
      '/api/v1/tasks/{task_id}/lock',
      '/api/v1/tasks/{task_id}/status',
      '/api/v1/tasks/{task_id}/comment',
      '/api/v1/changelog',
      '/api/v1/changes',
      '/api/v1/documents',
      '/api/v1/services/register',
      '/api/v1/mentions',
    ]) {
      expect(paths).toContain(path)
    }
  })
})
