import { Command, CommanderError } from 'commander'
import pc from 'picocolors'

import { ConfigError } from '../config/index.js'
import { AppError } from '../domain/index.js'
import { EXIT, UsageError } from './exit-codes.js'

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('hpm')
    .description('Headless PM: coordination server, agent CLI and crash-safe runner for teams of coding agents')
    .exitOverride()
    .showHelpAfterError()

  program
    .command('serve')
    .description('start the coordination server (SQLite in ./.headless-pm by default)')
    .option('--host <host>', 'address to bind (env HPM_HOST)', undefined)
    .option('--port <port>', 'TCP port (env SERVICE_PORT, default 6969)')
    .option('--data-dir <dir>', 'data folder (env HEADLESS_PM_DATA_DIR, default ./.headless-pm)')
    .option('--database-url <url>', 'sqlite:<path> or postgres://... (env DATABASE_URL)')
    .action(async (opts: { host?: string; port?: string; dataDir?: string; databaseUrl?: string }) => {
      const { serveCommand } = await import('./commands/serve.js')
      setExit(await serveCommand(opts))
    })

  return program
}

/** The `hpm` entry: one place that maps every failure to an exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  let code: number = EXIT.ok
  const program = buildProgram((c) => {
    code = c
  })
  try {
    await program.parseAsync([...argv])
  } catch (error) {
    code = exitCodeFor(error)
  }
  process.exitCode = code
  if (code !== EXIT.ok || program.args[0] === 'serve') process.exit(code)
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return EXIT.ok
    return EXIT.usage
  }
  if (error instanceof UsageError) {
    process.stderr.write(`${pc.red('error:')} ${error.message}\n`)
    return EXIT.usage
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${pc.red('error:')} ${error.message}\n`)
    return EXIT.usage
  }
  if (error instanceof AppError) {
    process.stderr.write(`${pc.red('error:')} ${error.message}\n`)
    return EXIT.failed
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
  process.stderr.write(`${pc.red('error:')} ${message}\nthis is a bug in hpm; please report it with the command you ran\n`)
  return EXIT.failed
}
