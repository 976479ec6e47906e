import { CommanderError } from 'commander'
import pc from 'picocolors'

import { CommandFailedError, EXIT, UsageError } from './exit-codes.js'
import { printError } from './output.js'
import { buildProgram } from './program.js'

/** The `hpm` entry: one place that maps every failure to an exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  // `hpm tasks list | head -1` closes our stdout early; that is the reader's choice, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok)
    throw error
  })
  let code: number = EXIT.ok
  let exitWhenDone = false
  const program = buildProgram({
    setExit: (c, exit) => {
      code = c
      exitWhenDone = exit
    },
  })
  try {
    await program.parseAsync([...argv])
  } catch (error) {
    code = await exitCodeFor(error)
  }
  process.exitCode = code
  // Client commands and `serve` are done when their action returns; keep-alive sockets must not hold the process.
  if (code !== EXIT.ok || exitWhenDone) process.exit(code)
}

async function exitCodeFor(error: unknown): Promise<number> {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (and help where asked).
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.exitCode === 0
    )
      return EXIT.ok
    return EXIT.usage
  }
  if (error instanceof UsageError) {
    printError(error.message)
    process.stderr.write('(add --help for usage)\n')
    return EXIT.usage
  }
  if (error instanceof CommandFailedError) {
    printError(error.message)
    return EXIT.failed
  }
  // Loaded only on failure, so the common paths do not pay for them.
  const [{ ApiError, ApiUnavailableError }, { ConfigError }, { AppError }] = await Promise.all([
    import('../client/index.js'),
    import('../config/index.js'),
    import('../domain/index.js'),
  ])
  if (error instanceof ApiUnavailableError) {
    printError(error.message)
    return EXIT.unavailable
  }
  if (error instanceof ApiError) {
    const where = [
      error.code,
      `HTTP ${error.status}`,
      ...(error.status >= 500 && error.requestId ? [`request ${error.requestId}`] : []),
    ]
    const suffix = pc.dim(`(${where.join(', ')})`)
    if (typeof error.detail === 'string') printError(`${error.detail} ${suffix}`)
    else printError(`the server rejected the request ${suffix}:`, error.detail)
    return EXIT.failed
  }
  if (error instanceof ConfigError) {
    printError(error.message)
    return EXIT.usage
  }
  if (error instanceof AppError) {
    printError(error.message)
    return EXIT.failed
  }
  const systemCode = (error as { code?: unknown } | undefined)?.code
  if (systemCode === 'EADDRINUSE' || systemCode === 'EACCES' || systemCode === 'EADDRNOTAVAIL') {
    // `hpm serve` could not listen: a usual operator mistake, not a bug.
    printError(
      `${(error as Error).message}; is another server running there? choose one with --port / --host`,
    )
    return EXIT.failed
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
  printError(`${message}\nthis is a bug in hpm; please report it with the command you ran`)
  return EXIT.failed
}
