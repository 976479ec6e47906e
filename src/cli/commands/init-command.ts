import type { Command } from 'commander'

import { INIT_HELP } from '../help.js'
import type { CommandKit, GlobalOptions } from '../program.js'
import type { InitOptions } from './init.js'

/** `hpm init`, with its flags; it loads only when it runs. */
export function addInitCommand(program: Command, { report }: CommandKit): void {
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
    .action(async (opts: Pick<InitOptions, 'dir' | 'withRoles' | 'force'>, command: Command) => {
      const { url, apiKey } = command.optsWithGlobals<GlobalOptions>()
      const { initProject } = await import('./init.js')
      await report(
        command,
        () =>
          initProject({
            ...opts,
            url,
            apiKey,
            // eslint-disable-next-line no-restricted-properties -- entry point: hands env to the command
            env: process.env,
            cwd: process.cwd(),
          }),
        'record',
        (result) => result.hints,
      )
    })
}
