import { type Command, Option } from 'commander'

import type { RunnerFlags } from '../../config/index.js'
import { levelOption, roleOption } from '../options.js'
import type { CommandKit, GlobalOptions } from '../program.js'

/** `hpm run`, with its flags; the runner loads only when it runs. */
export function addRunCommand(program: Command, { setExit }: CommandKit): void {
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
      const { url, apiKey } = command.optsWithGlobals<GlobalOptions>()
      const { runCommand } = await import('./run.js')
      setExit(await runCommand({ ...opts, url, apiKey }), true)
    })
}
