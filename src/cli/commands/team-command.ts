import { type Command, Option } from 'commander'

import { TEAM_HELP } from '../help.js'
import type { CommandKit, GlobalOptions } from '../program.js'
import type { TeamContext, TeamUpOptions } from './team.js'

const FILE_ARGUMENT = ['[file]', 'team file (default ./headless-pm.team.json)'] as const

/** `hpm team ...`, with their flags; the supervisor loads only when one runs. */
export function addTeamCommands(program: Command, { report, setExit }: CommandKit): void {
  const team = program
    .command('team')
    .description('run a team of runners from a team file: up, status, down, logs (see docs/cli.md)')
    .addHelpText('after', TEAM_HELP)
  team
    .command('up')
    .description(
      'start every runner of the team and supervise them (Ctrl-C drains, twice stops now)',
    )
    .argument(...FILE_ARGUMENT)
    .addOption(
      new Option('--view <view>', 'table (default on a terminal) or prefixed log lines').choices([
        'table',
        'lines',
      ]),
    )
    .action(async (file: string | undefined, opts: TeamUpOptions, command: Command) => {
      const { teamUp } = await import('./team.js')
      setExit(await teamUp(contextOf(file, command), opts), true)
    })
  team
    .command('status')
    .description('who of the team runs (pid files) and what each holds (the server)')
    .argument(...FILE_ARGUMENT)
    .action(async (file: string | undefined, _opts: unknown, command: Command) => {
      const { teamStatus, teamStatusView } = await import('./team.js')
      await report(command, () => teamStatus(contextOf(file, command)), teamStatusView)
    })
  team
    .command('down')
    .description(
      "ask the team's supervisor to drain (each runner finishes its task), or --now to stop at once",
    )
    .argument(...FILE_ARGUMENT)
    .option('--now', 'stop now: runners stop Claude; claimed tasks resume on the next start')
    .action(async (file: string | undefined, opts: { now?: boolean }, command: Command) => {
      const { teamDown, teamDownView } = await import('./team.js')
      await report(command, () => teamDown(contextOf(file, command), opts), teamDownView)
    })
  team
    .command('logs')
    .description("print an agent's runner log (<state dir>/team/logs/<agent>.log)")
    .argument('<agent>', 'agent id, e.g. backend_dev_1')
    .argument(...FILE_ARGUMENT)
    .option('-f, --follow', 'keep printing what is appended, until Ctrl-C')
    .action(
      async (
        agent: string,
        file: string | undefined,
        opts: { follow?: boolean },
        command: Command,
      ) => {
        const { teamLogs } = await import('./team.js')
        setExit(await teamLogs(contextOf(file, command), agent, opts), true)
      },
    )
}

function contextOf(file: string | undefined, command: Command): TeamContext {
  const { url, apiKey } = command.optsWithGlobals<GlobalOptions>()
  // eslint-disable-next-line no-restricted-properties -- entry point: hands env to the command
  return { file, env: process.env, cwd: process.cwd(), url, apiKey }
}
