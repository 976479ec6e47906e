import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { spawnStreaming } from '../../lib/index.js'
import { lockFileName, TaskPersistence, type TaskLockState } from './task-persistence.js'

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hpm-persist-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

function makeState(overrides: Partial<TaskLockState> = {}): TaskLockState {
  return {
    task_id: 12,
    agent_id: 'dev_001',
    locked_at: '2026-01-02T03:04:05.000Z',
    worktree_path: '/tmp/wt/task-12',
    branch_name: 'feature/task-12',
    session_id: null,
    attempt: 0,
    phase: 'claimed',
    ...overrides,
  }
}

describe('TaskPersistence', () => {
  it('reads none when no lock file exists', async () => {
    const persistence = new TaskPersistence(await tempDir(), 'dev_001')

    expect(await persistence.read()).toEqual({ kind: 'none' })
  })

  it('reads back what it wrote, creating the state directory', async () => {
    const dir = join(await tempDir(), 'nested', 'state')
    const persistence = new TaskPersistence(dir, 'dev_001')

    await persistence.write(makeState())

    expect(await persistence.read()).toEqual({ kind: 'ok', state: makeState() })
    expect(persistence.path).toBe(join(dir, 'lock-dev_001.json'))
  })

  it('merges changes on update', async () => {
    const persistence = new TaskPersistence(await tempDir(), 'dev_001')
    await persistence.write(makeState())

    const updated = await persistence.update({ phase: 'running', session_id: 'abc', attempt: 2 })

    expect(updated).toEqual(makeState({ phase: 'running', session_id: 'abc', attempt: 2 }))
    expect(await persistence.read()).toEqual({ kind: 'ok', state: updated })
  })

  it('throws on update when there is no lock', async () => {
    const persistence = new TaskPersistence(await tempDir(), 'dev_001')

    await expect(persistence.update({ phase: 'running' })).rejects.toThrow(/no lock file/)
  })

  it('rejects an invalid state on write', async () => {
    const persistence = new TaskPersistence(await tempDir(), 'dev_001')

    await expect(
      persistence.write(makeState({ phase: 'flying' as TaskLockState['phase'] })),
    ).rejects.toThrow()
    await expect(persistence.write(makeState({ locked_at: '2026-01-02 03:04' }))).rejects.toThrow()
  })

  it.each([
    ['garbage', 'not json at all'],
    ['a wrong shape', JSON.stringify({ task_id: 'twelve' })],
    ['another agent', JSON.stringify(makeState({ agent_id: 'dev_002' }))],
  ])('reads corrupt when the file holds %s', async (_name, content) => {
    const dir = await tempDir()
    const persistence = new TaskPersistence(dir, 'dev_001')
    await writeFile(persistence.path, content)

    const result = await persistence.read()

    expect(result.kind).toBe('corrupt')
  })

  it('removes the lock and leftover temp files on release, and tolerates a missing lock', async () => {
    const dir = await tempDir()
    const persistence = new TaskPersistence(dir, 'dev_001')
    await persistence.write(makeState())
    await writeFile(join(dir, 'lock-dev_001.json.123abc'), '{"half')

    await persistence.release()
    await persistence.release()

    expect(await readdir(dir)).toEqual([])
  })

  it('keeps lock file names safe and distinct', () => {
    expect(lockFileName('dev_001')).toBe('lock-dev_001.json')
    expect(lockFileName('a/b')).toMatch(/^lock-a_b-[0-9a-f]{8}\.json$/)
    expect(lockFileName('a/b')).not.toBe(lockFileName('a_b'))
    expect(lockFileName('../x')).not.toContain('/')
  })

  it('never shows a half-written file to a reader while writers are SIGKILLed', async () => {
    const dir = await tempDir()
    const reader = new TaskPersistence(dir, 'dev_001')
    const seen = { ok: 0, none: 0, corrupt: [] as string[] }
    let isWriting = true
    const readLoop = (async () => {
      while (isWriting) {
        const result = await reader.read()
        if (result.kind === 'corrupt') seen.corrupt.push(result.error)
        else seen[result.kind]++
      }
    })()

    // Three writers at once (each startup is slow, so they start together), then each is killed
    // at a different moment, most likely in the middle of one of its writes.
    const writers = await Promise.all([0, 1, 2].map(() => startWriter(dir)))
    for (const [index, writer] of writers.entries()) {
      await writer.ready
      await new Promise((resolve) => setTimeout(resolve, 5 + index * 20))
      process.kill(writer.child.pid, 'SIGKILL')
      await writer.child.done
    }
    isWriting = false
    await readLoop

    expect(seen.corrupt).toEqual([])
    expect(seen.ok).toBeGreaterThan(0)
  })
})

async function startWriter(dir: string) {
  let markReady: () => void = () => {}
  const isReady = new Promise<void>((resolve) => (markReady = resolve))
  const child = await spawnStreaming(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/lock-writer.ts', dir, 'dev_001'],
    { cwd: process.cwd(), timeoutMs: 30_000, onLine: (line) => line === 'ready' && markReady() },
  )
  return { child, ready: Promise.race([isReady, child.done.then(() => undefined)]) }
}
