import { Command } from 'commander'

// Imported directly, not through lib/index, so that `hpm --help` does not load execa.
import { PACKAGE_VERSION } from '../lib/package-root.js'

import type { HeadlessPMClient } from '../client/index.js'
import { addActivityCommands, addMentionCommands } from './commands/activity.js'
import { addAgentCommands, addContextCommand } from './commands/agents.js'
import { addDbCommands } from './commands/db-command.js'
import { addDemoCommand } from './commands/demo-command.js'
import { addDocumentCommands } from './commands/documents.js'
import { addPlanningCommands } from './commands/epics.js'
import { addInitCommand } from './commands/init-command.js'
import { addMcpCommand } from './commands/mcp-command.js'
import { addRunCommand } from './commands/run-command.js'
import { addServeCommand } from './commands/serve-command.js'
import { addServiceCommands } from './commands/services.js'
import { addTaskCommands } from './commands/tasks.js'
import { addTeamCommands } from './commands/team-command.js'
import { MAIN_HELP } from './help.js'
import type { views } from './output.js'

/** Options every command accepts (commander parses them before or after the command name). */
export interface GlobalOptions {
  url?: string
  apiKey?: string
  json?: boolean
}

/** A view of output.ts, by name, so that declaring a command does not load the table library. */
export type ViewName = keyof typeof views

/** How a result is shown on a terminal: a view of output.ts by name, or the command's own. */
export type View<T> = ViewName | ((data: T) => string)

/** What an action tells `main`: the exit code, and whether to exit at once when it returns. */
export interface ProgramHooks {
  setExit: (code: number, exitWhenDone: boolean) => void
  /** Where commander writes help and its own errors; default stdout and stderr. */
  output?: { writeOut: (text: string) => void; writeErr: (text: string) => void }
}

/** What a command module is handed to wire its actions to `main`. */
export interface CommandKit {
  /** Runs a client command and prints its result: see {@link runClient}. */
  run: <T>(
    command: Command,
    work: (client: HeadlessPMClient) => Promise<T>,
    view?: ViewName,
    notice?: string,
  ) => Promise<void>
  /**
   * Runs a command that needs no client of ours, then prints its result as `run` does, and any
   * hints after it. `notice` prints a progress line for people.
   */
  report: <T>(
    command: Command,
    work: (notice: (message: string) => void) => Promise<T>,
    view: View<T>,
    hints?: (result: T) => readonly string[],
  ) => Promise<void>
  /** For commands that return their own exit code (serve, run, team up, ...). */
  setExit: ProgramHooks['setExit']
}

/**
 * Adds a command (or a few), with every flag, to the program. Its action loads the modules it
 * needs when it runs, so that `hpm --help` and usage errors stay fast.
 */
export type AddCommands = (program: Command, kit: CommandKit) => void

/** Every command, in the order `hpm --help` lists them, under its heading. */
const COMMANDS: ReadonlyArray<readonly [heading: string, add: readonly AddCommands[]]> = [
  [
    'Server, runner and setup:',
    [
      addServeCommand,
      addMcpCommand,
      addRunCommand,
      addTeamCommands,
      addDbCommands,
      addInitCommand,
      addDemoCommand,
      addContextCommand,
    ],
  ],
  ['Agents:', [addAgentCommands]],
  ['Planning:', [addPlanningCommands]],
  ['Tasks:', [addTaskCommands]],
  [
    'Documents, mentions and services:',
    [addDocumentCommands, addMentionCommands, addServiceCommands],
  ],
  ['Activity:', [addActivityCommands]],
]

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
    // eslint-disable-next-line no-restricted-properties -- entry point: hands env to the pure loader
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
  output.printResult(data, mode, viewOf(output.views, view))
  hooks.setExit(0, true)
}

async function report<T>(
  command: Command,
  hooks: ProgramHooks,
  work: (notice: (message: string) => void) => Promise<T>,
  view: View<T>,
  hints?: (result: T) => readonly string[],
): Promise<void> {
  const output = await import('./output.js')
  const mode = output.outputMode(command.optsWithGlobals<GlobalOptions>().json)
  const result = await work((message) => output.printNotice(message, mode))
  output.printResult(result, mode, viewOf(output.views, view))
  for (const hint of hints?.(result) ?? []) output.printHint(hint)
  hooks.setExit(0, true)
}

// A view is named until it prints, so that declaring commands need not load the table library.
function viewOf<T>(table: typeof views, view: View<T> | undefined) {
  return typeof view === 'string' ? (table[view] as (data: T) => string) : view
}

/**
 * Builds the whole `hpm` command tree: every command and flag is on the program it returns.
 * Command modules load only when their command runs.
 */
export function buildProgram(hooks: ProgramHooks): Command {
  const program = new Command('hpm')
    .description(
      'Headless PM: coordination server, agent CLI and crash-safe runner for teams of coding agents',
    )
    .option('--url <url>', 'server URL (env HEADLESS_PM_API_URL; default http://127.0.0.1:6969)')
    .option('--api-key <key>', 'API key (env HEADLESS_PM_API_KEY)')
    .option('--json', 'print JSON even on a terminal (the default when stdout is not one)')
    .version(PACKAGE_VERSION, '-V, --version', 'print the hpm version')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', MAIN_HELP)
  // Set before any subcommand exists: subcommands copy these settings when they are created.
  if (hooks.output) program.configureOutput(hooks.output)

  const kit: CommandKit = {
    run: (command, work, view, notice) => runClient(command, hooks, work, view, notice),
    report: (command, work, view, hints) => report(command, hooks, work, view, hints),
    setExit: hooks.setExit,
  }
  for (const [heading, adds] of COMMANDS) {
    program.commandsGroup(heading)
    for (const add of adds) add(program, kit)
  }
  return program
}
