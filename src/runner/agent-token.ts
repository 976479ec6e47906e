import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'

import { ApiError, HeadlessPMClient } from '../client/index.js'
import type { RunnerConfig } from '../config/index.js'
import { readJsonFile, writeJsonAtomic } from '../lib/index.js'
import { untilServerAnswers } from './server-calls.js'

/** Where the runner keeps its agent's token: in the state dir, mode 0600 (the dir 0700). */
export function agentTokenPath(config: Pick<RunnerConfig, 'stateDir' | 'agentId'>): string {
  return join(config.stateDir, 'tokens', `${config.agentId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`)
}

async function readStoredToken(path: string, agentId: string): Promise<string | undefined> {
  const stored = await readJsonFile(path)
  if (stored?.kind !== 'ok') return undefined
  const { agent_id: owner, token } = stored.value as { agent_id?: unknown; token?: unknown }
  return owner === agentId && typeof token === 'string' && token !== '' ? token : undefined
}

export interface RegisterOptions {
  signal: AbortSignal
  onRetry: (error: Error, delayMs: number) => void
  warn: (message: string) => void
}

/**
 * Registers the runner's agent and returns the key it works with from then on: the agent's own
 * token, so Claude never gets the project key. A stored token is tried first (no new token per
 * start); a refused one (revoked) is replaced through the project key. A server that issues no
 * tokens, or a runner given an agent token as its key, works with the key it has.
 */
export async function registerRunnerAgent(
  config: RunnerConfig,
  options: RegisterOptions,
): Promise<string | undefined> {
  const path = agentTokenPath(config)
  const body = {
    agent_id: config.agentId,
    role: config.role,
    level: config.level,
    connection_type: 'client' as const,
  }
  const register = (apiKey: string | undefined) => {
    const client = new HeadlessPMClient({ baseUrl: config.client.apiUrl, apiKey })
    return untilServerAnswers(() => client.registerAgent(body), {
      signal: options.signal,
      giveUpAfterMs: 60_000,
      onRetry: options.onRetry,
    })
  }

  const stored = await readStoredToken(path, config.agentId)
  if (stored !== undefined) {
    try {
      await register(stored)
      return stored
    } catch (error) {
      if (
        !(error instanceof ApiError && error.status === 401) ||
        config.client.apiKey === undefined
      )
        throw error
      options.warn(
        `the stored token of agent ${config.agentId} was refused (revoked?); registering with the project key for a new one`,
      )
    }
  }
  const registered = await register(config.client.apiKey)
  if (registered.token === undefined) return config.client.apiKey
  await mkdir(join(config.stateDir, 'tokens'), { recursive: true, mode: 0o700 })
  await writeJsonAtomic(path, { agent_id: config.agentId, token: registered.token })
  return registered.token
}
