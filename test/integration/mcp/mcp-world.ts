import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { expect } from 'vitest'

import type { TestServer } from '../../helpers/test-server.js'

export const HPM = join(import.meta.dirname, '..', '..', '..', 'bin', 'hpm.js')

export type TransportName = 'stdio' | 'http'

export interface McpClientOptions {
  /** Default agent: `hpm mcp --agent-id/--role/--level`, or the X-Agent-* headers over HTTP. */
  agent?: { id: string; role?: string; level?: string }
  apiKey?: string
  /** For stdio: a server URL other than the test server's (a dead one). */
  apiUrl?: string
}

/** The MCP SDK's own client, over `hpm mcp` (stdio) or the server's `/mcp` (Streamable HTTP). */
export async function connectMcp(
  server: TestServer,
  transport: TransportName,
  options: McpClientOptions = {},
): Promise<Client> {
  const client = new Client({ name: 'headless-pm-test', version: '1.0.0' })
  const apiKey = options.apiKey ?? server.apiKey
  if (transport === 'stdio') {
    const args = [HPM, 'mcp']
    if (options.agent) {
      args.push('--agent-id', options.agent.id)
      if (options.agent.role) args.push('--role', options.agent.role)
      if (options.agent.level) args.push('--level', options.agent.level)
    }
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: mkdtempSync(join(tmpdir(), 'hpm-mcp-home-')),
          HEADLESS_PM_API_URL: options.apiUrl ?? server.url,
          HEADLESS_PM_API_KEY: apiKey,
        },
        cwd: tmpdir(),
        stderr: 'pipe',
      }),
    )
    return client
  }
  const headers: Record<string, string> = { 'X-API-Key': apiKey }
  if (options.agent) {
    headers['X-Agent-Id'] = options.agent.id
    if (options.agent.role) headers['X-Agent-Role'] = options.agent.role
    if (options.agent.level) headers['X-Agent-Level'] = options.agent.level
  }
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers } }),
  )
  return client
}

/** Calls a tool that must succeed and returns its structured content. */
export async function callOk(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<any> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')
  expect(result.isError, `${name}: ${text}`).toBeFalsy()
  expect(text.length).toBeGreaterThan(0)
  return result.structuredContent
}

/** Calls a tool that must fail and returns its text. */
export async function callError(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult
  expect(result.isError, JSON.stringify(result)).toBe(true)
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')
}
