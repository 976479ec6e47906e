import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { isRunning, waitFor } from '../../test/fixtures/process-probe.js'
import { ProcessStartError, runProcess, spawnStreaming } from './process.js'

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hpm-process-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function readPid(file: string): Promise<number> {
  await waitFor(() => {
    try {
      return readFileSync(file, 'utf8').trim() !== ''
    } catch {
      return false
    }
  })
  return Number((await readFile(file, 'utf8')).trim())
}

describe('runProcess', () => {
  it('returns the exit code and both outputs when the child exits non-zero', async () => {
    const result = await runProcess('sh', ['-c', 'echo out; echo err >&2; exit 3'])

    expect(result.exitCode).toBe(3)
    expect(result.signal).toBeNull()
    expect(result.stdout).toBe('out\n')
    expect(result.stderr).toBe('err\n')
    expect(result.timedOut).toBe(false)
    expect(result.killReason).toBeNull()
  })

  it('feeds input to the child on stdin', async () => {
    const result = await runProcess('sh', ['-c', 'read line; echo "got $line"'], {
      input: 'hello\n',
    })

    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe('got hello\n')
  })

  it('ignores EPIPE when the child exits without reading its input', async () => {
    const result = await runProcess('sh', ['-c', 'exit 0'], { input: 'x'.repeat(5_000_000) })

    expect(result.exitCode).toBe(0)
  })

  it('throws command_not_found when the program does not exist', async () => {
    const attempt = runProcess('hpm-no-such-program-xyz', [])

    await expect(attempt).rejects.toBeInstanceOf(ProcessStartError)
    await expect(attempt).rejects.toMatchObject({ code: 'command_not_found' })
  })

  it('throws cwd_not_found when the working directory is missing', async () => {
    const attempt = runProcess('sh', ['-c', 'true'], { cwd: '/nonexistent/hpm-dir' })

    await expect(attempt).rejects.toMatchObject({ code: 'cwd_not_found' })
  })

  it('kills the whole process group, grandchildren included, on timeout', async () => {
    const dir = await tempDir()
    const pidFile = join(dir, 'grandchild.pid')

    const result = await runProcess('sh', ['-c', `sleep 1000 & echo $! > ${pidFile}; wait`], {
      timeoutMs: 1000,
      killGraceMs: 500,
    })

    const grandchild = await readPid(pidFile)
    expect(result.timedOut).toBe(true)
    expect(result.killReason).toBe('timeout')
    expect(result.exitCode).toBeNull()
    expect(isRunning(grandchild)).toBe(false)
  })

  it('escalates to SIGKILL when the group ignores SIGTERM', async () => {
    const dir = await tempDir()
    const pidFile = join(dir, 'grandchild.pid')

    const result = await runProcess(
      'sh',
      ['-c', `trap "" TERM; sleep 1000 & echo $! > ${pidFile}; wait; wait`],
      { timeoutMs: 1000, killGraceMs: 300 },
    )

    const grandchild = await readPid(pidFile)
    expect(result.timedOut).toBe(true)
    expect(result.signal).toBe('SIGKILL')
    expect(isRunning(grandchild)).toBe(false)
  })

  it('kills the group and reports abort when the signal fires', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 200)

    const result = await runProcess('sleep', ['1000'], { signal: controller.signal })

    expect(result.killReason).toBe('abort')
    expect(result.timedOut).toBe(false)
    expect(result.signal).toBe('SIGTERM')
  })
})

describe('spawnStreaming', () => {
  it('delivers stdout lines in order and resolves with the exit code', async () => {
    const lines: string[] = []

    const child = await spawnStreaming('sh', ['-c', 'echo one; echo two; printf three'], {
      onLine: (line) => lines.push(line),
    })
    const result = await child.done

    expect(lines).toEqual(['one', 'two', 'three'])
    expect(result.stdout).toBe('one\ntwo\nthree')
    expect(result.exitCode).toBe(0)
  })

  it('kills the group with the given reason', async () => {
    const dir = await tempDir()
    const pidFile = join(dir, 'grandchild.pid')
    const child = await spawnStreaming('sh', ['-c', `sleep 1000 & echo $! > ${pidFile}; wait`], {
      killGraceMs: 500,
    })
    const grandchild = await readPid(pidFile)

    child.kill('stall')
    const result = await child.done

    expect(result.killReason).toBe('stall')
    expect(result.timedOut).toBe(false)
    expect(isRunning(grandchild)).toBe(false)
  })

  it('keeps only the tail of stderr beyond maxOutputBytes', async () => {
    const child = await spawnStreaming(
      'sh',
      ['-c', 'i=0; while [ $i -lt 200 ]; do echo "line $i" >&2; i=$((i+1)); done'],
      { maxOutputBytes: 100 },
    )

    const result = await child.done

    expect(result.stderr.length).toBeLessThanOrEqual(100)
    expect(result.stderr.endsWith('line 199\n')).toBe(true)
  })

  it('survives an onLine callback that throws', async () => {
    const child = await spawnStreaming('sh', ['-c', 'echo a; echo b'], {
      onLine: () => {
        throw new Error('observer bug')
      },
    })

    const result = await child.done

    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe('a\nb\n')
  })
})
