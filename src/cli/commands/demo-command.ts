import type { Command } from 'commander'

import type { CommandKit } from '../program.js'
import type { DemoOptions } from './demo.js'

/** `hpm demo`, with its flags; the server, runner and scripted Claude load only when it runs. */
export function addDemoCommand(program: Command, { setExit }: CommandKit): void {
  program
    .command('demo')
    .description(
      'see the whole flow in under a minute: temp server, repo and task, a dev then a QA runner with a fake Claude',
    )
    .option(
      '--keep',
      'keep the temp directory (server data, repo, runner logs) and print where it is',
    )
    .action(async (opts: DemoOptions) => {
      const { demoCommand } = await import('./demo.js')
      setExit(await demoCommand(opts), true)
    })
}
