import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import writeFileAtomic from 'write-file-atomic'

import type { ServerConfig } from '../config/index.js'
import { sqlitePath } from '../config/index.js'
import { connectDatabase, migrateToLatest } from '../db/index.js'
import type { Connection } from '../db/index.js'
import type { Logger } from '../lib/logger.js'
import { buildApp } from './app.js'
import type { HeadlessPmApp } from './app.js'
import type { Clock } from './clock.js'

export interface RunningServer {
  url: string
  /** Where the generated key is stored, when no key was configured. */
  keyFile: string | undefined
  apiKeys: readonly string[]
  server: HeadlessPmApp
  connection: Connection
  close: () => Promise<void>
}

/** Reads the key generated on an earlier start, or makes and stores a new one (mode 0600). */
function generatedKey(dataDir: string): { key: string; keyFile: string; isNew: boolean } {
  const keyFile = join(dataDir, 'api-key')
  try {
    const key = readFileSync(keyFile, 'utf8').trim()
    if (key.length >= 8) return { key, keyFile, isNew: false }
  } catch {
    // No key yet: make one below.
  }
  const key = `hpm_${randomBytes(24).toString('base64url')}`
  mkdirSync(dataDir, { recursive: true })
  writeFileAtomic.sync(keyFile, `${key}\n`, { mode: 0o600, fsync: true })
  return { key, keyFile, isNew: true }
}

/** Logs which file (or the environment) set which setting, by name; values (keys) are never logged. */
function logSettingSources(config: ServerConfig, logger: Logger): void {
  const bySource = new Map<string, string[]>()
  for (const [name, source] of Object.entries(config.settingSources)) {
    bySource.set(source, [...(bySource.get(source) ?? []), name])
  }
  for (const [source, settings] of bySource) logger.info({ source, settings }, 'settings read')
  for (const ignored of config.ignoredSettings) logger.warn({ setting: ignored }, 'setting ignored')
}

/** Opens the database, applies migrations, builds the app and listens; `clock` defaults to the real one. */
export async function startServer(
  config: ServerConfig,
  logger: Logger,
  cwd = process.cwd(),
  clock?: Clock,
): Promise<RunningServer> {
  logSettingSources(config, logger)
  const isSqlite = config.databaseUrl.startsWith('sqlite:')
  if (isSqlite) mkdirSync(config.dataDir, { recursive: true })
  const generated = config.apiKeys.length === 0 ? generatedKey(config.dataDir) : undefined
  const apiKeys = generated ? [generated.key] : config.apiKeys

  const connection = connectDatabase({
    databaseUrl: config.databaseUrl,
    sqliteFile: isSqlite ? sqlitePath(config.databaseUrl, cwd) : undefined,
    pgPoolSize: config.pgPoolSize,
    sqliteSynchronous: config.sqliteSynchronous,
    onPoolError: (error) =>
      logger.warn({ err: error }, 'database connection lost; the pool replaces it'),
  })
  try {
    const applied = await migrateToLatest(connection.db)
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated')
    const server = await buildApp({ config, connection, logger, apiKeys, clock })
    await server.start()
    const address = await server.app.listen({ host: config.host, port: config.port })
    const url = address.replace('[::1]', 'localhost')
    let closing: Promise<void> | undefined
    return {
      url,
      keyFile: generated?.keyFile,
      apiKeys,
      server,
      connection,
      close: () => {
        closing ??= (async () => {
          await server.close()
          await connection.db.destroy()
        })()
        return closing
      },
    }
  } catch (error) {
    await connection.db.destroy()
    throw error
  }
}
