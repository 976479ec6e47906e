import { mkdir, readdir, rm, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { readJsonFile, writeJsonAtomic } from '../../lib/index.js'
import { agentFileKey } from './slug.js'

/** Where a claimed task stands; written before each step so a restart knows where to resume. */
export const TASK_PHASES = [
  'claimed',
  'worktree_ready',
  'pre_task_done',
  'running',
  'agent_finished',
  'reported',
  'post_task_done',
  'merging',
  'done',
] as const
export type TaskPhase = (typeof TASK_PHASES)[number]

/** The lock file: the seed's format plus what a resume needs (session, attempt, phase). */
export const TaskLockState = z.object({
  task_id: z.number().int().nonnegative(),
  agent_id: z.string().min(1),
  locked_at: z.iso.datetime(),
  worktree_path: z.string().min(1),
  branch_name: z.string().min(1),
  session_id: z.string().min(1).nullable(),
  attempt: z.number().int().nonnegative(),
  phase: z.enum(TASK_PHASES),
  /** Process group of the Claude run in progress, so a restart can stop an orphan first. */
  agent_pgid: z.number().int().positive().nullable().optional(),
  /** The branch tip when this claim's work began: a run counts as work only with commits past it. */
  start_sha: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/)
    .nullable()
    .optional(),
  /**
   * Decided once, from the claim: `review` when a QA agent claimed a developer's `dev_done` task,
   * `work` otherwise. Absent in lock files written before it existed (then derived as before).
   */
  mode: z.enum(['work', 'review']).optional(),
  /** Review: the exact commit under review, and the only one the merge may take. */
  reviewed_commit: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/)
    .nullable()
    .optional(),
  /** Whether Claude is known to have started `session_id` (then `--resume`, else `--session-id`). */
  session_started: z.boolean().optional(),
  /** When the current attempt was launched; cleared once its run record is written. */
  attempt_started_at: z.iso.datetime().nullable().optional(),
  /** Names the current attempt's run record (`run_key`), so sending it twice stores it once. */
  attempt_key: z.string().min(1).max(100).nullable().optional(),
  /** Attempts cut off by the runner's death in a row (reset when an attempt concludes). */
  cut_offs_in_a_row: z.number().int().nonnegative().optional(),
  /** How the merge of a passed review failed (`blocked`, `sent_back`): reported even after a restart. */
  merge_failure: z.enum(['blocked', 'sent_back']).optional(),
  /** The task's claim count (`attempts`) right after this agent's claim: which report is ours. */
  claim_count: z.number().int().nonnegative().optional(),
})
export type TaskLockState = z.infer<typeof TaskLockState>

export type TaskLockRead =
  { kind: 'none' } | { kind: 'ok'; state: TaskLockState } | { kind: 'corrupt'; error: string }

/**
 * The runner's local record of the task it holds, one file per agent in the state directory.
 * Writes are atomic and fsynced, so a crash leaves either the previous or the new state.
 * One runner per agent id owns the file; this class does no cross-process locking.
 */
export class TaskPersistence {
  readonly #stateDir: string
  readonly #agentId: string
  readonly #path: string
  #updates: Promise<unknown> = Promise.resolve()

  constructor(stateDir: string, agentId: string) {
    this.#stateDir = stateDir
    this.#agentId = agentId
    this.#path = join(stateDir, lockFileName(agentId))
  }

  get path(): string {
    return this.#path
  }

  async read(): Promise<TaskLockRead> {
    const content = await readJsonFile(this.#path)
    if (content === undefined) return { kind: 'none' }
    if (content.kind === 'corrupt') return content
    const parsed = TaskLockState.safeParse(content.value)
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      return { kind: 'corrupt', error: `${this.#path} is invalid: ${issues.join('; ')}` }
    }
    if (parsed.data.agent_id !== this.#agentId) {
      return {
        kind: 'corrupt',
        error: `${this.#path} belongs to agent ${parsed.data.agent_id}, not ${this.#agentId}`,
      }
    }
    return { kind: 'ok', state: parsed.data }
  }

  /** Validates and persists `state`; throws on invalid state (a bug in the caller) or I/O failure. */
  async write(state: TaskLockState): Promise<TaskLockState> {
    const valid = TaskLockState.parse(state)
    if (valid.agent_id !== this.#agentId) {
      throw new Error(`lock state for agent ${valid.agent_id} written by agent ${this.#agentId}`)
    }
    await mkdir(this.#stateDir, { recursive: true, mode: 0o700 })
    await writeJsonAtomic(this.#path, valid)
    return valid
  }

  /**
   * Merges `changes` into the stored state. Throws when there is no valid lock to update.
   * Updates run one at a time, so concurrent ones (a session id and a pid arriving together)
   * never overwrite each other.
   */
  update(changes: Partial<Omit<TaskLockState, 'agent_id'>>): Promise<TaskLockState> {
    const next = this.#updates.then(async () => {
      const current = await this.read()
      if (current.kind !== 'ok') {
        const reason = current.kind === 'none' ? 'no lock file' : current.error
        throw new Error(`cannot update task lock for agent ${this.#agentId}: ${reason}`)
      }
      return this.write({ ...current.state, ...changes })
    })
    this.#updates = next.catch(() => undefined)
    return next
  }

  /** Removes the lock file (fine when it is already gone) and temp files a killed writer left behind. */
  async release(): Promise<void> {
    try {
      await unlink(this.#path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(`cannot remove ${this.#path}`, { cause: error })
      }
    }
    await this.#removeStaleTempFiles()
  }

  async #removeStaleTempFiles(): Promise<void> {
    const name = lockFileName(this.#agentId)
    let entries: string[]
    try {
      entries = await readdir(this.#stateDir)
    } catch {
      return
    }
    // write-file-atomic names its temp files `<target>.<hash>`.
    const stale = entries.filter((entry) => entry.startsWith(`${name}.`))
    await Promise.all(stale.map((entry) => rm(join(this.#stateDir, entry), { force: true })))
  }
}

/** A lock file name safe on any filesystem; ids that needed changing get a hash to stay distinct. */
export function lockFileName(agentId: string): string {
  return `lock-${agentFileKey(agentId)}.json`
}
