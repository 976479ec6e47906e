import type { Command } from 'commander'

import type { ServerFlags } from '../../config/index.js'
import { databaseUrlOption, dataDirOption } from '../options.js'
import type { CommandKit } from '../program.js'

/** `hpm serve`, with its flags; the server loads only when it runs. */
export function addServeCommand(program: Command, { setExit }: CommandKit): void {
  program
    .command('serve')
    .description('start the coordination server (SQLite in ./.headless-pm by default)')
    .option('--host <host>', 'address to bind (env HPM_HOST)')
    .option('--port <port>', 'TCP port (env SERVICE_PORT, default 6969)')
    .addOption(dataDirOption())
    .addOption(databaseUrlOption())
    .action(async (opts: ServerFlags) => {
      const { serveCommand } = await import('./serve.js')
      setExit(await serveCommand(opts), true)
    })
}
