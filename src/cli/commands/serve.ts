import pc from 'picocolors'

import { loadServerConfig } from '../../config/index.js'
import type { ServerFlags } from '../../config/index.js'
import { createLogger } from '../../lib/logger.js'
import { onStopSignals } from '../../lib/shutdown.js'
import { isDashboardInstalled } from '../../server/routes/dashboard.js'
import { startServer } from '../../server/main.js'
import { EXIT } from '../exit-codes.js'

/** `hpm serve`: runs until SIGINT/SIGTERM, then answers waiters, closes and exits. */
export async function serveCommand(flags: ServerFlags): Promise<number> {
  // eslint-disable-next-line no-restricted-properties -- entry point: hands env to the pure loader
  const config = loadServerConfig({ flags, env: process.env, cwd: process.cwd() })
  const logger = createLogger({ level: config.logLevel })
  const running = await startServer(config, logger)
  const key = running.apiKeys[0] ?? ''
  const out = process.stderr
  out.write(`\n${pc.bold('Headless PM')} listening on ${pc.cyan(running.url)}\n`)
  // The key rides in the fragment, which browsers never send to the server: it stays out of logs.
  if (isDashboardInstalled())
    out.write(
      `  dashboard: ${running.keyFile ? `${running.url}/#key=${key}` : `${running.url}/  (sign in with your API key)`}\n`,
    )
  else out.write('  dashboard: not built (npm run build)\n')
  out.write(`  API docs:  ${running.url}/api/v1/docs\n`)
  out.write(
    `  database:  ${config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : config.databaseUrl.replace(/\/\/[^@]*@/, '//***@')}\n`,
  )
  if (running.keyFile) {
    out.write(`  API key:   ${key}  (generated, stored in ${running.keyFile})\n`)
    // v1's client reads HEADLESS_PM_URL: both names, so either client works as printed.
    out.write(
      `  agents:    export HEADLESS_PM_API_URL=${running.url} HEADLESS_PM_URL=${running.url} HEADLESS_PM_API_KEY=${key}\n`,
    )
  } else {
    out.write('  API key:   from configuration\n')
  }
  out.write('\n')

  return new Promise((resolve) => {
    // A second signal exits at once; every acknowledged write is already committed.
    onStopSignals((signal) => {
      logger.info({ signal }, 'shutting down')
      const force = setTimeout(() => process.exit(EXIT.failed), 10_000)
      force.unref()
      running
        .close()
        .then(() => resolve(EXIT.ok))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown failed')
          resolve(EXIT.failed)
        })
    })
  })
}
