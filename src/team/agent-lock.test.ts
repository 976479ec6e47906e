import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it, onTestFinished } from 'vitest'

import { spawnStreaming } from '../lib/index.js'
import { acquireAgentLock, agentLockPath, readAgentLock, releaseAgentLock } from './agent-lock.js'
import type { AgentLockRecord } from './agent-lock.js'

function teamDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hpm-team-lock-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function record(supervisorPid: number, runnerPid: number | null = null): AgentLockRecord {
  return {
    agent_id: 'qa_1',
    supervisor_pid: supervisorPid,
    runner_pid: runnerPid,
    team_file: '/t.json',
    started_at: new Date().toISOString(),
    runner_started_at: null,
  }
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = await spawnStreaming('true', [], { timeoutMs: 10_000 })
  await child.done
  return child.pid
}

describe('acquireAgentLock', () => {
  it('takes a free agent and leaves no temporary file behind', async () => {
    const dir = teamDir()

    const result = await acquireAgentLock(dir, record(process.pid))

    expect(result).toEqual({ kind: 'acquired' })
    expect(readdirSync(join(dir, 'pids'))).toEqual(['qa_1.json'])
  })

  it('refuses an agent whose supervisor lives, naming the holder', async () => {
    const dir = teamDir()
    await acquireAgentLock(dir, record(process.pid))

    const result = await acquireAgentLock(dir, record(process.pid + 1))

    expect(result).toMatchObject({ kind: 'held', holder: { supervisor_pid: process.pid } })
  })

  it('refuses an agent whose runner lives though its supervisor is gone', async () => {
    const dir = teamDir()
    await acquireAgentLock(dir, record(await deadPid(), process.pid))

    const result = await acquireAgentLock(dir, record(process.pid))

    expect(result.kind).toBe('held')
  })

  it('takes over a pid file whose processes are all gone', async () => {
    const dir = teamDir()
    const dead = await deadPid()
    await acquireAgentLock(dir, record(dead, dead))

    const result = await acquireAgentLock(dir, record(process.pid))

    expect(result).toEqual({ kind: 'acquired' })
    expect((await readAgentLock(dir, 'qa_1'))?.supervisor_pid).toBe(process.pid)
    expect(readdirSync(join(dir, 'pids'))).toEqual(['qa_1.json'])
  })
})

describe('releaseAgentLock', () => {
  it('removes only a pid file this supervisor holds', async () => {
    const dir = teamDir()
    await acquireAgentLock(dir, record(process.pid))

    await releaseAgentLock(dir, 'qa_1', process.pid + 1)
    const afterOther = await readAgentLock(dir, 'qa_1')
    await releaseAgentLock(dir, 'qa_1', process.pid)

    expect(afterOther?.supervisor_pid).toBe(process.pid)
    expect(await readAgentLock(dir, 'qa_1')).toBeUndefined()
    expect(agentLockPath(dir, 'qa_1')).toBe(join(dir, 'pids', 'qa_1.json'))
  })
})
