import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { lock, makeTask, registerAgent, seedProject, uniqueId } from '../../helpers/fixtures.js'
import type { Project } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

// Per-agent tokens: registering hands one out; a call made with it acts as that agent only.

async function registerWithToken(
  server: TestServer,
  role = 'backend_dev',
  init: { key?: string; requester?: string; agentId?: string } = {},
) {
  const agentId = init.agentId ?? uniqueId(role)
  const query = init.requester ? `?requester_agent_id=${init.requester}` : ''
  const res = await server.api(`/api/v1/register${query}`, {
    method: 'POST',
    body: { agent_id: agentId, role, level: 'senior' },
    key: init.key,
  })
  return { agentId, res, token: res.body.token as string | undefined }
}

describe('agent tokens', () => {
  let server: TestServer
  let project: Project

  beforeAll(async () => {
    server = await startTestServer()
    project = await seedProject(server.api)
  })
  afterAll(async () => {
    await server.close()
  })

  it('hands a token to an agent registered with the project key, and keeps only its hash', async () => {
    const { agentId, res, token } = await registerWithToken(server)

    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(token).toMatch(/^hpm_agent_[\w-]{32}$/)
    const mine = await server.api(`/api/v1/agents/${agentId}/heartbeat`, {
      method: 'POST',
      key: token,
    })
    expect(mine.status, JSON.stringify(mine.body)).toBe(200)
    // What is stored is looked at in the SQLite lane (the PostgreSQL lane runs the same code).
    if (server.config.databaseUrl.startsWith('sqlite:')) {
      const db = new Database(server.config.databaseUrl.slice('sqlite:'.length), { readonly: true })
      const rows = db.prepare('SELECT * FROM agent_tokens WHERE agent_id = ?').all(agentId)
      db.close()
      expect(rows).toHaveLength(1)
      expect(JSON.stringify(rows)).not.toContain(token!.slice('hpm_agent_'.length))
    }
  })

  it('refuses with 403 a call made with a token that names another agent, and changes nothing', async () => {
    const mallory = await registerWithToken(server)
    const victim = await registerAgent(server.api, { role: 'backend_dev' })
    const task = await makeTask(server.api, project)
    expect((await lock(server.api, task.id, victim)).status).toBe(200)

    const attempts = [
      server.api(`/api/v1/tasks/${task.id}/status?agent_id=${victim}`, {
        method: 'PUT',
        body: { status: 'dev_done' },
        key: mallory.token,
      }),
      server.api(`/api/v1/tasks/${task.id}/comment?agent_id=${victim}`, {
        method: 'POST',
        body: { comment: 'as the victim' },
        key: mallory.token,
      }),
      server.api(`/api/v1/agents/${victim}/heartbeat`, { method: 'POST', key: mallory.token }),
      server.api(`/api/v1/mentions?agent_id=${victim}`, { key: mallory.token }),
      server.api('/api/v1/register', {
        method: 'POST',
        body: { agent_id: victim, role: 'pm', level: 'principal' },
        key: mallory.token,
      }),
      server.api(`/api/v1/agents/${victim}/tokens`, { method: 'DELETE', key: mallory.token }),
    ]

    for (const res of await Promise.all(attempts)) {
      expect(res.status, JSON.stringify(res.body)).toBe(403)
      expect(res.body.detail).toContain(`acts as agent ${mallory.agentId}`)
    }
    const after = (await server.api(`/api/v1/tasks/${task.id}`)).body
    expect(after).toMatchObject({ status: 'under_work', locked_by: victim })
    expect(after.comments).toEqual([])
    const agents = (await server.api('/api/v1/agents')).body as Array<{
      agent_id: string
      role: string
    }>
    expect(agents.find((a) => a.agent_id === victim)?.role).toBe('backend_dev')
  })

  it("makes a token's call that names no agent its agent's: it may not delete a pm's document, only its own, nor read everyone's mentions", async () => {
    const dev = await registerWithToken(server)
    const pmDoc = await server.api(`/api/v1/documents?author_id=${project.pm}`, {
      method: 'POST',
      body: { doc_type: 'update', title: 'plan', content: 'the plan' },
    })
    const ownDoc = await server.api(`/api/v1/documents?author_id=${dev.agentId}`, {
      method: 'POST',
      body: { doc_type: 'update', title: 'mine', content: 'notes' },
      key: dev.token,
    })

    const deletePm = await server.api(`/api/v1/documents/${pmDoc.body.id}`, {
      method: 'DELETE',
      key: dev.token,
    })
    const deleteOwn = await server.api(`/api/v1/documents/${ownDoc.body.id}`, {
      method: 'DELETE',
      key: dev.token,
    })
    const overview = await server.api('/api/v1/mentions/by-role?role=pm', { key: dev.token })

    expect(deletePm.status, JSON.stringify(deletePm.body)).toBe(403)
    expect((await server.api(`/api/v1/documents/${pmDoc.body.id}`)).status).toBe(200)
    expect(deleteOwn.status, JSON.stringify(deleteOwn.body)).toBe(200)
    expect(overview.status).toBe(403)
  })

  it('lets a token act as its own agent: claim, report, read its mentions, re-register without a new token', async () => {
    const dev = await registerWithToken(server)
    const task = await makeTask(server.api, project)

    const locked = await server.api(`/api/v1/tasks/${task.id}/lock?agent_id=${dev.agentId}`, {
      method: 'POST',
      key: dev.token,
    })
    const done = await server.api(`/api/v1/tasks/${task.id}/status?agent_id=${dev.agentId}`, {
      method: 'PUT',
      body: { status: 'dev_done' },
      key: dev.token,
    })
    const mentions = await server.api(`/api/v1/mentions?agent_id=${dev.agentId}`, {
      key: dev.token,
    })
    const again = await registerWithToken(server, 'backend_dev', {
      agentId: dev.agentId,
      key: dev.token,
    })

    expect(locked.status, JSON.stringify(locked.body)).toBe(200)
    expect(done.status, JSON.stringify(done.body)).toBe(200)
    expect(mentions.status).toBe(200)
    expect(again.res.status).toBe(200)
    expect(again.token).toBeUndefined()
  })

  it("lets a pm's token register another agent, which gets its own token, but not a dev's token", async () => {
    const pm = await registerWithToken(server, 'pm')
    const dev = await registerWithToken(server)

    const byPm = await registerWithToken(server, 'qa', { key: pm.token, requester: pm.agentId })
    const byDev = await registerWithToken(server, 'qa', { key: dev.token, requester: dev.agentId })

    expect(byPm.res.status, JSON.stringify(byPm.res.body)).toBe(200)
    expect(byPm.token).toMatch(/^hpm_agent_/)
    expect(byDev.res.status).toBe(403)
    expect(
      (await server.api('/api/v1/agents')).body.map((a: { agent_id: string }) => a.agent_id),
    ).not.toContain(byDev.agentId)
  })

  it('answers 401 to a revoked token and to a made-up one; a new registration issues a working one', async () => {
    const dev = await registerWithToken(server)
    const other = await registerWithToken(server, 'backend_dev', { agentId: dev.agentId })

    const revoked = await server.api(`/api/v1/agents/${dev.agentId}/tokens`, { method: 'DELETE' })

    expect(revoked.body).toEqual({ agent_id: dev.agentId, revoked: 2 })
    for (const token of [dev.token, other.token, 'hpm_agent_made-up-token-000000000000000000']) {
      const res = await server.api(`/api/v1/agents/${dev.agentId}/heartbeat`, {
        method: 'POST',
        key: token,
      })
      expect(res.status).toBe(401)
    }
    const fresh = await registerWithToken(server, 'backend_dev', { agentId: dev.agentId })
    expect(
      (
        await server.api(`/api/v1/agents/${dev.agentId}/heartbeat`, {
          method: 'POST',
          key: fresh.token,
        })
      ).status,
    ).toBe(200)
  })

  it("revokes an agent's tokens when the agent is deleted", async () => {
    const dev = await registerWithToken(server)

    const deleted = await server.api(
      `/api/v1/agents/${dev.agentId}?requester_agent_id=${project.pm}`,
      { method: 'DELETE' },
    )
    await registerAgent(server.api, { role: 'backend_dev', agent_id: dev.agentId })

    expect(deleted.status).toBe(200)
    expect(
      (
        await server.api(`/api/v1/agents/${dev.agentId}/heartbeat`, {
          method: 'POST',
          key: dev.token,
        })
      ).status,
    ).toBe(401)
  })
})

describe('HPM_REQUIRE_AGENT_TOKENS=true', () => {
  let server: TestServer

  beforeAll(async () => {
    server = await startTestServer({ env: { HPM_REQUIRE_AGENT_TOKENS: 'true' } })
  })
  afterAll(async () => {
    await server.close()
  })

  it('refuses agent actions made with the project key alone, and takes them with the agent token', async () => {
    const pm = await registerWithToken(server, 'pm')
    const dev = await registerWithToken(server)
    const refusedEpic = await server.api(`/api/v1/epics?agent_id=${pm.agentId}`, {
      method: 'POST',
      body: { name: 'e', description: '' },
    })
    const epic = await server.api(`/api/v1/epics?agent_id=${pm.agentId}`, {
      method: 'POST',
      body: { name: 'e', description: '' },
      key: pm.token,
    })
    const feature = await server.api(`/api/v1/features?agent_id=${pm.agentId}`, {
      method: 'POST',
      body: { epic_id: epic.body.id, name: 'f', description: '' },
      key: pm.token,
    })
    const task = (
      await server.api(`/api/v1/tasks/create?agent_id=${pm.agentId}`, {
        method: 'POST',
        body: {
          feature_id: feature.body.id,
          title: 't',
          description: '',
          target_role: 'backend_dev',
          difficulty: 'junior',
          branch: 'b',
        },
        key: pm.token,
      })
    ).body

    const withKey = await server.api(`/api/v1/tasks/${task.id}/lock?agent_id=${dev.agentId}`, {
      method: 'POST',
    })
    const read = await server.api(`/api/v1/tasks/${task.id}`)
    const withToken = await server.api(`/api/v1/tasks/${task.id}/lock?agent_id=${dev.agentId}`, {
      method: 'POST',
      key: dev.token,
    })

    expect(refusedEpic.status).toBe(403)
    expect(withKey.status).toBe(403)
    expect(withKey.body.detail).toContain('HPM_REQUIRE_AGENT_TOKENS')
    expect(read.status).toBe(200)
    expect(withToken.status, JSON.stringify(withToken.body)).toBe(200)
  })
})
