import { randomUUID } from 'node:crypto'
import { link, mkdir, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'

import { isProcessAlive, readJsonFile, writeJsonAtomic } from '../lib/index.js'

/** What a per-agent pid file says: who supervises the agent and which runner process is its. */
export interface AgentLockRecord {
  agent_id: string
  /** The `hpm team up` process that holds the agent. */
  supervisor_pid: number
  /** The `hpm run` process now running, null between restarts. */
  runner_pid: number | null
  team_file: string
  /** When the supervisor took the agent. */
  started_at: string
  /** When the current runner process started. */
  runner_started_at: string | null
}

export type AcquireResult = { kind: 'acquired' } | { kind: 'held'; holder: AgentLockRecord }

/** `<team dir>/pids/<agent>.json`. */
export function agentLockPath(teamDir: string, agentId: string): string {
  return join(teamDir, 'pids', `${agentId}.json`)
}

/** The record, or undefined when there is none or it cannot be read as one. */
export async function readAgentLock(
  teamDir: string,
  agentId: string,
): Promise<AgentLockRecord | undefined> {
  const content = await readJsonFile(agentLockPath(teamDir, agentId))
  if (content?.kind !== 'ok') return undefined
  const value = content.value as Partial<AgentLockRecord> | null
  return typeof value?.supervisor_pid === 'number' ? (value as AgentLockRecord) : undefined
}

/** A lock counts while its supervisor or its runner lives: an orphaned runner still works as the agent. */
export function isLockLive(record: AgentLockRecord): boolean {
  return (
    isProcessAlive(record.supervisor_pid) ||
    (record.runner_pid !== null && isProcessAlive(record.runner_pid))
  )
}

/**
 * Takes the agent for this supervisor. The file appears complete or not at all (written aside, then
 * hard-linked into place, which fails when another holder got there first); a record whose
 * processes are all gone is stale and taken over.
 */
export async function acquireAgentLock(
  teamDir: string,
  record: AgentLockRecord,
): Promise<AcquireResult> {
  const path = agentLockPath(teamDir, record.agent_id)
  await mkdir(join(teamDir, 'pids'), { recursive: true, mode: 0o700 })
  for (let tries = 0; tries < 5; tries++) {
    const aside = `${path}.${randomUUID()}.tmp`
    await writeJsonAtomic(aside, record)
    try {
      await link(aside, path)
      return { kind: 'acquired' }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    } finally {
      await unlink(aside).catch(() => {})
    }
    const holder = await readAgentLock(teamDir, record.agent_id)
    if (holder && isLockLive(holder)) return { kind: 'held', holder }
    await moveStaleAside(path)
  }
  throw new Error(`cannot take the pid file ${path}: it keeps changing`)
}

/** Rewrites the record of an agent this supervisor holds (e.g. a new runner pid). */
export async function updateAgentLock(teamDir: string, record: AgentLockRecord): Promise<void> {
  await writeJsonAtomic(agentLockPath(teamDir, record.agent_id), record)
}

/** Removes the pid file when it is still this supervisor's. */
export async function releaseAgentLock(
  teamDir: string,
  agentId: string,
  supervisorPid: number,
): Promise<void> {
  const holder = await readAgentLock(teamDir, agentId)
  if (holder?.supervisor_pid === supervisorPid)
    await unlink(agentLockPath(teamDir, agentId)).catch(() => {})
}

/**
 * Two supervisors may find the same stale file at once: the rename lets one of them move it, and
 * what it moved is checked again, so a lock taken meanwhile by a live supervisor is put back.
 */
async function moveStaleAside(path: string): Promise<void> {
  const aside = `${path}.${randomUUID()}.stale`
  try {
    await rename(path, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  const moved = await readJsonFile(aside)
  const record = moved?.kind === 'ok' ? (moved.value as AgentLockRecord | null) : null
  if (record && typeof record.supervisor_pid === 'number' && isLockLive(record))
    await link(aside, path).catch(() => {})
  await unlink(aside).catch(() => {})
}
