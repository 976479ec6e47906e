import { randomBytes } from 'node:crypto'

import { expect } from 'vitest'

import type { AgentRole, SkillLevel } from '../../src/contract/index.js'
import type { TestServer } from './test-server.js'

/** The `api` helper of a test server. */
export type Api = TestServer['api']
export type ApiResult = Awaited<ReturnType<Api>>

/** A short id that no other test uses, so tests sharing one server never see each other's rows. */
export function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`
}

export interface AgentOverrides {
  agent_id?: string
  role?: AgentRole
  level?: SkillLevel
  connection_type?: 'client' | 'mcp'
}

/** Registers an agent (a fresh id unless given) and returns its agent_id. */
export async function registerAgent(api: Api, overrides: AgentOverrides = {}): Promise<string> {
  const role = overrides.role ?? 'backend_dev'
  const body = {
    agent_id: overrides.agent_id ?? uniqueId(role),
    role,
    level: overrides.level ?? 'senior',
    ...overrides,
  }
  const res = await api('/api/v1/register', { method: 'POST', body })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return body.agent_id
}

export interface Project {
  pm: string
  epicId: number
  featureId: number
}

/** A pm, an epic and a feature: what most task tests start from. */
export async function seedProject(api: Api): Promise<Project> {
  const pm = await registerAgent(api, { role: 'pm', level: 'principal' })
  const epic = await api(`/api/v1/epics?agent_id=${pm}`, {
    method: 'POST',
    body: { name: uniqueId('epic'), description: 'an epic' },
  })
  expect(epic.status, JSON.stringify(epic.body)).toBe(200)
  const feature = await api(`/api/v1/features?agent_id=${pm}`, {
    method: 'POST',
    body: { epic_id: epic.body.id, name: uniqueId('feature'), description: 'a feature' },
  })
  expect(feature.status, JSON.stringify(feature.body)).toBe(200)
  return { pm, epicId: epic.body.id, featureId: feature.body.id }
}

export interface TaskOverrides {
  /** Creator; default the project's pm (so the task starts `created`). */
  creator?: string
  feature_id?: number
  title?: string
  description?: string
  target_role?: AgentRole
  difficulty?: SkillLevel
  complexity?: 'minor' | 'major'
  branch?: string
  priority?: number
}

/** Creates a task over HTTP and returns the response body. */
export async function makeTask(
  api: Api,
  project: Project,
  overrides: TaskOverrides = {},
): Promise<any> {
  const { creator = project.pm, ...fields } = overrides
  const body = {
    feature_id: project.featureId,
    title: uniqueId('task'),
    description: 'do the thing',
    target_role: 'backend_dev',
    difficulty: 'junior',
    branch: 'feature/x',
    ...fields,
  }
  const res = await api(`/api/v1/tasks/create?agent_id=${creator}`, { method: 'POST', body })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

/** `POST /tasks/claim` for an agent; timeout 0 answers at once. */
export function claim(api: Api, agentId: string, timeout = 0): Promise<ApiResult> {
  return api('/api/v1/tasks/claim', { method: 'POST', body: { agent_id: agentId, timeout } })
}

export function lock(api: Api, taskId: number, agentId: string): Promise<ApiResult> {
  return api(`/api/v1/tasks/${taskId}/lock?agent_id=${agentId}`, { method: 'POST' })
}

export function setStatus(
  api: Api,
  taskId: number,
  agentId: string,
  status: string,
  notes?: string,
): Promise<ApiResult> {
  return api(`/api/v1/tasks/${taskId}/status?agent_id=${agentId}`, {
    method: 'PUT',
    body: notes === undefined ? { status } : { status, notes },
  })
}

export async function getTask(api: Api, taskId: number): Promise<any> {
  const res = await api(`/api/v1/tasks/${taskId}`)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

/** Changelog rows of one task, oldest first. */
export async function changelogOf(api: Api, taskId: number): Promise<any[]> {
  const res = await api('/api/v1/changelog?limit=10000')
  expect(res.status).toBe(200)
  return (res.body as any[]).filter((row) => row.task_id === taskId).reverse()
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes; returns the last value. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** A 4xx answer whose `detail` mentions `needle` (string or, for 422, any list item). */
export function expectClientError(res: ApiResult, status: number, needle?: string | RegExp): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status)
  expect(res.body).toHaveProperty('detail')
  if (needle === undefined) return
  const detail = Array.isArray(res.body.detail)
    ? res.body.detail.join('\n')
    : String(res.body.detail)
  if (typeof needle === 'string') expect(detail).toContain(needle)
  else expect(detail).toMatch(needle)
}

const VOLATILE = new Set(['last_seen', 'lease_expires_at'])

/**
 * Every row of every table except agent liveness fields, as one string: two equal snapshots mean a
 * request changed nothing (a refused call may still count as a sign of life for its agent).
 */
export async function snapshotDatabase(server: TestServer): Promise<string> {
  const { db } = server.running.connection
  const tables = [
    'agents',
    'epics',
    'features',
    'tasks',
    'task_comments',
    'changelog',
    'documents',
    'mentions',
    'services',
    'task_runs',
    'events',
  ] as const
  const out: Record<string, unknown[]> = {}
  for (const table of tables) {
    const rows = (await db.selectFrom(table).selectAll().orderBy('id').execute()) as Record<
      string,
      unknown
    >[]
    out[table] = rows.map((row) =>
      Object.fromEntries(Object.entries(row).filter(([k]) => !VOLATILE.has(k))),
    )
  }
  return JSON.stringify(out)
}
