import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'

import { HeadlessPMClient } from '../../client/index.js'
import { loadClientConfig } from '../../config/index.js'
import type { AgentRole, SkillLevel } from '../../contract/index.js'
import { createMcpServer } from '../../mcp/index.js'
import { EXIT } from '../exit-codes.js'

export interface McpFlags {
  url?: string | undefined
  apiKey?: string | undefined
  agentId?: string | undefined
  role?: AgentRole | undefined
  level?: SkillLevel | undefined
}

/** How often a waiting claim tells the client it is still waiting. */
const PROGRESS_INTERVAL_MS = 1000

/**
 * `hpm mcp`: an MCP server on stdin/stdout until the client closes stdin. stdout carries protocol
 * messages only; anything for a person goes to stderr.
 */
export async function mcpCommand(flags: McpFlags): Promise<number> {
  const config = loadClientConfig({
    flags: { url: flags.url, apiKey: flags.apiKey },
    // eslint-disable-next-line no-restricted-properties -- entry point: hands env to the pure loader
    env: process.env,
    cwd: process.cwd(),
  })
  const client = new HeadlessPMClient({ baseUrl: config.apiUrl, apiKey: config.apiKey })
  const server = createMcpServer({
    client,
    apiUrl: config.apiUrl,
    identity: { agentId: flags.agentId, role: flags.role, level: flags.level },
    progressIntervalMs: PROGRESS_INTERVAL_MS,
  })
  const transport = new StdioServerTransport()
  const closed = new Promise<number>((resolve) => {
    transport.onclose = () => resolve(EXIT.ok)
    process.stdin.once('end', () => resolve(EXIT.ok))
    process.once('SIGINT', () => resolve(EXIT.interrupted))
    process.once('SIGTERM', () => resolve(EXIT.terminated))
  })
  await server.connect(transport)
  process.stderr.write(
    `headless-pm MCP server on stdio, speaking to ${config.apiUrl}${config.apiKey === undefined ? ' (no API key configured)' : ''}\n`,
  )
  const code = await closed
  await server.close().catch(() => undefined)
  return code
}
