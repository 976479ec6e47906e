import type { Server } from 'node:http'

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'

import { HeadlessPMClient } from '../../client/index.js'
import { AgentId, AgentRole, SkillLevel } from '../../contract/index.js'
import { AppError } from '../../domain/index.js'
import type { AgentIdentity } from '../../mcp/index.js'

const importMcp = () =>
  Promise.all([
    import('../../mcp/index.js'),
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
  ])
let mcpModules: ReturnType<typeof importMcp> | undefined

/**
 * The MCP SDK and our tools, loaded on the first `/mcp` call: most servers never get one, and
 * loading them at start cost ~145 ms and ~9 MB (bench/server-footprint.ts).
 */
function loadMcp(): ReturnType<typeof importMcp> {
  mcpModules ??= importMcp()
  return mcpModules
}

/** How often a waiting claim tells the client it is still waiting. */
const PROGRESS_INTERVAL_MS = 1000

/**
 * This server as seen from itself. The tools call the REST API over loopback HTTP, so they take the
 * same path as every other client, and a client that hangs up ends its long-poll as it would.
 */
function loopbackUrl(server: Server): string {
  const address = server.address()
  if (address === null || typeof address === 'string')
    throw new Error('the server does not listen on a TCP port')
  const host =
    address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The agent a client names in X-Agent-Id / X-Agent-Role / X-Agent-Level, for tools that need one. */
function identityOf(request: FastifyRequest): AgentIdentity {
  const parse = <T>(name: string, schema: z.ZodType<T>, valid: string): T | undefined => {
    const raw = header(request, name)
    if (raw === undefined) return undefined
    const parsed = schema.safeParse(raw)
    if (!parsed.success)
      throw new AppError('bad_request', `header ${name}: '${raw}' is not ${valid}`)
    return parsed.data
  }
  return {
    agentId: parse('x-agent-id', AgentId, 'an agent id (1 to 100 characters)'),
    role: parse('x-agent-role', AgentRole, `one of ${AgentRole.options.join(', ')}`),
    level: parse('x-agent-level', SkillLevel, `one of ${SkillLevel.options.join(', ')}`),
  }
}

/**
 * `POST /mcp`: MCP over Streamable HTTP, stateless (every request stands alone, so any instance can
 * answer it). GET and DELETE belong to sessions, which a stateless server does not keep: 405.
 */
export function mcpRoutes(): FastifyPluginAsync {
  return async (app) => {
    app.post('/mcp', { schema: { hide: true } }, async (request, reply) => {
      const [{ createMcpServer }, { StreamableHTTPServerTransport }] = await loadMcp()
      const apiUrl = loopbackUrl(app.server)
      const session = {
        client: new HeadlessPMClient({ baseUrl: apiUrl, apiKey: header(request, 'x-api-key') }),
        apiUrl,
        identity: identityOf(request),
        progressIntervalMs: PROGRESS_INTERVAL_MS,
      }
      const server = createMcpServer(session)
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
      reply.hijack()
      reply.raw.on('close', () => {
        void transport.close()
        void server.close()
      })
      await server.connect(transport)
      await transport.handleRequest(request.raw, reply.raw, request.body)
    })
    const notAllowed = async (_request: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(405)
        .header('allow', 'POST')
        .send({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'this MCP endpoint is stateless: POST only' },
          id: null,
        })
    app.get('/mcp', { schema: { hide: true } }, notAllowed)
    app.delete('/mcp', { schema: { hide: true } }, notAllowed)
  }
}
