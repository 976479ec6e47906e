import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { HeadlessPMClient } from '../../src/client/index.js'
import { outputMode, views } from '../../src/cli/output.js'
import { makeTask } from '../fixtures/make-task.js'
import { startTestServer } from '../helpers/test-server.js'
import type { TestServer } from '../helpers/test-server.js'

// The terminal views, fed with real answers from a real server (the CLI tests only see JSON,
// because a child's stdout is not a terminal).

let server: TestServer
let client: HeadlessPMClient

beforeAll(async () => {
  server = await startTestServer()
  client = new HeadlessPMClient({ baseUrl: server.url, apiKey: server.apiKey })
})
afterAll(async () => {
  await server.close()
})

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '')

describe('outputMode', () => {
  it.each([
    [undefined, true, 'text'],
    [undefined, false, 'json'],
    [true, true, 'json'],
    [true, false, 'json'],
  ] as const)('with --json %s and a terminal %s prints %s', (isJson, isTty, mode) => {
    expect(outputMode(isJson, isTty)).toBe(mode)
  })
})

describe('views', () => {
  it('render every kind of answer as text naming its key values', async () => {
    const registered = await client.registerAgent({
      agent_id: 'pm_v',
      role: 'pm',
      level: 'principal',
    })
    await client.registerAgent({ agent_id: 'dev_v', role: 'backend_dev', level: 'senior' })
    const epic = await client.createEpic({ name: 'Epic V', description: 'd' }, 'pm_v')
    const feature = await client.createFeature(
      { epic_id: epic.id, name: 'Feature V', description: 'about' },
      'pm_v',
    )
    const task = await client.createTask(
      {
        feature_id: feature.id,
        title: 'Task V',
        description: 'Body text',
        target_role: 'backend_dev',
        difficulty: 'junior',
        branch: 'b',
      },
      'pm_v',
    )
    await client.claimTask({ agent_id: 'dev_v', timeout: 0 })
    await client.addComment(task.id, 'a comment @pm_v', 'dev_v')
    const heartbeat = await client.heartbeat('dev_v')
    const update = await client.updateStatus(
      task.id,
      { status: 'dev_done', notes: 'done' },
      'dev_v',
    )
    const doc = await client.createDocument(
      { doc_type: 'update', title: 'Doc V', content: 'hello @dev_v' },
      'pm_v',
    )
    const service = await client.registerService(
      { service_name: 'svc_v', ping_url: 'http://127.0.0.1:9/' },
      'dev_v',
    )
    await client.recordRun(task.id, {
      agent_id: 'dev_v',
      outcome: 'succeeded',
      cost_usd: 0.5,
      input_tokens: 10,
      output_tokens: 20,
      started_at: '2026-01-01T00:00:00Z',
      finished_at: '2026-01-01T00:00:30Z',
    })
    await client.recordRun(task.id, {
      agent_id: 'dev_v',
      attempt: 2,
      outcome: 'agent_exit',
      exit_code: 1,
      verdict: 'failed',
      verdict_reason: 'no commits on the branch',
      started_at: '2026-01-01T00:01:00Z',
      finished_at: '2026-01-01T00:01:05Z',
    })
    const since = new Date(Date.now() - 60_000).toISOString()

    const rendered = {
      register: views.register(registered),
      agents: views.agents(await client.listAgents()),
      heartbeat: views.heartbeat(heartbeat),
      epics: views.epics(await client.listEpics()),
      features: views.features(await client.listFeatures()),
      tasks: views.tasks(await client.listTasks()),
      task: views.task(await client.getTask(task.id)),
      none: views.taskOrNone(null),
      statusUpdate: views.statusUpdate(update),
      documents: views.documents(await client.listDocuments()),
      document: views.document(doc),
      services: views.services(await client.listServices()),
      service: views.service(service),
      mentions: views.mentions(await client.listMentions({ agent_id: 'pm_v' })),
      changelog: views.changelog(await client.listChangelog()),
      changes: views.changes(await client.listChanges({ since, agent_id: 'pm_v' })),
      runs: views.runs(await client.listRuns(task.id)),
      record: views.record(await client.getContext()),
      serverStatus: views.serverStatus(await client.getStatus()),
      empty: views.tasks([]),
    }

    expect(plain(rendered.register)).toContain('registered pm_v (pm, principal)')
    expect(rendered.agents).toContain('dev_v')
    expect(plain(rendered.heartbeat)).toContain(`holds task ${task.id} (under_work)`)
    expect(rendered.epics).toContain('Epic V')
    expect(rendered.features).toContain('Feature V')
    expect(rendered.tasks).toContain('Task V')
    expect(plain(rendered.task)).toMatch(/Body text[\s\S]*dev_v: a comment @pm_v/)
    expect(plain(rendered.none)).toBe('no task available right now')
    expect(plain(rendered.statusUpdate)).toContain(`task ${task.id} is now dev_done`)
    expect(rendered.documents).toContain('Doc V')
    expect(plain(rendered.document)).toContain('hello @dev_v')
    expect(rendered.services).toContain('svc_v')
    expect(plain(rendered.service)).toContain('svc_v (up) owned by dev_v')
    expect(rendered.mentions).toContain(`task ${task.id}`)
    expect(plain(rendered.changelog)).toContain('dev_done')
    expect(rendered.changes).toContain('task_created')
    expect(rendered.runs).toMatch(/succeeded[\s\S]*0\.5000[\s\S]*10\/20[\s\S]*30 s/)
    expect(plain(rendered.runs)).toMatch(/agent_exit \(1\)[\s\S]*failed: no commits on the branch/)
    expect(plain(rendered.task)).toMatch(/failures\s+1/)
    expect(plain(rendered.record)).toMatch(/project_name\s+Headless PM/)
    expect(plain(rendered.empty)).toBe('no tasks')
    // Task V is dev_done and no QA agent is registered: nobody will review it.
    expect(plain(rendered.serverStatus)).toMatch(
      /agents: 2 \(2 active\)[\s\S]*dev_done 1[\s\S]*needs attention \(1\):\n {2}task \d+ Task V: waits for review, and no QA agent is registered/,
    )
  })
})

describe('views.task', () => {
  it('shows the money budget when the task has one', () => {
    expect(plain(views.task(makeTask({ budget_usd: 2.5 })))).toMatch(/budget usd\s+2\.5/)
  })

  it('leaves the budget line out when the task has none', () => {
    expect(plain(views.task(makeTask({ budget_usd: null })))).not.toContain('budget')
  })
})
