import { type Command, Option } from 'commander'

import type { HeadlessPMClient } from '../../client/index.js'
import type {
  AgentRole,
  MessageResponse,
  RunResponse,
  SkillLevel,
  TaskComplexity,
  TaskDetailResponse,
  TaskResponse,
  TaskStatus,
  TaskStatusUpdateResponse,
  UpdateTaskRequest,
} from '../../contract/index.js'
import type { EnvMap } from '../../config/index.js'
import { FLOW_STATUSES, TASK_COMPLEXITIES } from '../choices.js'
import { CommandFailedError, UsageError } from '../exit-codes.js'
import { MERGE_HELP, TASKS_HELP } from '../help.js'
import {
  complexityOption,
  intIn,
  levelOption,
  parseBudgetUsd,
  parseBudgetUsdOrNone,
  parseId,
  parseWaitSeconds,
  roleOption,
  statusFilterOption,
} from '../options.js'
import type { CommandKit, GlobalOptions } from '../program.js'

export interface CreateTaskOptions {
  featureId: number
  title: string
  description?: string
  targetRole: AgentRole
  difficulty: SkillLevel
  complexity: TaskComplexity
  branch?: string
  priority: number
  /** US dollars; absent = the runner's default. */
  budgetUsd?: number
  agentId: string
}

/** `hpm tasks create`: `created` when a pm/architect creates it, otherwise `pending` until one approves it. */
export function createTask(
  client: HeadlessPMClient,
  options: CreateTaskOptions,
): Promise<TaskResponse> {
  return client.createTask(
    {
      feature_id: options.featureId,
      title: options.title,
      description: options.description ?? '',
      target_role: options.targetRole,
      difficulty: options.difficulty,
      complexity: options.complexity,
      branch: options.branch ?? '',
      priority: options.priority,
      budget_usd: options.budgetUsd,
    },
    options.agentId,
  )
}

export interface ListTasksOptions {
  status?: TaskStatus
  role?: AgentRole
  featureId?: number
  epicId?: number
  lockedBy?: string
}

/** `hpm tasks list` with filters. */
export function listTasks(
  client: HeadlessPMClient,
  options: ListTasksOptions,
): Promise<TaskResponse[]> {
  return client.listTasksInPages({
    status: options.status,
    role: options.role,
    feature_id: options.featureId,
    epic_id: options.epicId,
    locked_by: options.lockedBy,
  })
}

/** `hpm tasks get <id>`: the task with its comments. */
export function getTask(
  client: HeadlessPMClient,
  options: { taskId: number },
): Promise<TaskDetailResponse> {
  return client.getTask(options.taskId)
}

export interface NextTaskOptions {
  role: AgentRole
  level: SkillLevel
  agentId?: string
  timeout?: number
  simulate?: boolean
}

/** `hpm tasks next`: waits for the next task this role and level may take (does not claim it). */
export function nextTask(
  client: HeadlessPMClient,
  options: NextTaskOptions,
): Promise<TaskResponse | null> {
  return client.nextTask({
    role: options.role,
    level: options.level,
    agent_id: options.agentId,
    timeout: options.timeout,
    simulate: options.simulate ? true : undefined,
  })
}

/** `hpm tasks claim`: waits for a task and claims it in one step (or returns the one already held). */
export function claimTask(
  client: HeadlessPMClient,
  options: { agentId: string; timeout?: number },
): Promise<TaskResponse | null> {
  return client.claimTask({ agent_id: options.agentId, timeout: options.timeout })
}

/** `hpm tasks lock <id>`: claims that task (moves it to under_work). */
export function lockTask(
  client: HeadlessPMClient,
  options: { taskId: number; agentId: string },
): Promise<TaskResponse> {
  return client.lockTask(options.taskId, options.agentId)
}

/** `hpm tasks unlock <id>`: gives the task back to the status it was claimed from. */
export function unlockTask(
  client: HeadlessPMClient,
  options: { taskId: number; agentId: string; notes?: string },
): Promise<TaskResponse> {
  return client.unlockTask(options.taskId, options.agentId, options.notes)
}

export interface UpdateStatusOptions {
  taskId: number
  status: TaskStatus
  agentId: string
  notes?: string
}

/** `hpm tasks status <id>`: moves the task along the flow; the answer offers the next task. */
export function updateStatus(
  client: HeadlessPMClient,
  options: UpdateStatusOptions,
): Promise<TaskStatusUpdateResponse> {
  const notes = options.notes?.trim() ? options.notes : undefined
  return client.updateStatus(options.taskId, { status: options.status, notes }, options.agentId)
}

export interface UpdateTaskOptions {
  taskId: number
  agentId: string
  title?: string
  description?: string
  targetRole?: AgentRole
  difficulty?: SkillLevel
  complexity?: TaskComplexity
  branch?: string
  priority?: number
  /** US dollars; `'none'` clears it (the runner's default applies). */
  budgetUsd?: number | 'none'
  featureId?: number
}

/** `hpm tasks update <id>`: edits fields (pm/architect or the creator). At least one field. */
export function updateTask(
  client: HeadlessPMClient,
  options: UpdateTaskOptions,
): Promise<TaskResponse> {
  const patch: UpdateTaskRequest = {}
  if (options.title !== undefined) patch.title = options.title
  if (options.description !== undefined) patch.description = options.description
  if (options.targetRole !== undefined) patch.target_role = options.targetRole
  if (options.difficulty !== undefined) patch.difficulty = options.difficulty
  if (options.complexity !== undefined) patch.complexity = options.complexity
  if (options.branch !== undefined) patch.branch = options.branch
  if (options.priority !== undefined) patch.priority = options.priority
  if (options.budgetUsd !== undefined)
    patch.budget_usd = options.budgetUsd === 'none' ? null : options.budgetUsd
  if (options.featureId !== undefined) patch.feature_id = options.featureId
  if (Object.keys(patch).length === 0) {
    throw new UsageError(
      'nothing to update: give at least one of --title, --description, --target-role, --difficulty, --complexity, --branch, --priority, --budget-usd, --feature-id',
    )
  }
  return client.updateTask(options.taskId, patch, options.agentId)
}

export interface MergePassedTaskOptions {
  taskId: number
  /** Who sets the task `committed` (a registered agent). */
  agentId: string
  repo?: string
  baseBranch?: string
  worktreeBase?: string
  /** Git remote mode: merge into this remote's base branch (pushed with a lease). */
  remote?: string
  url?: string
  apiKey?: string
  env: EnvMap
  cwd: string
  /** Progress lines for people. */
  onNotice: (message: string) => void
}

/** What `hpm tasks merge` prints when the task is merged. */
export interface MergedTask {
  task_id: number
  status: 'committed'
  complexity: TaskComplexity
  branch: string
  /** The commit QA reviewed (`work_commit`): exactly this reached the base branch. */
  commit: string
  base_branch: string
  /** The base branch's new tip (its old tip when the commit was merged already). */
  merge_commit: string
}

/**
 * `hpm tasks merge <id>`: merges a `qa_done` task's reviewed commit into the base branch the way
 * the runner does (same merge lock, same merge), then sets it `committed`. Minor and major tasks
 * alike: for a major task this is the reviewer's explicit decision. Any other outcome throws a
 * CommandFailedError saying what happened to the task.
 */
export async function mergePassedTask(options: MergePassedTaskOptions): Promise<MergedTask> {
  // Loaded here: the runner's git code is not needed by any other `hpm tasks` command.
  const [
    { loadRepoConfig },
    { HeadlessPMClient },
    { Git, GitWorktree },
    { mergeLockDir },
    { findBaseBranch, mergeTask },
  ] = await Promise.all([
    import('../../config/index.js'),
    import('../../client/index.js'),
    import('../../runner/components/index.js'),
    import('../../runner/merge-lock.js'),
    import('../../runner/merge-task.js'),
  ])
  const { taskId, agentId } = options
  const repo = loadRepoConfig({ flags: options, env: options.env, cwd: options.cwd })
  if (repo.remote !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(repo.remote)) {
    throw new CommandFailedError(
      `--remote / HEADLESS_PM_GIT_REMOTE: ${repo.remote} is not a git remote name`,
    )
  }
  const worktree = new GitWorktree({
    repoDir: repo.repoDir,
    worktreeBase: repo.worktreeBase,
    remote: repo.remote,
  })
  const usable = await worktree.prune()
  if (!usable.ok)
    throw new CommandFailedError(
      `${repo.repoDir} is not a usable git repository: ${usable.message}`,
    )
  const baseBranch = await findBaseBranch(new Git({}), repo.repoDir, repo.baseBranch)
  if (baseBranch === undefined) {
    throw new CommandFailedError(
      `cannot tell the base branch of ${repo.repoDir} (detached HEAD?); pass --base-branch or set HEADLESS_PM_BASE_BRANCH`,
    )
  }

  const client = new HeadlessPMClient({ baseUrl: repo.client.apiUrl, apiKey: repo.client.apiKey })
  const task = await client.getTask(taskId)
  // Checked before the merge, which cannot be taken back: the server would refuse `committed` after it.
  const agent = (await client.listAgents()).find((a) => a.agent_id === agentId)
  if (agent === undefined) {
    throw new CommandFailedError(
      `agent ${agentId} is not registered; register it first (hpm register --agent-id ${agentId} ...); nothing merged`,
    )
  }
  // The server's rule (docs/permissions.md): committing a major task is the reviewer's step.
  if (task.complexity === 'major' && agent.role !== 'pm' && agent.role !== 'architect') {
    throw new CommandFailedError(
      `task ${taskId} is major: only a pm or architect agent may merge and commit it, and ${agentId} is ${agent.role}; nothing merged`,
    )
  }
  const say = { info: options.onNotice, success: options.onNotice, error: () => {} }
  const deps = {
    client,
    worktree,
    agentId,
    baseBranch,
    mergeLockDir: mergeLockDir(repo.repoDir, repo.stateDir),
    signal: new AbortController().signal,
    say,
  }
  const merged = await mergeTask(deps, task)
  const branch = task.work_branch ?? task.branch
  switch (merged.kind) {
    case 'committed':
      return {
        task_id: taskId,
        status: 'committed',
        complexity: task.complexity,
        branch,
        commit: task.work_commit ?? '',
        base_branch: baseBranch,
        merge_commit: merged.sha,
      }
    case 'sent_back':
      throw new CommandFailedError(
        `merging task ${taskId} into ${baseBranch} conflicts in ${merged.files.join(', ')}; the task went back to created for its developers (branch ${branch} is kept)`,
      )
    case 'blocked':
      throw new CommandFailedError(
        `task ${taskId} is not merged and stays at qa_done: ${merged.message}\nmove what is in the way, then run \`hpm tasks merge ${taskId}\` again`,
      )
    case 'skipped':
      throw new CommandFailedError(`nothing merged: ${merged.message}`)
  }
}

/** `hpm tasks comment <id>`: `@agent_id` or `@role` in the text notifies them. */
export function addComment(
  client: HeadlessPMClient,
  options: { taskId: number; comment: string; agentId: string },
): Promise<MessageResponse> {
  return client.addComment(options.taskId, options.comment, options.agentId)
}

/** `hpm tasks delete <id>`: pm only. */
export function deleteTask(
  client: HeadlessPMClient,
  options: { taskId: number; agentId: string },
): Promise<MessageResponse> {
  return client.deleteTask(options.taskId, options.agentId)
}

/** `hpm runs <task_id>`: the runner's attempts at a task. */
export function listRuns(
  client: HeadlessPMClient,
  options: { taskId: number },
): Promise<RunResponse[]> {
  return client.listRuns(options.taskId)
}

/** `hpm tasks ...` and `hpm runs`, with their flags. */
export function addTaskCommands(program: Command, { run, report }: CommandKit): void {
  const tasks = program
    .command('tasks')
    .description('find, claim, work on and hand over tasks')
    .addHelpText('after', TASKS_HELP)
  tasks
    .command('create')
    .description('create a task (created at once by pm/architect, else pending until approved)')
    .requiredOption('--feature-id <id>', 'feature id', parseId)
    .requiredOption('--title <title>', 'short title')
    .option('--description <text>', 'what to do and how to know it is done')
    .addOption(roleOption('--target-role <role>', 'role that should do it').makeOptionMandatory())
    .addOption(levelOption('--difficulty <level>', 'skill level it needs').makeOptionMandatory())
    .addOption(complexityOption())
    .option(
      '--branch <branch>',
      'git branch for the work (empty: the runner uses feature/task-<id>)',
    )
    .option('--priority <n>', 'higher is picked first, -1000..1000', intIn(-1000, 1000), 0)
    .option(
      '--budget-usd <dollars>',
      "US dollars runners may spend on it over all attempts (default: the runner's HEADLESS_PM_TASK_BUDGET_USD)",
      parseBudgetUsd,
    )
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((opts: CreateTaskOptions, command: Command) =>
      run(command, (c) => createTask(c, opts), 'task'),
    )
  tasks
    .command('list')
    .description('list tasks, optionally filtered')
    .addOption(statusFilterOption())
    .addOption(roleOption('--role <role>', 'only tasks for this role'))
    .option('--feature-id <id>', 'only this feature', parseId)
    .option('--epic-id <id>', 'only this epic', parseId)
    .option('--locked-by <agent_id>', 'only tasks this agent holds')
    .action((opts: ListTasksOptions, command: Command) =>
      run(command, (c) => listTasks(c, opts), 'tasks'),
    )
  tasks
    .command('get')
    .description('show one task with its comments')
    .argument('<task_id>', 'task id', parseId)
    .action((taskId: number, _opts: unknown, command: Command) =>
      run(command, (c) => getTask(c, { taskId }), 'task'),
    )
  tasks
    .command('next')
    .description('wait for the next task you may take (does not claim it: lock it next)')
    .addOption(roleOption('--role <role>', 'your role').makeOptionMandatory())
    .addOption(levelOption('--level <level>', 'your skill level').makeOptionMandatory())
    .option('--agent-id <id>', 'your agent id: a task you already hold is returned first')
    .option('--timeout <seconds>', 'longest wait, 0..600 (server default 180)', parseWaitSeconds)
    .option('--simulate', 'answer at once without waiting')
    .action((opts: NextTaskOptions, command: Command) =>
      run(command, (c) => nextTask(c, opts), 'taskOrNone', waitNotice(opts)),
    )
  tasks
    .command('claim')
    .description(
      'wait for a task and claim it in one step (returns the task you already hold, if any)',
    )
    .requiredOption('--agent-id <id>', 'your agent id (registered)')
    .option('--timeout <seconds>', 'longest wait, 0..600 (server default 180)', parseWaitSeconds)
    .action((opts: { agentId: string; timeout?: number }, command: Command) =>
      run(command, (c) => claimTask(c, opts), 'taskOrNone', waitNotice(opts)),
    )
  tasks
    .command('lock')
    .description('claim this task: it moves to under_work and is yours')
    .argument('<task_id>', 'task id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((taskId: number, opts: { agentId: string }, command: Command) =>
      run(command, (c) => lockTask(c, { taskId, ...opts }), 'task'),
    )
  tasks
    .command('unlock')
    .description('give the task back (it returns to the status it was claimed from)')
    .argument('<task_id>', 'task id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id (the holder, or a pm)')
    .option('--notes <text>', 'why you give it back')
    .action((taskId: number, opts: { agentId: string; notes?: string }, command: Command) =>
      run(command, (c) => unlockTask(c, { taskId, ...opts }), 'task'),
    )
  tasks
    .command('status')
    .description('move a task along the flow (dev_done, qa_done, created, committed, ...)')
    .argument('<task_id>', 'task id', parseId)
    .addOption(
      new Option('--status <status>', 'new status').choices(FLOW_STATUSES).makeOptionMandatory(),
    )
    .requiredOption('--agent-id <id>', 'your agent id')
    .option('--notes <text>', 'what you did / how to test / the QA report (kept as a comment)')
    .action((taskId: number, opts: Omit<UpdateStatusOptions, 'taskId'>, command: Command) =>
      run(command, (c) => updateStatus(c, { taskId, ...opts }), 'statusUpdate'),
    )
  tasks
    .command('merge')
    .description(
      'merge a task that passed QA (qa_done) into the base branch as the runner does, then set it committed',
    )
    .argument('<task_id>', 'task id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id (recorded as who set committed)')
    .option('--repo <dir>', 'the project git repository (default: the current directory)')
    .option(
      '--base-branch <branch>',
      'branch to merge into (env HEADLESS_PM_BASE_BRANCH; default: the repo HEAD branch)',
    )
    .option(
      '--worktree-base <dir>',
      'where the scratch merge worktree goes (env HEADLESS_PM_WORKTREE_BASE; default <repo>/.worktrees)',
    )
    .option(
      '--remote <name>',
      "merge into this remote's base branch, pushed with a lease (env HEADLESS_PM_GIT_REMOTE)",
    )
    .addHelpText('after', MERGE_HELP)
    .action((taskId: number, opts: MergeFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>()
      return report(
        command,
        (notice) =>
          mergePassedTask({
            taskId,
            ...opts,
            url: globals.url,
            apiKey: globals.apiKey,
            // eslint-disable-next-line no-restricted-properties -- entry point: hands env to the command
            env: process.env,
            cwd: process.cwd(),
            onNotice: notice,
          }),
        'record',
      )
    })
  tasks
    .command('update')
    .description("edit a task's fields (pm/architect or its creator)")
    .argument('<task_id>', 'task id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id')
    .option('--title <title>', 'new title')
    .option('--description <text>', 'new description')
    .addOption(roleOption('--target-role <role>', 'new target role'))
    .addOption(levelOption('--difficulty <level>', 'new difficulty'))
    .addOption(new Option('--complexity <complexity>', 'new complexity').choices(TASK_COMPLEXITIES))
    .option('--branch <branch>', 'new branch')
    .option('--priority <n>', 'new priority, -1000..1000', intIn(-1000, 1000))
    .option(
      '--budget-usd <dollars>',
      "new money budget in US dollars; none = the runner's default",
      parseBudgetUsdOrNone,
    )
    .option('--feature-id <id>', 'move to this feature', parseId)
    .action((taskId: number, opts: Omit<UpdateTaskOptions, 'taskId'>, command: Command) =>
      run(command, (c) => updateTask(c, { taskId, ...opts }), 'task'),
    )
  tasks
    .command('comment')
    .description('comment on a task; @agent_id / @role mentions notify them')
    .argument('<task_id>', 'task id', parseId)
    .requiredOption('--comment <text>', 'the comment')
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((taskId: number, opts: { comment: string; agentId: string }, command: Command) =>
      run(command, (c) => addComment(c, { taskId, ...opts }), 'message'),
    )
  tasks
    .command('delete')
    .description('delete a task (pm only)')
    .argument('<task_id>', 'task id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((taskId: number, opts: { agentId: string }, command: Command) =>
      run(command, (c) => deleteTask(c, { taskId, ...opts }), 'message'),
    )

  program
    .command('runs')
    .description("the runner's attempts at a task: outcome, model, cost, tokens, duration")
    .argument('<task_id>', 'task id', parseId)
    .action((taskId: number, _opts: unknown, command: Command) =>
      run(command, (c) => listRuns(c, { taskId }), 'runs'),
    )
}

/** What `hpm tasks merge` takes from its own flags. */
type MergeFlags = Pick<
  MergePassedTaskOptions,
  'agentId' | 'repo' | 'baseBranch' | 'worktreeBase' | 'remote'
>

function waitNotice(opts: { timeout?: number; simulate?: boolean }): string | undefined {
  if (opts.simulate || opts.timeout === 0) return undefined
  return `waiting up to ${opts.timeout ?? 180} s for a task (Ctrl-C to stop)…`
}
