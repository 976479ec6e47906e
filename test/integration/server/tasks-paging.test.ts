import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { HeadlessPMClient } from '../../../src/client/index.js'
import { makeTask, registerAgent, seedProject } from '../../helpers/fixtures.js'
import type { Project } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

let server: TestServer
let project: Project

beforeAll(async () => {
  server = await startTestServer()
  project = await seedProject(server.api)
  for (let i = 0; i < 25; i++)
    await makeTask(server.api, project, {
      title: `paged ${i}`,
      target_role: i % 2 ? 'qa' : 'backend_dev',
    })
})
afterAll(async () => {
  await server.close()
})

async function allPages(
  query: string,
  limit: number,
  from: string | null = null,
): Promise<{ ids: number[]; pages: number }> {
  const ids: number[] = []
  let cursor = from
  let pages = 0
  do {
    const res = await server.api(
      `/api/v1/tasks?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    )
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.length).toBeLessThanOrEqual(limit)
    ids.push(...res.body.map((t: { id: number }) => t.id))
    cursor = res.headers.get('x-next-cursor')
    pages++
  } while (cursor !== null)
  return { ids, pages }
}

describe('GET /tasks in pages', () => {
  it('pages through every task newest first, each exactly once, the same order as the whole list', async () => {
    const whole = await server.api('/api/v1/tasks')

    const paged = await allPages('', 10)

    expect(whole.headers.get('x-next-cursor')).toBeNull()
    expect(paged.ids).toEqual(whole.body.map((t: { id: number }) => t.id))
    expect(paged.pages).toBe(3)
  })

  it('pages a filtered list, and a task created between pages is not shown twice nor shifts the rest', async () => {
    const first = await server.api('/api/v1/tasks?role=qa&limit=5')
    await makeTask(server.api, project, { title: 'arrived later', target_role: 'qa' })
    const rest = await allPages('role=qa', 5, first.headers.get('x-next-cursor'))

    const ids = [...first.body.map((t: { id: number }) => t.id), ...rest.ids]
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toHaveLength(12)
  })

  it("gives the client's listTasksPage each page and the next cursor, none after the last", async () => {
    const client = new HeadlessPMClient({ baseUrl: server.url, apiKey: server.apiKey })
    const seen: number[] = []
    let page = await client.listTasksPage({ limit: 20 })
    seen.push(...page.tasks.map((t) => t.id))
    while (page.nextCursor !== undefined) {
      page = await client.listTasksPage({ limit: 20, cursor: page.nextCursor })
      seen.push(...page.tasks.map((t) => t.id))
    }

    expect(seen).toEqual((await client.listTasks()).map((t) => t.id))
  })

  it("reads every task through the client's listTasksInPages, a page at a time", async () => {
    const client = new HeadlessPMClient({ baseUrl: server.url, apiKey: server.apiKey })
    const whole = (await client.listTasks()).map((t) => t.id)

    const paged = await client.listTasksInPages({}, { pageSize: 7 })
    const qa = await client.listTasksInPages({ role: 'qa' }, { pageSize: 4 })

    expect(paged.map((t) => t.id)).toEqual(whole)
    expect(whole.length).toBeGreaterThan(7 * 3)
    expect(qa.map((t) => t.id)).toEqual((await client.listTasks({ role: 'qa' })).map((t) => t.id))
  })

  it('lists the tasks whose work lives on a branch (work_branch=)', async () => {
    const task = await makeTask(server.api, project, { title: 'on a branch' })
    const patched = await server.api(`/api/v1/tasks/${task.id}?agent_id=${project.pm}`, {
      method: 'PATCH',
      body: { work_branch: 'feature/shared-42' },
    })
    expect(patched.status, JSON.stringify(patched.body)).toBe(200)

    const onBranch = await server.api('/api/v1/tasks?work_branch=feature%2Fshared-42')
    const elsewhere = await server.api('/api/v1/tasks?work_branch=feature%2Fnobody')
    const invalid = await server.api('/api/v1/tasks?work_branch=has%20space')

    expect(onBranch.body.map((t: { id: number }) => t.id)).toEqual([task.id])
    expect(elsewhere.body).toEqual([])
    expect(invalid.status).toBe(422)
    expect(JSON.stringify(invalid.body)).toMatch(/work_branch.*git branch name/)
  })

  it('refuses a made-up cursor and a limit out of range with 422', async () => {
    const dev = await registerAgent(server.api)
    for (const query of [
      'limit=0',
      'limit=1001',
      'limit=abc',
      'limit=5&cursor=bm90LWEtY3Vyc29y',
      'limit=5&cursor=%2F%2F',
    ]) {
      const res = await server.api(`/api/v1/tasks?${query}&locked_by=${dev}`)
      expect(res.status, query).toBe(422)
    }
  })
})
