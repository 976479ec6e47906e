import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js'
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'

import { PACKAGE_VERSION } from '../lib/package-root.js'
import { registerPrompts } from './prompts.js'
import { registerResources } from './resources.js'
import type { McpSession } from './session.js'
import { toolError, toolResult } from './tool-result.js'
import type { ToolCall, ToolSpec } from './tool-spec.js'
import { PLAN_TOOLS } from './tools-plan.js'
import { TALK_TOOLS } from './tools-talk.js'
import { WORK_TOOLS } from './tools-work.js'

/** Every tool, in the order a client lists them. */
export const TOOLS: readonly ToolSpec[] = [...WORK_TOOLS, ...PLAN_TOOLS, ...TALK_TOOLS]

const INSTRUCTIONS = `Headless PM coordinates a team of coding agents. Call register_agent first (your agent id, role
and level), then claim_task to take work; report with update_task_status (dev_done with notes on how to
test it; QA sets qa_done, or created with a report when the work fails review). Read get_mentions between
tasks. The role prompts (pm, architect, frontend_dev, backend_dev, fullstack_dev, qa) are available as prompts.`

function callOf(extra: RequestHandlerExtra<ServerRequest, ServerNotification>): ToolCall {
  const progressToken = extra._meta?.progressToken
  return {
    signal: extra.signal,
    progress: async (progress, total, message) => {
      if (progressToken === undefined) return
      await extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress, total, message },
      })
    },
  }
}

/** An MCP server speaking for one session; connect it to a stdio or HTTP transport. */
export function createMcpServer(session: McpSession): McpServer {
  const server = new McpServer(
    { name: 'headless-pm', version: PACKAGE_VERSION },
    { instructions: INSTRUCTIONS },
  )
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        annotations: { readOnlyHint: tool.isReadOnly === true },
      },
      async (
        args: Record<string, unknown>,
        extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
      ) => {
        try {
          return toolResult(await tool.run(args, session, callOf(extra)))
        } catch (error) {
          return toolError(error, session.apiUrl)
        }
      },
    )
  }
  registerResources(server, session)
  registerPrompts(server)
  return server
}
