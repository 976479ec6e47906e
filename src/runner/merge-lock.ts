import { existsSync, statSync } from 'node:fs'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { hostname } from 'node:os'
import { join } from 'node:path'

import { isProcessAlive } from '../lib/index.js'

const STALE_MS = 30 * 60 * 1000

/**
 * The one merge lock of a repository, shared by every runner and `hpm tasks merge`:
 * `<repo>/.git/hpm-merge.lock`, or `<stateDir>/merge.lock` when `.git` is not a directory.
 */
export function mergeLockDir(repoDir: string, stateDir: string): string {
  const gitDir = join(repoDir, '.git')
  return existsSync(gitDir) && statSync(gitDir).isDirectory()
    ? join(gitDir, 'hpm-merge.lock')
    : join(stateDir, 'merge.lock')
}

/**
 * A cross-process lock (an atomic `mkdir`) so two runners on one repository never merge at once.
 * A lock left by a dead process on this host, or older than 30 minutes, is taken over.
 */
export async function withMergeLock<T>(
  lockDir: string,
  signal: AbortSignal,
  work: () => Promise<T>,
): Promise<T> {
  const owner = join(lockDir, 'owner.json')
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      await mkdir(lockDir)
      await writeFile(owner, JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }))
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      if (await isStale(owner)) {
        await rm(lockDir, { recursive: true, force: true })
        continue
      }
      if (signal.aborted)
        throw new Error('stopped while waiting for the merge lock', { cause: error })
      await new Promise((r) => setTimeout(r, delay))
    }
  }
  try {
    return await work()
  } finally {
    await rm(lockDir, { recursive: true, force: true })
  }
}

async function isStale(ownerFile: string): Promise<boolean> {
  try {
    const owner = JSON.parse(await readFile(ownerFile, 'utf8')) as {
      pid: number
      host: string
      at: number
    }
    if (Date.now() - owner.at > STALE_MS) return true
    return owner.host === hostname() && !isProcessAlive(owner.pid)
  } catch {
    // No owner file: the holder is between mkdir and write, or died there. Wait a little first.
    try {
      return Date.now() - (await stat(dirname(ownerFile))).mtimeMs > 10_000
    } catch {
      return false
    }
  }
}
