import { Command, Option } from 'commander'

// Imported directly, not through lib/index, so that `hpm --help` does not load execa.
import { PACKAGE_VERSION } from '../lib/package-root.js'

import type { HeadlessPMClient } from '../client/index.js'
import type { RunnerFlags } from '../config/index.js'
import type { AgentRole, SkillLevel } from '../contract/index.js'
import { CONNECTION_TYPES, FLOW_STATUSES, TASK_COMPLEXITIES } from './choices.js'
import {
  DOCUMENTS_HELP,
  IMPORT_V1_HELP,
  INIT_HELP,
  MAIN_HELP,
  MCP_HELP,
  MENTIONS_HELP,
  MERGE_HELP,
  PLANNING_HELP,
  SERVICES_HELP,
  TASKS_HELP,
  TEAM_HELP,
} from './help.js'
import {
  complexityOption,
  docTypeOption,
  intIn,
  levelOption,
  parseBudgetUsd,
  parseBudgetUsdOrNone,
  parseHttpUrl,
  parseId,
  parseIsoDateTime,
  parseJsonObject,
  parseWaitSeconds,
  roleOption,
  serviceStatusOption,
  statusFilterOption,
} from './options.js'
import type { NextTaskOptions } from './commands/tasks.js'
import type { views } from './output.js'

/** Options every command accepts (commander parses them before or after the command name). */
export interface GlobalOptions {
  url?: string
  apiKey?: string
  json?: boolean
}

type ViewName = keyof typeof views

/** What an action tells `main`: the exit code, and whether to exit at once when it returns. */
export interface ProgramHooks {
  setExit: (code: number, exitWhenDone: boolean) => void
  /** Where commander writes help and its own errors; default stdout and stderr. */
  output?: { writeOut: (text: string) => void; writeErr: (text: string) => void }
}

/**
 * Runs one client command: config (flags > env > .env), a client, the command, then prints its
 * result. Modules load lazily so `hpm --help` and usage errors stay fast.
 */
async function runClient<T>(
  command: Command,
  hooks: ProgramHooks,
  work: (client: HeadlessPMClient) => Promise<T>,
  view?: ViewName,
  notice?: string,
): Promise<void> {
  const globals = command.optsWithGlobals<GlobalOptions>()
  const [{ loadClientConfig }, { ApiError, HeadlessPMClient }, output] = await Promise.all([
    import('../config/index.js'),
    import('../client/index.js'),
    import('./output.js'),
  ])
   
  const config = loadClientConfig({
    flags: { url: globals.url, apiKey: globals.apiKey },
    env: process.env,
    cwd: process.cwd(),
  })
  const client = new HeadlessPMClient({ baseUrl: config.apiUrl, apiKey: config.apiKey })
  const mode = output.outputMode(globals.json)
  if (notice) output.printNotice(notice, mode)
  let data: T
  try {
    data = await work(client)
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unauthorized' && config.apiKey === undefined) {
      throw new ApiError({
        status: error.status,
        code: error.code,
        detail: `${String(error.detail)}: no API key configured; pass --api-key, set HEADLESS_PM_API_KEY, or run \`hpm init\` in your project`,
        requestId: error.requestId,
        endpoint: error.endpoint,
        cause: error,
      })
    }
    throw error
  }
  // A view is looked up by name so that this module need not load the table library up front.
  output.printResult(data, mode, view ? (output.views[view] as (d: T) => string) : undefined)
  hooks.setExit(0, true)
}

/** Builds the whole `hpm` command tree. Command modules are imported only when their command runs. */
export function buildProgram(hooks: ProgramHooks): Command {
  const program = new Command('hpm')
    .description(
      'Headless PM: coordination server, agent CLI and crash-safe runner for teams of coding agents',
    )
    .option('--url <url>', 'server URL (env HEADLESS_PM_API_URL; default http://127.0.0.1:6969)')
    .option('--api-key <key>', 'API key (env HEADLESS_PM_API_KEY)')
    .option('--json', 'print JSON even on a terminal (the default when stdout is not one)')
    .version(packageVersion(), '-V, --version', 'print the hpm version')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', MAIN_HELP)
  // Set before any subcommand exists: subcommands copy these settings when they are created.
  if (hooks.output) program.configureOutput(hooks.output)

  const run = <T>(
    command: Command,
    work: (client: HeadlessPMClient) => Promise<T>,
    view?: ViewName,
    notice?: string,
  ) => runClient(command, hooks, work, view, notice)

  // ---- server and setup ----
  program.commandsGroup('Server, runner and setup:')

  program
    .command('serve')
    .description('start the coordination server (SQLite in ./.headless-pm by default)')
    .option('--host <host>', 'address to bind (env HPM_HOST)', undefined)
    .option('--port <port>', 'TCP port (env SERVICE_PORT, default 6969)')
    .option('--data-dir <dir>', 'data folder (env HEADLESS_PM_DATA_DIR, default ./.headless-pm)')
    .option('--database-url <url>', 'sqlite:<path> or postgres://... (env DATABASE_URL)')
    .action(
      async (opts: { host?: string; port?: string; dataDir?: string; databaseUrl?: string }) => {
        const { serveCommand } = await import('./commands/serve.js')
        hooks.setExit(await serveCommand(opts), true)
      },
    )

  program
    .command('mcp')
    .description(
      'MCP server on stdio for Claude Code and other MCP clients (claude mcp add headless-pm -- hpm mcp)',
    )
    .option('--agent-id <id>', 'the agent the tools act as when a call does not name one')
    .addOption(roleOption('--role <role>', 'default role for register_agent and get_next_task'))
    .addOption(levelOption('--level <level>', 'default level for register_agent and get_next_task'))
    .addHelpText('after', MCP_HELP)
    .action(
      async (
        opts: { agentId?: string; role?: AgentRole; level?: SkillLevel },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>()
        const { mcpCommand } = await import('./commands/mcp.js')
        hooks.setExit(await mcpCommand({ ...opts, url: globals.url, apiKey: globals.apiKey }), true)
      },
    )

  program
    .command('run')
    .description(
      'run one agent: claim a task, work on it with Claude in a git worktree, report, repeat',
    )
    .addOption(roleOption('--role <role>', 'the role whose tasks to take').makeOptionMandatory())
    .requiredOption('--agent-id <id>', 'agent id to register and work as')
    .addOption(levelOption('--level <level>', 'highest task difficulty to take (default senior)'))
    .option('--single-task', 'work on one task, then exit')
    .option('--repo <dir>', 'the project git repository (default: the current directory)')
    .option('--hooks-dir <dir>', 'folder with pre_task, post_task and health_check hooks')
    .addOption(
      new Option('--on-stuck <answer>', 'answer to operator prompts without a terminal').choices([
        'retry',
        'release',
        'quit',
      ]),
    )
    .option(
      '--base-branch <branch>',
      'branch minor tasks are merged into (default: the repo HEAD branch)',
    )
    .option(
      '--remote <name>',
      'git remote mode, for runners on several machines: fetch, push task branches before dev_done, merge into the remote base branch (env HEADLESS_PM_GIT_REMOTE)',
    )
    .action(async (opts: Omit<RunnerFlags, 'url' | 'apiKey'>, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>()
      const { runCommand } = await import('./commands/run.js')
      hooks.setExit(await runCommand({ ...opts, url: globals.url, apiKey: globals.apiKey }), true)
    })

  const team = program
    .command('team')
    .description('run a team of runners from a team file: up, status, down, logs (see docs/cli.md)')
    .addHelpText('after', TEAM_HELP)
  const teamContext = (file: string | undefined, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions>()
    // eslint-disable-next-line no-restricted-properties -- entry point: hands env to the command
    return { file, env: process.env, cwd: process.cwd(), url: globals.url, apiKey: globals.apiKey }
  }
  team
    .command('up')
    .description(
      'start every runner of the team and supervise them (Ctrl-C drains, twice stops now)',
    )
    .argument('[file]', 'team file (default ./headless-pm.team.json)')
    .addOption(
      new Option('--view <view>', 'table (default on a terminal) or prefixed log lines').choices([
        'table',
        'lines',
      ]),
    )
    .action(
      async (file: string | undefined, opts: { view?: 'table' | 'lines' }, command: Command) => {
        const { teamUp } = await import('./commands/team.js')
        hooks.setExit(await teamUp(teamContext(file, command), opts), true)
      },
    )
  team
    .command('status')
    .description('who of the team runs (pid files) and what each holds (the server)')
    .argument('[file]', 'team file (default ./headless-pm.team.json)')
    .action(async (file: string | undefined, _opts: unknown, command: Command) => {
      const [commands, output] = await Promise.all([
        import('./commands/team.js'),
        import('./output.js'),
      ])
      const result = await commands.teamStatus(teamContext(file, command))
      output.printResult(
        result,
        output.outputMode(command.optsWithGlobals<GlobalOptions>().json),
        commands.teamStatusView,
      )
      hooks.setExit(0, true)
    })
  team
    .command('down')
    .description(
      "ask the team's supervisor to drain (each runner finishes its task), or --now to stop at once",
    )
    .argument('[file]', 'team file (default ./headless-pm.team.json)')
    .option('--now', 'stop now: runners stop Claude; claimed tasks resume on the next start')
    .action(async (file: string | undefined, opts: { now?: boolean }, command: Command) => {
      const [commands, output] = await Promise.all([
        import('./commands/team.js'),
        import('./output.js'),
      ])
      const result = await commands.teamDown(teamContext(file, command), opts)
      output.printResult(
        result,
        output.outputMode(command.optsWithGlobals<GlobalOptions>().json),
        commands.teamDownView,
      )
      hooks.setExit(0, true)
    })
  team
    .command('logs')
    .description("print an agent's runner log (<state dir>/team/logs/<agent>.log)")
    .argument('<agent>', 'agent id, e.g. backend_dev_1')
    .argument('[file]', 'team file (default ./headless-pm.team.json)')
    .option('-f, --follow', 'keep printing what is appended, until Ctrl-C')
    .action(
      async (
        agent: string,
        file: string | undefined,
        opts: { follow?: boolean },
        command: Command,
      ) => {
        const { teamLogs } = await import('./commands/team.js')
        hooks.setExit(await teamLogs(teamContext(file, command), agent, opts), true)
      },
    )

  const db = program
    .command('db')
    .description("database schema: status, migrations and v1 import (for the server's database)")
  for (const [name, description] of [
    [
      'status',
      'show applied and pending migrations; fails when the database is newer than this hpm',
    ],
    ['migrate', 'apply pending migrations (hpm serve also does this when it starts)'],
  ] as const) {
    db.command(name)
      .description(description)
      .option('--data-dir <dir>', 'data folder (env HEADLESS_PM_DATA_DIR, default ./.headless-pm)')
      .option('--database-url <url>', 'sqlite:<path> or postgres://... (env DATABASE_URL)')
      .action(async (opts: { dataDir?: string; databaseUrl?: string }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>()
        const [commands, output] = await Promise.all([
          import('./commands/db.js'),
          import('./output.js'),
        ])
        const result =
          name === 'status' ? await commands.dbStatus(opts) : await commands.dbMigrate(opts)
        output.printResult(result, output.outputMode(globals.json), output.views.record)
        hooks.setExit(0, true)
      })
  }
  db.command('import-v1')
    .description(
      'copy a Headless PM v1 database into this one, in one transaction (safe to run again)',
    )
    .argument(
      '<source>',
      'the v1 database: a SQLite file, sqlite:///relative.db, sqlite:////abs.db, or mysql://...',
    )
    .option('--dry-run', 'show what would be imported and what would be skipped; write nothing')
    .option('--data-dir <dir>', 'data folder (env HEADLESS_PM_DATA_DIR, default ./.headless-pm)')
    .option('--database-url <url>', 'sqlite:<path> or postgres://... (env DATABASE_URL)')
    .addHelpText('after', IMPORT_V1_HELP)
    .action(
      async (
        source: string,
        opts: { dryRun?: boolean; dataDir?: string; databaseUrl?: string },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>()
        const [commands, output] = await Promise.all([
          import('./commands/db.js'),
          import('./output.js'),
        ])
        const result = await commands.dbImportV1(source, opts)
        output.printResult(result, output.outputMode(globals.json), commands.importV1View)
        if (result.skipped.length > 0)
          output.printHint(
            `${result.skipped.length} v1 row(s) were not imported; each is listed under skipped with the reason`,
          )
        hooks.setExit(0, true)
      },
    )

  program
    .command('init')
    .description(
      'prepare a project repo for agents: .env with URL and key, git excludes, role prompts',
    )
    .option(
      '--dir <dir>',
      'project directory (default: the git repository around the current directory)',
    )
    .option('--with-roles', 'copy the role prompts into <dir>/headless-pm/team_roles/')
    .option('--force', 'with --with-roles: overwrite role prompts that already exist')
    .addHelpText('after', INIT_HELP)
    .action(
      async (opts: { dir?: string; withRoles?: boolean; force?: boolean }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>()
        const [{ initProject }, output] = await Promise.all([
          import('./commands/init.js'),
          import('./output.js'),
        ])
        const result = await initProject({
          ...opts,
          url: globals.url,
          apiKey: globals.apiKey,
          // eslint-disable-next-line no-restricted-properties -- entry point: hands env to the command
          env: process.env,
          cwd: process.cwd(),
        })
        const mode = output.outputMode(globals.json)
        output.printResult(result, mode, output.views.record)
        for (const hint of result.hints) output.printHint(hint)
        hooks.setExit(0, true)
      },
    )

  program
    .command('demo')
    .description(
      'see the whole flow in under a minute: temp server, repo and task, a dev then a QA runner with a fake Claude',
    )
    .option(
      '--keep',
      'keep the temp directory (server data, repo, runner logs) and print where it is',
    )
    .action(async (opts: { keep?: boolean }) => {
      const { demoCommand } = await import('./commands/demo.js')
      hooks.setExit(await demoCommand(opts), true)
    })

  program
    .command('context')
    .description('project context: name, shared paths, database type (public)')
    .action((_opts, command: Command) =>
      run(command, async (c) => (await import('./commands/agents.js')).getContext(c), 'record'),
    )

  // ---- agents ----
  program.commandsGroup('Agents:')

  program
    .command('register')
    .description(
      'register this agent (do it first); returns the task you hold or may take next, and unread mentions',
    )
    .requiredOption('--agent-id <id>', 'your agent id, e.g. backend_dev_senior_001')
    .addOption(roleOption().makeOptionMandatory())
    .addOption(levelOption().makeOptionMandatory())
    .addOption(
      new Option('--connection-type <type>', 'how the agent talks to the server')
        .choices(CONNECTION_TYPES)
        .default('client'),
    )
    .option(
      '--requester-agent-id <id>',
      "a pm's agent id: needed to change the role or level of an agent already registered",
    )
    .action((opts, command: Command) =>
      run(
        command,
        async (c) => (await import('./commands/agents.js')).registerAgent(c, opts),
        'register',
      ),
    )

  program
    .command('heartbeat')
    .description('say you are alive and renew the lease on the task you hold')
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((opts: { agentId: string }, command: Command) =>
      run(
        command,
        async (c) => (await import('./commands/agents.js')).heartbeat(c, opts),
        'heartbeat',
      ),
    )

  const agents = program.command('agents').description('list or delete agents, revoke their tokens')
  agents
    .command('list', { isDefault: true })
    .description('list registered agents')
    .action((_opts, command: Command) =>
      run(command, async (c) => (await import('./commands/agents.js')).listAgents(c), 'agents'),
    )
  agents
    .command('delete')
    .description('delete an agent (pm only); its tasks are released')
    .requiredOption('--agent-id <id>', 'agent to delete')
    .requiredOption('--requester-agent-id <id>', 'your agent id (a pm)')
    .action((opts: { agentId: string; requesterAgentId: string }, command: Command) =>
      run(
        command,
        async (c) => (await import('./commands/agents.js')).deleteAgent(c, opts),
        'message',
      ),
    )
  agents
    .command('revoke')
    .description(
      "revoke every token of an agent (with the project key, the agent's own token, or a pm's)",
    )
    .argument('<agent-id>', 'agent whose tokens stop working')
    .option(
      '--requester-agent-id <id>',
      "a pm's agent id, when revoking another agent's tokens with a pm's token",
    )
    .action((agentId: string, opts: { requesterAgentId?: string }, command: Command) =>
      run(
        command,
        async (c) =>
          (await import('./commands/agents.js')).revokeAgentTokens(c, { agentId, ...opts }),
        'revoked',
      ),
    )

  // ---- planning ----
  program.commandsGroup('Planning:')

  const epics = program
    .command('epics')
    .description('create, list and delete epics (pm, architect)')
    .addHelpText('after', PLANNING_HELP)
  epics
    .command('create')
    .description('create an epic (pm or architect)')
    .requiredOption('--name <name>', 'epic name')
    .requiredOption('--description <text>', 'what the epic is about')
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((opts, command: Command) =>
      run(command, async (c) => (await import('./commands/epics.js')).createEpic(c, opts), 'epic'),
    )
  epics
    .command('list')
    .description('list epics with task counts')
    .action((_opts, command: Command) =>
      run(command, async (c) => (await import('./commands/epics.js')).listEpics(c), 'epics'),
    )
  epics
    .command('delete')
    .description('delete an epic with its features and tasks (pm only)')
    .requiredOption('--epic-id <id>', 'epic id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((opts, command: Command) =>
      run(
        command,
        async (c) => (await import('./commands/epics.js')).deleteEpic(c, opts),
        'message',
      ),
    )

  const features = program
    .command('features')
    .description('create, list and delete features (pm, architect)')
    .addHelpText('after', PLANNING_HELP)
  features
    .command('create')
    .description('create a feature in an epic (pm or architect)')
    .requiredOption('--epic-id <id>', 'epic id', parseId)
    .requiredOption('--name <name>', 'feature name')
    .requiredOption('--description <text>', 'what the feature is about')
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((opts, command: Command) =>
      run(
        command,
        async (c) => (await import('./commands/epics.js')).createFeature(c, opts),
        'feature',
      ),
    )
  features
    .command('list')
    .description("list features (all, or one epic's)")
    .option('--epic-id <id>', 'only this epic', parseId)
    .action((opts, command: Command) =>
      run(
        command,
        async (c) => (await import('./commands/epics.js')).listFeatures(c, opts),
        'features',
      ),
    )
  features
    .command('delete')
    .description('delete a feature with its tasks (pm only)')
    .requiredOption('--feature-id <id>', 'feature id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((opts, command: Command) =>
      run(
        command,
        async (c) => (await import('./commands/epics.js')).deleteFeature(c, opts),
        'message',
      ),
    )

  // ---- tasks ----
  program.commandsGroup('Tasks:')

  const tasks = program
    .command('tasks')
    .description('find, claim, work on and hand over tasks')
    .addHelpText('after', TASKS_HELP)
  const tasksModule = () => import('./commands/tasks.js')
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
    .action((opts, command: Command) =>
      run(command, async (c) => (await tasksModule()).createTask(c, opts), 'task'),
    )
  tasks
    .command('list')
    .description('list tasks, optionally filtered')
    .addOption(statusFilterOption())
    .addOption(roleOption('--role <role>', 'only tasks for this role'))
    .option('--feature-id <id>', 'only this feature', parseId)
    .option('--epic-id <id>', 'only this epic', parseId)
    .option('--locked-by <agent_id>', 'only tasks this agent holds')
    .action((opts, command: Command) =>
      run(command, async (c) => (await tasksModule()).listTasks(c, opts), 'tasks'),
    )
  tasks
    .command('get')
    .description('show one task with its comments')
    .argument('<task_id>', 'task id', parseId)
    .action((taskId: number, _opts, command: Command) =>
      run(command, async (c) => (await tasksModule()).getTask(c, { taskId }), 'task'),
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
      run(
        command,
        async (c) => (await tasksModule()).nextTask(c, opts),
        'taskOrNone',
        waitNotice(opts),
      ),
    )
  tasks
    .command('claim')
    .description(
      'wait for a task and claim it in one step (returns the task you already hold, if any)',
    )
    .requiredOption('--agent-id <id>', 'your agent id (registered)')
    .option('--timeout <seconds>', 'longest wait, 0..600 (server default 180)', parseWaitSeconds)
    .action((opts: { agentId: string; timeout?: number }, command: Command) =>
      run(
        command,
        async (c) => (await tasksModule()).claimTask(c, opts),
        'taskOrNone',
        waitNotice(opts),
      ),
    )
  tasks
    .command('lock')
    .description('claim this task: it moves to under_work and is yours')
    .argument('<task_id>', 'task id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((taskId: number, opts: { agentId: string }, command: Command) =>
      run(command, async (c) => (await tasksModule()).lockTask(c, { taskId, ...opts }), 'task'),
    )
  tasks
    .command('unlock')
    .description('give the task back (it returns to the status it was claimed from)')
    .argument('<task_id>', 'task id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id (the holder, or a pm)')
    .option('--notes <text>', 'why you give it back')
    .action((taskId: number, opts: { agentId: string; notes?: string }, command: Command) =>
      run(command, async (c) => (await tasksModule()).unlockTask(c, { taskId, ...opts }), 'task'),
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
    .action((taskId: number, opts, command: Command) =>
      run(
        command,
        async (c) => (await tasksModule()).updateStatus(c, { taskId, ...opts }),
        'statusUpdate',
      ),
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
    .action(
      async (
        taskId: number,
        opts: {
          agentId: string
          repo?: string
          baseBranch?: string
          worktreeBase?: string
          remote?: string
        },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>()
        const [{ mergePassedTask }, output] = await Promise.all([
          tasksModule(),
          import('./output.js'),
        ])
        const mode = output.outputMode(globals.json)
        const result = await mergePassedTask({
          taskId,
          ...opts,
          url: globals.url,
          apiKey: globals.apiKey,
          // eslint-disable-next-line no-restricted-properties -- entry point: hands env to the command
          env: process.env,
          cwd: process.cwd(),
          onNotice: (message) => output.printNotice(message, mode),
        })
        output.printResult(result, mode, output.views.record)
        hooks.setExit(0, true)
      },
    )
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
    .action((taskId: number, opts, command: Command) =>
      run(command, async (c) => (await tasksModule()).updateTask(c, { taskId, ...opts }), 'task'),
    )
  tasks
    .command('comment')
    .description('comment on a task; @agent_id / @role mentions notify them')
    .argument('<task_id>', 'task id', parseId)
    .requiredOption('--comment <text>', 'the comment')
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((taskId: number, opts: { comment: string; agentId: string }, command: Command) =>
      run(
        command,
        async (c) => (await tasksModule()).addComment(c, { taskId, ...opts }),
        'message',
      ),
    )
  tasks
    .command('delete')
    .description('delete a task (pm only)')
    .argument('<task_id>', 'task id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((taskId: number, opts: { agentId: string }, command: Command) =>
      run(
        command,
        async (c) => (await tasksModule()).deleteTask(c, { taskId, ...opts }),
        'message',
      ),
    )

  program
    .command('runs')
    .description("the runner's attempts at a task: outcome, model, cost, tokens, duration")
    .argument('<task_id>', 'task id', parseId)
    .action((taskId: number, _opts, command: Command) =>
      run(command, async (c) => (await tasksModule()).listRuns(c, { taskId }), 'runs'),
    )

  // ---- communication ----
  program.commandsGroup('Documents, mentions and services:')

  const documents = program
    .command('documents')
    .description('post and read documents (updates, standups, issues)')
    .addHelpText('after', DOCUMENTS_HELP)
  const documentsModule = () => import('./commands/documents.js')
  documents
    .command('create')
    .description('post a document; @mentions in it notify agents')
    .addOption(docTypeOption('--type <type>', 'document type').makeOptionMandatory())
    .requiredOption('--title <title>', 'title')
    .option('--content <text>', 'markdown content')
    .option('--content-file <path>', 'read the content from a file (- for stdin)')
    .requiredOption('--author-id <id>', 'your agent id')
    .option('--meta-data <json>', 'JSON object of extra data', parseJsonObject)
    .option(
      '--expires-at <iso>',
      'when it stops being relevant, e.g. 2026-01-31T12:00:00Z',
      parseIsoDateTime,
    )
    .action((opts, command: Command) =>
      run(command, async (c) => (await documentsModule()).createDocument(c, opts), 'document'),
    )
  documents
    .command('list')
    .description('list documents, newest first')
    .addOption(docTypeOption('--type <type>', 'only this type'))
    .option('--author-id <id>', 'only by this agent')
    .option('--limit <n>', 'at most this many, 1..10000', intIn(1, 10_000), 50)
    .action((opts, command: Command) =>
      run(command, async (c) => (await documentsModule()).listDocuments(c, opts), 'documents'),
    )
  documents
    .command('get')
    .description('show one document')
    .argument('<document_id>', 'document id', parseId)
    .action((documentId: number, _opts, command: Command) =>
      run(
        command,
        async (c) => (await documentsModule()).getDocument(c, { documentId }),
        'document',
      ),
    )
  documents
    .command('update')
    .description('change a document (only the fields given)')
    .argument('<document_id>', 'document id', parseId)
    .option('--title <title>', 'new title')
    .option('--content <text>', 'new content')
    .option('--content-file <path>', 'read the new content from a file (- for stdin)')
    .option('--meta-data <json>', 'new JSON object of extra data', parseJsonObject)
    .option('--agent-id <id>', 'your agent id (recorded as the editor)')
    .action((documentId: number, opts, command: Command) =>
      run(
        command,
        async (c) => (await documentsModule()).updateDocument(c, { documentId, ...opts }),
        'document',
      ),
    )
  documents
    .command('delete')
    .description('delete a document')
    .argument('<document_id>', 'document id', parseId)
    .option('--agent-id <id>', 'your agent id (recorded as the deleter)')
    .action((documentId: number, opts: { agentId?: string }, command: Command) =>
      run(
        command,
        async (c) => (await documentsModule()).deleteDocument(c, { documentId, ...opts }),
        'message',
      ),
    )

  const activityModule = () => import('./commands/activity.js')
  program
    .command('mentions')
    .description('list mentions (unread only unless --all)')
    .option('--agent-id <id>', 'your agent id (omit for everyone)')
    .addOption(roleOption('--role <role>', "every agent of this role's mentions"))
    .option('--all', 'include mentions already read')
    .option('--limit <n>', 'at most this many, 1..10000', intIn(1, 10_000), 50)
    .addHelpText('after', MENTIONS_HELP)
    .action((opts, command: Command) =>
      run(command, async (c) => (await activityModule()).listMentions(c, opts), 'mentions'),
    )
  program
    .command('mention-read')
    .description('mark one of your mentions read')
    .argument('<mention_id>', 'mention id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id (the mentioned agent)')
    .action((mentionId: number, opts: { agentId: string }, command: Command) =>
      run(
        command,
        async (c) => (await activityModule()).markMentionRead(c, { mentionId, ...opts }),
        'mention',
      ),
    )

  const services = program
    .command('services')
    .description('register and find services agents run')
    .addHelpText('after', SERVICES_HELP)
  const servicesModule = () => import('./commands/services.js')
  services
    .command('register')
    .description('register (or update) a service you run')
    .requiredOption('--name <name>', 'service name')
    .requiredOption('--ping-url <url>', 'URL the server pings for health', parseHttpUrl)
    .requiredOption('--agent-id <id>', 'your agent id (the owner)')
    .option('--port <port>', 'port it listens on', intIn(1, 65_535))
    .addOption(serviceStatusOption())
    .option('--meta-data <json>', 'JSON object of extra data', parseJsonObject)
    .action((opts, command: Command) =>
      run(command, async (c) => (await servicesModule()).registerService(c, opts), 'service'),
    )
  services
    .command('list')
    .description('list services with their health')
    .action((_opts, command: Command) =>
      run(command, async (c) => (await servicesModule()).listServices(c), 'services'),
    )
  services
    .command('heartbeat')
    .description('tell the server your service is alive (owner only)')
    .argument('<service_name>', 'service name')
    .requiredOption('--agent-id <id>', 'your agent id (the owner)')
    .action((serviceName: string, opts: { agentId: string }, command: Command) =>
      run(
        command,
        async (c) => (await servicesModule()).heartbeatService(c, { serviceName, ...opts }),
        'service',
      ),
    )
  services
    .command('unregister')
    .description('remove your service (owner only)')
    .argument('<service_name>', 'service name')
    .requiredOption('--agent-id <id>', 'your agent id (the owner)')
    .action((serviceName: string, opts: { agentId: string }, command: Command) =>
      run(
        command,
        async (c) => (await servicesModule()).unregisterService(c, { serviceName, ...opts }),
        'message',
      ),
    )

  // ---- activity ----
  program.commandsGroup('Activity:')

  program
    .command('status')
    .description(
      'agents, tasks by status, and what needs a person: work no agent may take (public)',
    )
    .action((_opts, command: Command) =>
      run(command, async (c) => (await activityModule()).serverStatus(c), 'serverStatus'),
    )
  program
    .command('changes')
    .description(
      'activity since a time or an event id (poll with the returned last_event_id as --after-id)',
    )
    .option('--since <time>', 'ISO-8601 date-time (no zone = UTC) or Unix timestamp in seconds')
    .option(
      '--after-id <id>',
      'events after this event id (exact paging)',
      intIn(0, Number.MAX_SAFE_INTEGER),
    )
    .option('--agent-id <id>', "your agent id (optional: the feed is everyone's either way)")
    .option('--limit <n>', 'at most this many, 1..10000 (server default 1000)', intIn(1, 10_000))
    .action((opts, command: Command) =>
      run(command, async (c) => (await activityModule()).listChanges(c, opts), 'changes'),
    )
  program
    .command('changelog')
    .description('recent task status changes, newest first')
    .option('--limit <n>', 'at most this many, 1..10000', intIn(1, 10_000), 50)
    .action((opts, command: Command) =>
      run(command, async (c) => (await activityModule()).listChangelog(c, opts), 'changelog'),
    )

  return program
}

function packageVersion(): string {
  return PACKAGE_VERSION
}

function waitNotice(opts: { timeout?: number; simulate?: boolean }): string | undefined {
  if (opts.simulate || opts.timeout === 0) return undefined
  return `waiting up to ${opts.timeout ?? 180} s for a task (Ctrl-C to stop)…`
}
