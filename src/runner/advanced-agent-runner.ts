import { existsSync, statSync } from 'node:fs'
import { delimiter, isAbsolute, join, relative, sep } from 'node:path'

import { ApiError, ApiUnavailableError, HeadlessPMClient, pause } from '../client/index.js'
import type { RunnerConfig } from '../config/index.js'
import type { TaskResponse } from '../contract/index.js'
import { EXIT, exitCodeOfSignal, PACKAGE_ROOT, runProcess } from '../lib/index.js'
import {
  ClaudeExecutor,
  ensureExcluded,
  Git,
  GitWorktree,
  HookRunner,
  ModelMapper,
  spareWorktreeName,
  TaskPersistence,
  TerminalUI,
} from './components/index.js'
import type { TaskLockState } from './components/index.js'
import { registerRunnerAgent } from './agent-token.js'
import { writeMcpConfig } from './mcp-config.js'
import { mergeLockDir } from './merge-lock.js'
import { findBaseBranch } from './merge-task.js'
import { reconcile } from './reconcile.js'
import { isReportedPhase } from './phase-machine.js'
import { checkInstallation, checkRemote } from './preflight.js'
import { readRunnerRolePrompt } from './role-prompt.js'
import {
  FAULT_POINTS,
  faultPoint,
  modeOf,
  modeOfClaim,
  requestedBranch,
  serverCall,
} from './runner-context.js'
import type { RunnerContext, TaskEnd } from './runner-context.js'
import { giveUpTask } from './task-tail.js'
import { driveTask } from './task-work.js'
import { ActivityChannel } from './activity.js'
import { secretsOf } from './transcript.js'

export interface AdvancedAgentRunnerOptions {
  config: RunnerConfig
  /** The runner's own environment (for PATH and the claude/hook environments). */
  env: Readonly<Record<string, string | undefined>>
  ui?: TerminalUI
}

/** GNU `timeout`, when this machine has it: Claude runs under it so it cannot outlive a killed runner. */
async function findTimeoutGuard(path: string): Promise<string | undefined> {
  try {
    const probe = await runProcess('timeout', ['--version'], {
      timeoutMs: 30_000,
      env: { PATH: path },
    })
    return probe.exitCode === 0 && probe.stdout.includes('GNU') ? 'timeout' : undefined
  } catch {
    return undefined
  }
}

function defaultHooksDir(repoDir: string): string {
  const project = join(repoDir, '.headless-pm', 'hooks')
  return existsSync(project) && statSync(project).isDirectory()
    ? project
    : join(PACKAGE_ROOT, 'hooks')
}

/**
 * One agent, working task after task: recover what is ours, else claim (long-poll), then drive the
 * task through its phases. The only owner of runner state; components report, this decides.
 */
export class AdvancedAgentRunner {
  readonly #options: AdvancedAgentRunnerOptions
  readonly #stop = new AbortController()
  /** Aborted by `drain()`: ends the waits between tasks (claim long-poll, pauses), never a task's work. */
  readonly #drain = new AbortController()
  readonly #betweenTasks = AbortSignal.any([this.#stop.signal, this.#drain.signal])
  readonly #ui: TerminalUI
  #stopSignal: NodeJS.Signals | undefined
  /** The runner's PATH with this package's `bin/` first, so Claude (and the checks) find `hpm`. */
  readonly #path: string

  constructor(options: AdvancedAgentRunnerOptions) {
    this.#options = options
    this.#ui = options.ui ?? new TerminalUI({ onStuckPolicy: options.config.onStuck })
    this.#path = [join(PACKAGE_ROOT, 'bin'), options.env.PATH ?? ''].filter(Boolean).join(delimiter)
  }

  /** Stops taking work, stops Claude, keeps the lock file (the next start resumes). */
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.#stopSignal ??= signal
    this.#stop.abort()
  }

  /** Finishes the task in hand (if any), claims nothing more, then `run()` resolves 0. */
  drain(): void {
    if (this.#drain.signal.aborted) return
    this.#ui.info('draining: finishing the current task, then stopping')
    this.#drain.abort()
  }

  async run(): Promise<number> {
    const ctx = await this.#startup()
    if (typeof ctx === 'number') return ctx
    let errorsInARow = 0
    let blockedInARow = 0
    while (!this.#stop.signal.aborted) {
      let end: TaskEnd | 'idle' | 'drained'
      try {
        end = await this.#next(ctx)
        errorsInARow = 0
      } catch (error) {
        if (this.#stop.signal.aborted) break
        // A runner is meant to run overnight: an unexpected error ends this turn, not the process.
        // The lock file and the next reconcile work out where things stand.
        errorsInARow++
        const delayMs = Math.min(5000 * 2 ** (errorsInARow - 1), 60_000)
        this.#ui.error(
          `unexpected error (${error instanceof Error ? error.message : String(error)}); carrying on in ${delayMs / 1000} s`,
        )
        await pause(delayMs, this.#betweenTasks)
        continue
      }
      if (end === 'drained') {
        this.#ui.success('drained: no task in hand; stopping')
        return EXIT.ok
      }
      if (end === 'quit') return EXIT.failed
      if (end === 'interrupted') break
      if (end === 'idle') continue
      // --single-task: one task, then exit; 0 only when it was done (a failed merge, a released,
      // dropped or given-back task was not).
      if (ctx.config.isSingleTask) return end === 'done' ? EXIT.ok : EXIT.failed
      // A continuous runner pauses after a release so a task that keeps failing does not burn
      // attempts in a tight loop (the server also ranks the task last for this agent for a while).
      if (end === 'released')
        await pause(ctx.config.healthCheckIntervalSeconds * 1000, this.#betweenTasks)
      // Claude could not run: each give-back costs a claim and a comment, so the wait doubles
      // (up to 30 minutes) while the installation keeps failing, and resets after a task is done.
      blockedInARow = end === 'blocked' ? blockedInARow + 1 : end === 'done' ? 0 : blockedInARow
      if (end === 'blocked') await this.#waitUntilInstallationWorks(ctx, blockedInARow)
    }
    this.#ui.warn('stopped; any task in progress stays claimed and resumes on the next start')
    return exitCodeOfSignal(this.#stopSignal ?? 'SIGTERM')
  }

  async #startup(): Promise<RunnerContext | number> {
    const { config, env } = this.#options
    const ui = this.#ui
    const path = this.#path
    const agentEnv: Record<string, string> = {
      PATH: path,
      HEADLESS_PM_API_URL: config.client.apiUrl,
      HEADLESS_PM_AGENT_ID: config.agentId,
    }

    // What can be checked without spending money is checked before any claim: a task claimed by a
    // runner that cannot work would be held hostage.
    const problems = await checkInstallation({
      claudeBin: config.claudeBin,
      repoDir: config.repoDir,
      env: { ...env, PATH: path },
    })
    if (problems.length > 0) {
      for (const problem of problems) ui.error(problem)
      return EXIT.failed
    }
    if (process.getuid?.() === 0)
      ui.info(
        'running as root: Claude gets IS_SANDBOX=1, which --dangerously-skip-permissions requires',
      )

    const git = new Git({})
    const worktree = new GitWorktree({
      repoDir: config.repoDir,
      worktreeBase: config.worktreeBase,
      remote: config.remote,
      spare: { name: spareWorktreeName(config.agentId), isKept: config.spareWorktree },
    })
    if (!config.spareWorktree) await worktree.removeSpare()
    const pruned = await worktree.prune()
    if (!pruned.ok) {
      ui.error(`${config.repoDir} is not a usable git repository: ${pruned.message}`)
      return EXIT.failed
    }
    // The runner's own files must never show up as changes in the project (or be merged into it).
    const stateRel = relative(config.repoDir, config.stateDir)
    if (stateRel !== '' && !stateRel.startsWith('..') && !isAbsolute(stateRel)) {
      await ensureExcluded(config.repoDir, [`/${stateRel.split(sep)[0]}/`], git)
    }
    const baseBranch = await findBaseBranch(git, config.repoDir, config.baseBranch)
    if (!baseBranch) {
      ui.error(
        `cannot tell the base branch of ${config.repoDir} (detached HEAD?); set HEADLESS_PM_BASE_BRANCH`,
      )
      return EXIT.failed
    }
    if (config.remote !== undefined) {
      const remoteProblem = await checkRemote(
        git,
        worktree,
        config.repoDir,
        config.remote,
        baseBranch,
      )
      if (remoteProblem !== undefined) {
        ui.error(remoteProblem)
        return EXIT.failed
      }
      ui.info(
        `git remote mode: worktrees start from ${config.remote}, task branches are pushed there before dev_done, merges move ${config.remote}/${baseBranch}`,
      )
    }
    const guardBin = await findTimeoutGuard(path)
    if (!guardBin)
      ui.warn(
        'GNU timeout was not found: a Claude left running by a killed runner is stopped only when the runner starts again',
      )
    const fault = FAULT_POINTS.find((p) => p === config.faultPoint)

    // Registered first: from here on the runner, its hooks and Claude use the agent's own token.
    let apiKey: string | undefined
    try {
      apiKey = await registerRunnerAgent(config, {
        signal: this.#stop.signal,
        onRetry: (error, delayMs) =>
          ui.warn(`${error.message}; retrying in ${Math.round(delayMs / 1000)} s`),
        warn: (message) => ui.warn(message),
      })
    } catch (error) {
      if (error instanceof ApiUnavailableError || error instanceof ApiError) {
        ui.error(`cannot register agent ${config.agentId}: ${error.message}`)
        return error instanceof ApiUnavailableError ? EXIT.unavailable : EXIT.failed
      }
      throw error
    }
    const client = new HeadlessPMClient({ baseUrl: config.client.apiUrl, apiKey })
    if (apiKey) agentEnv.HEADLESS_PM_API_KEY = apiKey
    const ctx: RunnerContext = {
      config,
      client,
      ui,
      persistence: new TaskPersistence(config.stateDir, config.agentId),
      worktree,
      git,
      hooks: new HookRunner({
        hooksDir: config.hooksDir ?? defaultHooksDir(config.repoDir),
        timeoutMs: config.hookTimeoutSeconds * 1000,
        agentId: config.agentId,
        env: { ...agentEnv, HEADLESS_PM_CLAUDE_BIN: config.claudeBin },
      }),
      executor: new ClaudeExecutor({
        claudeBin: config.claudeBin,
        timeoutMs: config.claudeTimeoutSeconds * 1000,
        stallTimeoutMs: config.stallTimeoutSeconds * 1000,
        logDir: join(config.stateDir, 'logs'),
        env: agentEnv,
        envDeny: config.claudeEnvDeny,
        envPass: config.claudeEnvPass,
        guardBin,
        extraArgs: config.claudeMcp ? ['--mcp-config', await writeMcpConfig(config, apiKey)] : [],
      }),
      models: new ModelMapper(config.models),
      baseBranch,
      signal: this.#stop.signal,
      rolePrompt: readRunnerRolePrompt(config.repoDir, config.role),
      mergeLockDir: mergeLockDir(config.repoDir, config.stateDir),
      faultPoint: fault,
      secrets: secretsOf([config.client.apiKey, apiKey], env),
      activity: new ActivityChannel(client, config.agentId),
    }

    ui.success(
      `agent ${config.agentId} (${config.role}, ${config.level}) registered with ${config.client.apiUrl}; base branch ${baseBranch}`,
    )
    return ctx
  }

  /** One turn of the loop: reconcile first; claim only when nothing is ours. */
  async #next(ctx: RunnerContext): Promise<TaskEnd | 'idle' | 'drained'> {
    const { config, ui, persistence, client } = ctx
    const local = await persistence.read()
    if (local.kind === 'corrupt')
      ui.warn(
        `the lock file ${persistence.path} is unreadable (${local.error}); asking the server instead`,
      )
    const held = await serverCall(ctx, 'reading held tasks', () =>
      client.listTasks({ locked_by: config.agentId }),
    )
    const localTask =
      local.kind === 'ok'
        ? await serverCall(ctx, 'reading the task', () => client.findTask(local.state.task_id))
        : undefined
    const isQa =
      local.kind === 'ok'
        ? modeOf(ctx, local.state, localTask) === 'review'
        : held[0] !== undefined && modeOfClaim(held[0]) === 'review'
    const decision = reconcile({ local, held, localTask, isQa })

    switch (decision.action) {
      case 'resume':
        ui.info(
          `resuming task ${decision.task.id} "${decision.task.title}" from phase ${decision.state.phase}`,
        )
        return driveTask(ctx, decision.task, decision.state)
      case 'adopt': {
        ui.warn(
          `the server says this agent holds task ${decision.task.id} but there is no lock file; taking it up`,
        )
        return driveTask(ctx, decision.task, await this.#persistClaim(ctx, decision.task))
      }
      case 'finish':
        ui.info(`task ${decision.state.task_id} was already reported; finishing up`)
        if (!decision.task) {
          await giveUpTask(ctx, decision.state, {
            unlock: false,
            note: 'the task was deleted on the server',
          })
          return 'idle'
        }
        // The report reached the server (the agent may have sent it itself before a crash).
        return driveTask(
          ctx,
          decision.task,
          decision.state,
          isReportedPhase(decision.state.phase)
            ? { kind: 'resume' }
            : { kind: 'reported_by_agent' },
        )
      case 'drop':
        ui.warn(`dropping task ${decision.state.task_id}: ${decision.reason}`)
        await giveUpTask(ctx, decision.state, { unlock: false, note: decision.reason })
        // Left over from an earlier run: this run has not worked on a task yet, so it goes on.
        return 'idle'
      case 'claim':
        // Draining still finishes what reconcile found in hand (above); it only claims nothing new.
        return this.#drain.signal.aborted ? 'drained' : this.#claimAndWork(ctx)
    }
  }

  async #claimAndWork(ctx: RunnerContext): Promise<TaskEnd | 'idle'> {
    const { config, ui, client } = ctx
    const health = await ctx.hooks.runHealthCheck({ cwd: config.repoDir })
    if (!health.ok) {
      ui.warn(
        `health_check failed (${health.message ?? 'non-zero exit'}); not taking work for ${config.healthCheckIntervalSeconds} s`,
      )
      await pause(config.healthCheckIntervalSeconds * 1000, this.#betweenTasks)
      return 'idle'
    }
    ui.info(`waiting for a ${config.role} task (level ${config.level} or lower)…`)
    let task: TaskResponse | null = null
    while (!task && !this.#betweenTasks.aborted) {
      try {
        task = await serverCall(ctx, 'claiming', () =>
          client.claimTask(
            { agent_id: config.agentId, timeout: config.claimWaitSeconds },
            { timeoutMs: (config.claimWaitSeconds + 30) * 1000, signal: this.#betweenTasks },
          ),
        )
      } catch (error) {
        // A drain cuts the long-poll. A claim the server made just before is not lost: the next
        // turn's reconcile adopts it and finishes it before stopping.
        if (!this.#drain.signal.aborted || ctx.signal.aborted) throw error
      }
    }
    if (!task) return ctx.signal.aborted ? 'interrupted' : 'idle'
    faultPoint(ctx, 'after_claim')
    // A claim that landed as we were stopping stays ours; record it so the next start resumes it.
    if (ctx.signal.aborted) {
      await this.#persistClaim(ctx, task)
      return 'interrupted'
    }
    ui.success(`claimed task ${task.id} "${task.title}" (${task.difficulty}, ${task.complexity})`)
    return driveTask(ctx, task, await this.#persistClaim(ctx, task))
  }

  /** In continuous mode after Claude could not run: no claims until the installation checks pass. */
  async #waitUntilInstallationWorks(ctx: RunnerContext, blockedInARow: number): Promise<void> {
    const { config, ui } = ctx
    const waitMs = Math.min(
      config.healthCheckIntervalSeconds * 1000 * 2 ** (blockedInARow - 1),
      30 * 60 * 1000,
    )
    ui.warn(
      `not claiming until claude can run here; checking again in ${Math.round(waitMs / 1000)} s`,
    )
    while (!this.#betweenTasks.aborted) {
      await pause(waitMs, this.#betweenTasks)
      if (this.#betweenTasks.aborted) return
      const problems = await checkInstallation({
        claudeBin: config.claudeBin,
        repoDir: config.repoDir,
        env: { ...this.#options.env, PATH: this.#path },
      })
      const health =
        problems.length === 0 ? await ctx.hooks.runHealthCheck({ cwd: config.repoDir }) : undefined
      if (health?.ok) {
        ui.success('claude can run again; claiming work')
        return
      }
    }
  }

  async #persistClaim(ctx: RunnerContext, task: TaskResponse): Promise<TaskLockState> {
    const mode = modeOfClaim(task)
    const branch =
      mode === 'review'
        ? (task.work_branch ?? (await requestedBranch(ctx, task)))
        : await requestedBranch(ctx, task)
    const suffix = mode === 'review' ? '-qa' : ''
    const state = await ctx.persistence.write({
      task_id: task.id,
      agent_id: ctx.config.agentId,
      locked_at: task.locked_at ?? new Date().toISOString(),
      worktree_path: join(ctx.config.worktreeBase, `task-${task.id}${suffix}`),
      branch_name: branch,
      session_id: null,
      attempt: 0,
      phase: 'claimed',
      mode,
      claim_count: task.attempts,
    })
    faultPoint(ctx, 'after_lock_write')
    return state
  }
}
