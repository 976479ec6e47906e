import { readFileSync } from 'node:fs'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { AgentRole, SkillLevel, TaskStatus } from '../../../src/contract/index.js'
import {
  expectClientError,
  getTask,
  lock,
  makeTask,
  registerAgent,
  seedProject,
  setStatus,
  snapshotDatabase,
  uniqueId,
} from '../../helpers/fixtures.js'
import type { ApiResult, Project, TaskOverrides } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

// Every row of docs/permissions.md, allowed and refused, from one list of cases. A refused request
// must change nothing: the whole database is compared before and after it.
let server: TestServer
let project: Project

beforeAll(async () => {
  server = await startTestServer()
  project = await seedProject(server.api)
})
afterAll(async () => {
  await server.close()
})

interface Call {
  method?: string
  path: string
  body?: unknown
  /** `null` sends no key. */
  key?: null
  /** Checks the effect of an allowed call. */
  verify?: (res: ApiResult) => Promise<void> | void
}

interface Case {
  /** The row of docs/permissions.md this case checks. */
  row: string
  when: string
  /** Builds what the call needs and returns the call. */
  arrange: () => Promise<Call>
  /** 2xx (allowed), or the refusal's status and code. */
  expected: { status: 200 } | { status: number; code: string }
}

const OK = { status: 200 } as const
const refused = (status: number, code: string) => ({ status, code })
const FORBIDDEN = refused(403, 'forbidden')
const NOT_HOLDER = refused(403, 'not_lock_holder')
const NO_AGENT = refused(404, 'agent_not_found')
const INVALID_INPUT = refused(422, 'validation_failed')

const agent = (role: AgentRole = 'backend_dev', level: SkillLevel = 'senior') =>
  registerAgent(server.api, { role, level })
const stranger = () => uniqueId('never_registered')
const status = (taskId: number, agentId: string, target: TaskStatus): Call => ({
  method: 'PUT',
  path: `/api/v1/tasks/${taskId}/status?agent_id=${agentId}`,
  body: { status: target },
})

interface ArrangedTask {
  id: number
  /** The dev of the task's role who worked on it (and holds it while `under_work`). */
  dev: string
}

/** A task in `at`, brought there through the API as agents would; a pm created it. */
async function taskAt(
  at: TaskStatus | 'pending',
  overrides: TaskOverrides = {},
): Promise<ArrangedTask> {
  const role = overrides.target_role ?? 'backend_dev'
  const dev = await agent(role)
  if (at === 'pending')
    return { id: (await makeTask(server.api, project, { ...overrides, creator: dev })).id, dev }
  const { id } = await makeTask(server.api, project, overrides)
  const steps: Array<[TaskStatus, () => Promise<ApiResult>]> = [
    ['under_work', () => lock(server.api, id, dev)],
    ['dev_done', () => setStatus(server.api, id, dev, 'dev_done')],
    [
      'qa_done',
      async () => {
        const qa = await agent('qa', 'principal')
        expect((await lock(server.api, id, qa)).status).toBe(200)
        return setStatus(server.api, id, qa, 'qa_done')
      },
    ],
    ['documentation_done', () => setStatus(server.api, id, project.pm, 'documentation_done')],
    ['committed', () => setStatus(server.api, id, project.pm, 'committed')],
  ]
  for (const [reached, step] of steps) {
    if (at === 'created') break
    const res = await step()
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    if (reached === at) break
  }
  expect((await getTask(server.api, id)).status).toBe(at)
  return { id, dev }
}

async function documentBy(author: string): Promise<number> {
  const res = await server.api(`/api/v1/documents?author_id=${author}`, {
    method: 'POST',
    body: { doc_type: 'update', title: uniqueId('doc'), content: 'notes' },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body.id
}

async function serviceOf(owner: string): Promise<string> {
  const name = uniqueId('svc')
  const res = await server.api(`/api/v1/services/register?agent_id=${owner}`, {
    method: 'POST',
    body: { service_name: name, ping_url: 'http://127.0.0.1:9/health' },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return name
}

/** A mention of `agentId` (from a pm's comment); returns the mention's id. */
async function mentionOf(agentId: string): Promise<number> {
  const { id } = await makeTask(server.api, project)
  await server.api(`/api/v1/tasks/${id}/comment?agent_id=${project.pm}`, {
    method: 'POST',
    body: { comment: `@${agentId} see this` },
  })
  const res = await server.api(`/api/v1/mentions?agent_id=${agentId}`)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body[0].id
}

const RUN = {
  outcome: 'succeeded',
  started_at: '2026-01-01T00:00:00Z',
  finished_at: '2026-01-01T00:01:00Z',
}
const statusIs = (target: TaskStatus) => (res: ApiResult) =>
  expect(res.body.task.status).toBe(target)

const cases: Case[] = [
  // A1: re-registering with another role or level.
  {
    row: 'A1',
    when: "a pm, as requester, changes an agent's level",
    expected: OK,
    arrange: async () => {
      const dev = await agent()
      return {
        method: 'POST',
        path: `/api/v1/register?requester_agent_id=${project.pm}`,
        body: { agent_id: dev, role: 'backend_dev', level: 'principal' },
        verify: (res) => expect(res.body.agent.level).toBe('principal'),
      }
    },
  },
  {
    row: 'A1',
    when: 'an agent changes its own level',
    expected: refused(409, 'conflict'),
    arrange: async () => {
      const dev = await agent()
      return {
        method: 'POST',
        path: '/api/v1/register',
        body: { agent_id: dev, role: 'backend_dev', level: 'principal' },
      }
    },
  },
  {
    row: 'A1',
    when: "a dev, as requester, changes another agent's role",
    expected: FORBIDDEN,
    arrange: async () => {
      const [dev, other] = [await agent(), await agent()]
      return {
        method: 'POST',
        path: `/api/v1/register?requester_agent_id=${other}`,
        body: { agent_id: dev, role: 'pm', level: 'senior' },
      }
    },
  },
  // A2: deleting agents.
  {
    row: 'A2',
    when: 'a pm deletes a dev',
    expected: OK,
    arrange: async () => ({
      method: 'DELETE',
      path: `/api/v1/agents/${await agent()}?requester_agent_id=${project.pm}`,
    }),
  },
  {
    row: 'A2',
    when: 'a dev deletes another dev',
    expected: FORBIDDEN,
    arrange: async () => ({
      method: 'DELETE',
      path: `/api/v1/agents/${await agent()}?requester_agent_id=${await agent()}`,
    }),
  },
  {
    row: 'A2',
    when: 'a pm deletes itself',
    expected: refused(400, 'self_delete'),
    arrange: async () => {
      const pm = await agent('pm')
      return { method: 'DELETE', path: `/api/v1/agents/${pm}?requester_agent_id=${pm}` }
    },
  },
  // A3: heartbeats.
  {
    row: 'A3',
    when: 'a registered agent sends a heartbeat',
    expected: OK,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/agents/${await agent()}/heartbeat`,
      body: {},
    }),
  },
  {
    row: 'A3',
    when: 'an unregistered id sends a heartbeat',
    expected: NO_AGENT,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/agents/${stranger()}/heartbeat`,
      body: {},
    }),
  },
  // P1, P2: the plan.
  {
    row: 'P1',
    when: 'an architect creates an epic',
    expected: OK,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/epics?agent_id=${await agent('architect')}`,
      body: { name: uniqueId('epic'), description: 'd' },
    }),
  },
  {
    row: 'P1',
    when: 'a dev creates a feature',
    expected: FORBIDDEN,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/features?agent_id=${await agent()}`,
      body: { epic_id: project.epicId, name: uniqueId('f'), description: 'd' },
    }),
  },
  {
    row: 'P2',
    when: 'a pm deletes a task',
    expected: OK,
    arrange: async () => ({
      method: 'DELETE',
      path: `/api/v1/tasks/${(await makeTask(server.api, project)).id}?agent_id=${project.pm}`,
    }),
  },
  {
    row: 'P2',
    when: 'an architect deletes a task',
    expected: FORBIDDEN,
    arrange: async () => ({
      method: 'DELETE',
      path: `/api/v1/tasks/${(await makeTask(server.api, project)).id}?agent_id=${await agent('architect')}`,
    }),
  },
  {
    row: 'P2',
    when: 'a dev deletes an epic',
    expected: FORBIDDEN,
    arrange: async () => ({
      method: 'DELETE',
      path: `/api/v1/epics/${project.epicId}?agent_id=${await agent()}`,
    }),
  },
  // T1: creating tasks.
  {
    row: 'T1',
    when: 'a dev creates a task (it waits, pending)',
    expected: OK,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/tasks/create?agent_id=${await agent()}`,
      body: {
        feature_id: project.featureId,
        title: uniqueId('t'),
        description: 'd',
        target_role: 'backend_dev',
        difficulty: 'junior',
        branch: 'b',
      },
      verify: (res) => expect(res.body.status).toBe('pending'),
    }),
  },
  {
    row: 'T1',
    when: 'an unregistered id creates a task',
    expected: NO_AGENT,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/tasks/create?agent_id=${stranger()}`,
      body: {
        feature_id: project.featureId,
        title: uniqueId('t'),
        description: 'd',
        target_role: 'backend_dev',
        difficulty: 'junior',
        branch: 'b',
      },
    }),
  },
  // T2: editing the plan of a task.
  {
    row: 'T2',
    when: 'the creator edits its task',
    expected: OK,
    arrange: async () => {
      const task = await taskAt('pending')
      return {
        method: 'PATCH',
        path: `/api/v1/tasks/${task.id}?agent_id=${task.dev}`,
        body: { title: 'renamed' },
        verify: (res) => expect(res.body.title).toBe('renamed'),
      }
    },
  },
  {
    row: 'T2',
    when: "an architect edits a pm's task",
    expected: OK,
    arrange: async () => ({
      method: 'PATCH',
      path: `/api/v1/tasks/${(await makeTask(server.api, project)).id}?agent_id=${await agent('architect')}`,
      body: { priority: 5 },
    }),
  },
  {
    row: 'T2',
    when: 'another dev edits a task',
    expected: FORBIDDEN,
    arrange: async () => ({
      method: 'PATCH',
      path: `/api/v1/tasks/${(await makeTask(server.api, project)).id}?agent_id=${await agent()}`,
      body: { title: 'mine now' },
    }),
  },
  // T3: the work fields.
  {
    row: 'T3',
    when: 'the lock holder sets work_branch',
    expected: OK,
    arrange: async () => {
      const task = await taskAt('under_work')
      return {
        method: 'PATCH',
        path: `/api/v1/tasks/${task.id}?agent_id=${task.dev}`,
        body: { work_branch: 'feature/x' },
      }
    },
  },
  {
    row: 'T3',
    when: 'a pm sets work_commit on a task another agent holds',
    expected: OK,
    arrange: async () => ({
      method: 'PATCH',
      path: `/api/v1/tasks/${(await taskAt('under_work')).id}?agent_id=${project.pm}`,
      body: { work_commit: 'abcdef1' },
    }),
  },
  {
    row: 'T3',
    when: 'another dev sets work_branch on a locked task',
    expected: NOT_HOLDER,
    arrange: async () => ({
      method: 'PATCH',
      path: `/api/v1/tasks/${(await taskAt('under_work')).id}?agent_id=${await agent()}`,
      body: { work_branch: 'feature/y' },
    }),
  },
  {
    row: 'T3',
    when: 'a dev sets work_branch on an unlocked task',
    expected: FORBIDDEN,
    arrange: async () => ({
      method: 'PATCH',
      path: `/api/v1/tasks/${(await makeTask(server.api, project)).id}?agent_id=${await agent()}`,
      body: { work_branch: 'feature/y' },
    }),
  },
  // T4: taking a task.
  {
    row: 'T4',
    when: "a dev of the task's role locks it",
    expected: OK,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/tasks/${(await makeTask(server.api, project)).id}/lock?agent_id=${await agent()}`,
    }),
  },
  {
    row: 'T4',
    when: 'a dev of another role locks it',
    expected: refused(403, 'not_eligible'),
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/tasks/${(await makeTask(server.api, project)).id}/lock?agent_id=${await agent('frontend_dev')}`,
    }),
  },
  {
    row: 'T4',
    when: 'a junior locks principal work',
    expected: refused(403, 'not_eligible'),
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/tasks/${(await makeTask(server.api, project, { difficulty: 'principal' })).id}/lock?agent_id=${await agent('backend_dev', 'junior')}`,
    }),
  },
  {
    row: 'T4',
    when: 'an agent already holding a task locks another',
    expected: refused(409, 'agent_busy'),
    arrange: async () => {
      const held = await taskAt('under_work')
      return {
        method: 'POST',
        path: `/api/v1/tasks/${(await makeTask(server.api, project)).id}/lock?agent_id=${held.dev}`,
      }
    },
  },
  {
    row: 'T4',
    when: 'another agent holds the task',
    expected: refused(409, 'task_locked'),
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/tasks/${(await taskAt('under_work')).id}/lock?agent_id=${await agent()}`,
    }),
  },
  // T5: unlocking.
  {
    row: 'T5',
    when: 'the lock holder unlocks',
    expected: OK,
    arrange: async () => {
      const task = await taskAt('under_work')
      return { method: 'POST', path: `/api/v1/tasks/${task.id}/unlock?agent_id=${task.dev}` }
    },
  },
  {
    row: 'T5',
    when: "a pm unlocks another agent's task",
    expected: OK,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/tasks/${(await taskAt('under_work')).id}/unlock?agent_id=${project.pm}`,
    }),
  },
  {
    row: 'T5',
    when: 'another dev unlocks it',
    expected: NOT_HOLDER,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/tasks/${(await taskAt('under_work')).id}/unlock?agent_id=${await agent()}`,
    }),
  },
  // T6: status of a locked task.
  {
    row: 'T6',
    when: 'the lock holder reports dev_done',
    expected: OK,
    arrange: async () => {
      const task = await taskAt('under_work')
      return { ...status(task.id, task.dev, 'dev_done'), verify: statusIs('dev_done') }
    },
  },
  {
    row: 'T6',
    when: 'a pm reports for the holder',
    expected: OK,
    arrange: async () => status((await taskAt('under_work')).id, project.pm, 'dev_done'),
  },
  {
    row: 'T6',
    when: 'another dev of its role reports dev_done',
    expected: NOT_HOLDER,
    arrange: async () => status((await taskAt('under_work')).id, await agent(), 'dev_done'),
  },
  // T7: the moves any registered agent may make on an unlocked task.
  {
    row: 'T7',
    when: 'a qa moves a passed task to documentation_done',
    expected: OK,
    arrange: async () =>
      status((await taskAt('qa_done')).id, await agent('qa'), 'documentation_done'),
  },
  {
    row: 'T7',
    when: "a dev of another role commits a passed minor task (the runner's merge)",
    expected: OK,
    arrange: async () => ({
      ...status(
        (await taskAt('qa_done', { complexity: 'minor' })).id,
        await agent('frontend_dev'),
        'committed',
      ),
      verify: statusIs('committed'),
    }),
  },
  {
    row: 'T7',
    when: 'its dev commits a documented minor task',
    expected: OK,
    arrange: async () => {
      const task = await taskAt('documentation_done', { complexity: 'minor' })
      return status(task.id, task.dev, 'committed')
    },
  },
  {
    row: 'T7',
    when: 'an unregistered id moves a task',
    expected: NO_AGENT,
    arrange: async () => status((await taskAt('qa_done')).id, stranger(), 'documentation_done'),
  },
  {
    row: 'T7',
    when: 'a pm skips QA (dev_done to committed)',
    expected: refused(409, 'invalid_transition'),
    arrange: async () => status((await taskAt('dev_done')).id, project.pm, 'committed'),
  },
  // T8: approving, parking, reopening.
  {
    row: 'T8',
    when: 'an architect approves a pending task',
    expected: OK,
    arrange: async () => status((await taskAt('pending')).id, await agent('architect'), 'created'),
  },
  {
    row: 'T8',
    when: 'a pm reopens a committed task',
    expected: OK,
    arrange: async () => status((await taskAt('committed')).id, project.pm, 'created'),
  },
  {
    row: 'T8',
    when: 'the creating dev approves its own pending task',
    expected: FORBIDDEN,
    arrange: async () => {
      const task = await taskAt('pending')
      return status(task.id, task.dev, 'created')
    },
  },
  {
    row: 'T8',
    when: 'a qa puts a created task back to pending',
    expected: FORBIDDEN,
    arrange: async () =>
      status((await makeTask(server.api, project)).id, await agent('qa'), 'pending'),
  },
  {
    row: 'T8',
    when: 'its dev reopens a committed task',
    expected: FORBIDDEN,
    arrange: async () => {
      const task = await taskAt('committed')
      return status(task.id, task.dev, 'created')
    },
  },
  // T9: sending a handed-over task back.
  {
    row: 'T9',
    when: 'a backend dev sends a backend dev_done task back',
    expected: OK,
    arrange: async () => status((await taskAt('dev_done')).id, await agent(), 'created'),
  },
  {
    row: 'T9',
    when: 'a pm sends a passed major task back',
    expected: OK,
    arrange: async () => status((await taskAt('qa_done')).id, project.pm, 'created'),
  },
  {
    row: 'T9',
    when: 'a frontend dev sends a passed minor backend task back (a conflicting merge)',
    expected: OK,
    arrange: async () =>
      status(
        (await taskAt('qa_done', { complexity: 'minor' })).id,
        await agent('frontend_dev'),
        'created',
      ),
  },
  {
    row: 'T9',
    when: 'a frontend dev sends an unlocked backend dev_done task back',
    expected: FORBIDDEN,
    arrange: async () =>
      status((await taskAt('dev_done')).id, await agent('frontend_dev'), 'created'),
  },
  {
    row: 'T9',
    when: 'a frontend dev sends a passed major backend task back',
    expected: FORBIDDEN,
    arrange: async () =>
      status((await taskAt('qa_done')).id, await agent('frontend_dev'), 'created'),
  },
  {
    row: 'T9',
    when: 'a qa sends a documented task back to dev_done',
    expected: FORBIDDEN,
    arrange: async () =>
      status((await taskAt('documentation_done')).id, await agent('qa'), 'dev_done'),
  },
  // T10: the review of a major task.
  {
    row: 'T10',
    when: 'a pm commits a passed major task',
    expected: OK,
    arrange: async () => ({
      ...status((await taskAt('qa_done')).id, project.pm, 'committed'),
      verify: statusIs('committed'),
    }),
  },
  {
    row: 'T10',
    when: 'an architect commits a documented major task',
    expected: OK,
    arrange: async () =>
      status((await taskAt('documentation_done')).id, await agent('architect'), 'committed'),
  },
  {
    row: 'T10',
    when: 'its dev commits a passed major task',
    expected: FORBIDDEN,
    arrange: async () => {
      const task = await taskAt('qa_done')
      return status(task.id, task.dev, 'committed')
    },
  },
  {
    row: 'T10',
    when: 'a qa commits a passed major task',
    expected: FORBIDDEN,
    arrange: async () => status((await taskAt('qa_done')).id, await agent('qa'), 'committed'),
  },
  // T11, T12: comments and runs.
  {
    row: 'T11',
    when: 'a registered agent comments',
    expected: OK,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/tasks/${(await makeTask(server.api, project)).id}/comment?agent_id=${await agent('qa')}`,
      body: { comment: 'looks fine' },
    }),
  },
  {
    row: 'T11',
    when: 'an unregistered id comments',
    expected: NO_AGENT,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/tasks/${(await makeTask(server.api, project)).id}/comment?agent_id=${stranger()}`,
      body: { comment: 'hello' },
    }),
  },
  {
    row: 'T12',
    when: 'a registered agent records a run',
    expected: OK,
    arrange: async () => {
      const task = await taskAt('under_work')
      return {
        method: 'POST',
        path: `/api/v1/tasks/${task.id}/runs`,
        body: { ...RUN, agent_id: task.dev },
      }
    },
  },
  {
    row: 'T12',
    when: 'a run names an agent never registered',
    expected: NO_AGENT,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/tasks/${(await makeTask(server.api, project)).id}/runs`,
      body: { ...RUN, agent_id: stranger(), verdict: 'failed' },
    }),
  },
  // D1-D3: documents.
  {
    row: 'D1',
    when: 'anyone posts under an author id',
    expected: OK,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/documents?author_id=${stranger()}`,
      body: { doc_type: 'update', title: 't', content: 'c' },
    }),
  },
  {
    row: 'D1',
    when: 'a post names no author_id',
    expected: INVALID_INPUT,
    arrange: async () => ({
      method: 'POST',
      path: '/api/v1/documents',
      body: { doc_type: 'update', title: 't', content: 'c' },
    }),
  },
  {
    row: 'D2',
    when: 'the author edits its document',
    expected: OK,
    arrange: async () => {
      const author = await agent()
      return {
        method: 'PUT',
        path: `/api/v1/documents/${await documentBy(author)}?agent_id=${author}`,
        body: { title: 'edited' },
        verify: (res) => expect(res.body.title).toBe('edited'),
      }
    },
  },
  {
    row: 'D2',
    when: "a pm edits a dev's document",
    expected: OK,
    arrange: async () => ({
      method: 'PUT',
      path: `/api/v1/documents/${await documentBy(await agent())}?agent_id=${project.pm}`,
      body: { content: 'fixed by the pm' },
    }),
  },
  {
    row: 'D2',
    when: 'a v1 client edits naming no agent',
    expected: OK,
    arrange: async () => ({
      method: 'PUT',
      path: `/api/v1/documents/${await documentBy(await agent())}`,
      body: { title: 'v1 edit' },
    }),
  },
  {
    row: 'D2',
    when: "a dev edits a pm's document",
    expected: FORBIDDEN,
    arrange: async () => ({
      method: 'PUT',
      path: `/api/v1/documents/${await documentBy(project.pm)}?agent_id=${await agent()}`,
      body: { content: 'rewritten' },
    }),
  },
  {
    row: 'D2',
    when: 'an unregistered id edits a document',
    expected: NO_AGENT,
    arrange: async () => ({
      method: 'PUT',
      path: `/api/v1/documents/${await documentBy(project.pm)}?agent_id=${stranger()}`,
      body: { title: 'x' },
    }),
  },
  {
    row: 'D3',
    when: 'the author deletes its document',
    expected: OK,
    arrange: async () => {
      const author = await agent()
      return {
        method: 'DELETE',
        path: `/api/v1/documents/${await documentBy(author)}?agent_id=${author}`,
      }
    },
  },
  {
    row: 'D3',
    when: "a pm deletes a dev's document",
    expected: OK,
    arrange: async () => ({
      method: 'DELETE',
      path: `/api/v1/documents/${await documentBy(await agent())}?agent_id=${project.pm}`,
    }),
  },
  {
    row: 'D3',
    when: 'a v1 client deletes naming no agent',
    expected: OK,
    arrange: async () => ({
      method: 'DELETE',
      path: `/api/v1/documents/${await documentBy(await agent())}`,
    }),
  },
  {
    row: 'D3',
    when: "a dev deletes a pm's document",
    expected: FORBIDDEN,
    arrange: async () => ({
      method: 'DELETE',
      path: `/api/v1/documents/${await documentBy(project.pm)}?agent_id=${await agent()}`,
    }),
  },
  {
    row: 'D3',
    when: 'an unregistered id deletes a document',
    expected: NO_AGENT,
    arrange: async () => ({
      method: 'DELETE',
      path: `/api/v1/documents/${await documentBy(project.pm)}?agent_id=${stranger()}`,
    }),
  },
  // M1, M2: mentions.
  {
    row: 'M1',
    when: 'a registered agent reads its mentions',
    expected: OK,
    arrange: async () => {
      const reader = await agent()
      const mentionId = await mentionOf(reader)
      return {
        path: `/api/v1/mentions?agent_id=${reader}`,
        verify: (res) => expect(res.body.map((m: any) => m.id)).toEqual([mentionId]),
      }
    },
  },
  {
    row: 'M1',
    when: 'a read names no agent',
    expected: INVALID_INPUT,
    arrange: async () => ({ path: '/api/v1/mentions' }),
  },
  {
    row: 'M1',
    when: 'a read names an unregistered id',
    expected: NO_AGENT,
    arrange: async () => ({ path: `/api/v1/mentions?agent_id=${stranger()}` }),
  },
  {
    row: 'M2',
    when: 'the mentioned agent marks it read',
    expected: OK,
    arrange: async () => {
      const reader = await agent()
      return {
        method: 'PUT',
        path: `/api/v1/mentions/${await mentionOf(reader)}/read?agent_id=${reader}`,
      }
    },
  },
  {
    row: 'M2',
    when: "a pm marks another agent's mention read",
    expected: FORBIDDEN,
    arrange: async () => ({
      method: 'PUT',
      path: `/api/v1/mentions/${await mentionOf(await agent())}/read?agent_id=${project.pm}`,
    }),
  },
  // S1-S3: services.
  {
    row: 'S1',
    when: 'an agent registers a new name',
    expected: OK,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/services/register?agent_id=${await agent()}`,
      body: { service_name: uniqueId('svc'), ping_url: 'http://127.0.0.1:9/' },
    }),
  },
  {
    row: 'S1',
    when: 'the owner registers its name again',
    expected: OK,
    arrange: async () => {
      const owner = await agent()
      return {
        method: 'POST',
        path: `/api/v1/services/register?agent_id=${owner}`,
        body: { service_name: await serviceOf(owner), ping_url: 'http://127.0.0.1:9/', port: 9000 },
      }
    },
  },
  {
    row: 'S1',
    when: "a pm takes over another agent's service",
    expected: OK,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/services/register?agent_id=${project.pm}`,
      body: { service_name: await serviceOf(await agent()), ping_url: 'http://127.0.0.1:9/' },
      verify: (res) => expect(res.body.owner_agent_id).toBe(project.pm),
    }),
  },
  {
    row: 'S1',
    when: 'another agent registers a name someone owns',
    expected: FORBIDDEN,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/services/register?agent_id=${await agent()}`,
      body: { service_name: await serviceOf(await agent()), ping_url: 'http://127.0.0.1:9/' },
    }),
  },
  {
    row: 'S2',
    when: 'the owner sends a heartbeat',
    expected: OK,
    arrange: async () => {
      const owner = await agent()
      return {
        method: 'POST',
        path: `/api/v1/services/${await serviceOf(owner)}/heartbeat?agent_id=${owner}`,
      }
    },
  },
  {
    row: 'S2',
    when: "a pm sends a heartbeat for another agent's service",
    expected: FORBIDDEN,
    arrange: async () => ({
      method: 'POST',
      path: `/api/v1/services/${await serviceOf(await agent())}/heartbeat?agent_id=${project.pm}`,
    }),
  },
  {
    row: 'S3',
    when: 'the owner unregisters its service',
    expected: OK,
    arrange: async () => {
      const owner = await agent()
      return {
        method: 'DELETE',
        path: `/api/v1/services/${await serviceOf(owner)}?agent_id=${owner}`,
      }
    },
  },
  {
    row: 'S3',
    when: "a pm unregisters another agent's service",
    expected: OK,
    arrange: async () => ({
      method: 'DELETE',
      path: `/api/v1/services/${await serviceOf(await agent())}?agent_id=${project.pm}`,
    }),
  },
  {
    row: 'S3',
    when: 'another agent unregisters it',
    expected: FORBIDDEN,
    arrange: async () => ({
      method: 'DELETE',
      path: `/api/v1/services/${await serviceOf(await agent())}?agent_id=${await agent()}`,
    }),
  },
  // R1: reads.
  {
    row: 'R1',
    when: "anyone with the key reads everyone's mentions by role",
    expected: OK,
    arrange: async () => ({ path: '/api/v1/mentions/by-role?role=qa' }),
  },
  {
    row: 'R1',
    when: 'a read comes without a key',
    expected: refused(401, 'unauthorized'),
    arrange: async () => ({ path: '/api/v1/tasks', key: null }),
  },
  // I1: ids in plain decimal digits.
  {
    row: 'I1',
    when: 'a task id is decimal',
    expected: OK,
    arrange: async () => {
      const { id } = await makeTask(server.api, project)
      return { path: `/api/v1/tasks/${id}`, verify: (res) => expect(res.body.id).toBe(id) }
    },
  },
  {
    row: 'I1',
    when: 'a feature_id query is decimal',
    expected: OK,
    arrange: async () => ({ path: `/api/v1/tasks?feature_id=${project.featureId}` }),
  },
  ...(
    [
      ['in hexadecimal (0x10 was task 16)', (id) => `0x${id.toString(16)}`],
      ['with an exponent', (id) => `${id}e0`],
      ['with a plus sign', (id) => `%2B${id}`],
      ['after a space', (id) => `%20${id}`],
      ['with a decimal point', (id) => `${id}.0`],
    ] as Array<[string, (id: number) => string]>
  ).map(([how, written]): Case => ({
    row: 'I1',
    when: `a task id is written ${how}`,
    expected: INVALID_INPUT,
    arrange: async () => {
      const { id } = await makeTask(server.api, project)
      return { path: `/api/v1/tasks/${written(id)}` }
    },
  })),
  {
    row: 'I1',
    when: 'a task id is 0',
    expected: INVALID_INPUT,
    arrange: async () => ({ path: '/api/v1/tasks/0' }),
  },
  {
    row: 'I1',
    when: 'an epic_id query is hexadecimal',
    expected: INVALID_INPUT,
    arrange: async () => ({ path: `/api/v1/tasks?epic_id=0x${project.epicId.toString(16)}` }),
  },
  {
    row: 'I1',
    when: 'an after_id query is hexadecimal',
    expected: INVALID_INPUT,
    arrange: async () => ({ path: '/api/v1/changes?after_id=0x0' }),
  },
  {
    row: 'I1',
    when: 'a document id does not exist',
    expected: refused(404, 'not_found'),
    arrange: async () => ({ path: '/api/v1/documents/999999999' }),
  },
]

describe('docs/permissions.md', () => {
  it.each(cases)('$row: answers $expected.status when $when', async ({ arrange, expected }) => {
    const call = await arrange()
    const before = await snapshotDatabase(server)

    const res = await server.api(call.path, {
      method: call.method ?? 'GET',
      body: call.body,
      key: call.key,
    })

    if (!('code' in expected)) {
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      await call.verify?.(res)
      return
    }
    expectClientError(res, expected.status)
    expect(res.body.code).toBe(expected.code)
    expect(await snapshotDatabase(server)).toBe(before)
  })

  it('has an allowed and a refused case for every row of the table, and no case for a row it lacks', () => {
    const doc = readFileSync(new URL('../../../docs/permissions.md', import.meta.url), 'utf8')
    const rows = [...doc.matchAll(/^\| ([A-Z]\d+) \|/gm)].map((m) => m[1])

    const allowed = new Set(cases.filter((c) => !('code' in c.expected)).map((c) => c.row))
    const refusedRows = new Set(cases.filter((c) => 'code' in c.expected).map((c) => c.row))

    expect(rows.length).toBeGreaterThan(20)
    expect([...allowed].sort()).toEqual([...rows].sort())
    expect([...refusedRows].sort()).toEqual([...rows].sort())
  })
})
