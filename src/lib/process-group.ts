import { existsSync, readdirSync, readFileSync } from 'node:fs'

// Group members may outlive the leader for a moment after SIGKILL while the kernel tears them down.
const REAP_AFTER_KILL_MS = 2000
const POLL_MS = 25

// Detached children do not die with us; the exit hook makes a normal runner exit take them along.
const liveGroups = new Set<number>()
let isExitHookInstalled = false

/**
 * True while any member of the process group `pgid` is running (zombies do not count: an init that
 * does not reap them would otherwise make every group look alive forever).
 */
export function isGroupAlive(pgid: number): boolean {
  if (!existsSync('/proc/self/stat')) return signalGroup(pgid, 0)
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readStat(Number(entry))
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true
  }
  return false
}

/** True while the process runs; a zombie counts as gone. */
export function isProcessAlive(pid: number): boolean {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  const stat = readStat(pid)
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X'
}

/** SIGKILLs every still-running child group this process started. For shutdown paths. */
export function killAllChildGroups(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL')
}

/** Sends `signal` to every member of the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch {
    return false
  }
}

/** Waits up to `graceMs` for the group to end, then SIGKILLs it and waits for that to take effect. */
export async function reapGroup(pgid: number, graceMs: number): Promise<void> {
  const killAt = Date.now() + graceMs
  while (isGroupAlive(pgid) && Date.now() < killAt) await sleep(POLL_MS)
  if (!isGroupAlive(pgid)) return
  signalGroup(pgid, 'SIGKILL')
  const giveUpAt = Date.now() + REAP_AFTER_KILL_MS
  while (isGroupAlive(pgid) && Date.now() < giveUpAt) await sleep(POLL_MS)
}

export function trackGroup(pgid: number): void {
  liveGroups.add(pgid)
  if (isExitHookInstalled) return
  isExitHookInstalled = true
  process.once('exit', killAllChildGroups)
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid)
}

function readStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may contain spaces and parentheses; the fields after the last ')' do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) }
  } catch {
    return undefined
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
