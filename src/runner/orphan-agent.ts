import { readlinkSync } from 'node:fs'
import { resolve } from 'node:path'

import { isGroupAlive, reapGroup, signalGroup } from '../lib/index.js'
import type { TaskLockState } from './components/index.js'

/**
 * A runner killed with SIGKILL leaves its Claude running (it has its own process group). Before a
 * restarted runner touches the task again, that orphan must stop, or two agents would write to one
 * worktree. The group is only killed when its leader still works in this task's worktree, so a
 * recycled pid is never hit.
 */
export async function stopOrphanAgent(
  state: TaskLockState,
  warn: (message: string) => void,
): Promise<void> {
  const pgid = state.agent_pgid
  if (!pgid || !isGroupAlive(pgid)) return
  let cwd: string | undefined
  try {
    cwd = readlinkSync(`/proc/${pgid}/cwd`)
  } catch {
    cwd = undefined
  }
  if (cwd !== undefined && resolve(cwd) !== resolve(state.worktree_path)) return
  warn(
    `the agent from before the restart (process group ${pgid}) is still running in ${state.worktree_path}; stopping it`,
  )
  signalGroup(pgid, 'SIGTERM')
  await reapGroup(pgid, 3000)
}
