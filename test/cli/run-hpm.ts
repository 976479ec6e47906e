import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { afterAll } from 'vitest'

const BIN = resolve(import.meta.dirname, '../../bin/hpm.js')

export interface HpmResult {
  code: number | null
  stdout: string
  stderr: string
  /** stdout parsed as JSON (throws with the output when it is not). */
  json: <T = any>() => T
}

export interface HpmOptions {
  cwd: string
  /** The whole environment of the child (nothing is inherited but PATH). */
  env?: Record<string, string | undefined>
  input?: string
  timeoutMs?: number
}

// Each run is a node + tsx start (~1 s of CPU); more than a few at once only slows every one down
// on a small machine, so concurrent tests queue here.
const MAX_RUNNING = 3
let running = 0
const queue: Array<() => void> = []

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => queue.push(resolve))
  running += 1
  try {
    return await work()
  } finally {
    running -= 1
    queue.shift()?.()
  }
}

/** Runs the real `hpm` binary as a child process, with a timeout, and collects its output. */
export function runHpm(args: readonly string[], options: HpmOptions): Promise<HpmResult> {
  return slot(() => spawnHpm(args, options))
}

function spawnHpm(args: readonly string[], options: HpmOptions): Promise<HpmResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`hpm ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, options.timeoutMs ?? 120_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolvePromise({
        code,
        stdout,
        stderr,
        json: () => {
          try {
            return JSON.parse(stdout)
          } catch {
            throw new Error(
              `hpm ${args.join(' ')} printed no JSON (exit ${code})\nstdout: ${stdout}\nstderr: ${stderr}`,
            )
          }
        },
      })
    })
    child.stdin.end(options.input ?? '')
  })
}

const tempDirs = new Set<string>()
// Removed when the test file finishes, not when "the current test" does: in a concurrent suite
// vitest cannot tell which test a global onTestFinished belongs to, and it once removed a running
// test's repository when another test ended.
afterAll(() => Promise.all([...tempDirs].map((dir) => rm(dir, { recursive: true, force: true }))))

/** A temp directory removed when the test file finishes. */
export async function tempDir(prefix = 'hpm-cli-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  tempDirs.add(dir)
  return dir
}
