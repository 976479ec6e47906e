import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'

import type { RunnerConfig } from '../config/index.js'
import { PACKAGE_ROOT, writeJsonAtomic } from '../lib/index.js'

/** The name Claude Code knows the server by: its tools are `mcp__headless-pm__<tool>`. */
export const MCP_SERVER_NAME = 'headless-pm'

/**
 * Writes the `--mcp-config` file that gives a Claude run `hpm mcp` as this agent, and returns its
 * path. The server runs this very `hpm` (same node, same package), so the agent's tools and the
 * runner never disagree on versions. The file holds the agent's key (its token): mode 0600, in the state dir.
 */
export async function writeMcpConfig(
  config: RunnerConfig,
  apiKey: string | undefined,
): Promise<string> {
  const dir = join(config.stateDir, 'mcp')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const file = join(dir, `${config.agentId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`)
  const env: Record<string, string> = { HEADLESS_PM_API_URL: config.client.apiUrl }
  if (apiKey) env.HEADLESS_PM_API_KEY = apiKey
  await writeJsonAtomic(file, {
    mcpServers: {
      [MCP_SERVER_NAME]: {
        type: 'stdio',
        command: process.execPath,
        args: [
          join(PACKAGE_ROOT, 'bin', 'hpm.js'),
          'mcp',
          '--agent-id',
          config.agentId,
          '--role',
          config.role,
          '--level',
          config.level,
        ],
        env,
      },
    },
  })
  return file
}
