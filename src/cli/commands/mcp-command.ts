import type { Command } from 'commander'

import { MCP_HELP } from '../help.js'
import { levelOption, roleOption } from '../options.js'
import type { CommandKit, GlobalOptions } from '../program.js'
import type { McpFlags } from './mcp.js'

/** `hpm mcp`, with its flags; the MCP SDK loads only when it runs. */
export function addMcpCommand(program: Command, { setExit }: CommandKit): void {
  program
    .command('mcp')
    .description(
      'MCP server on stdio for Claude Code and other MCP clients (claude mcp add headless-pm -- hpm mcp)',
    )
    .option('--agent-id <id>', 'the agent the tools act as when a call does not name one')
    .addOption(roleOption('--role <role>', 'default role for register_agent and get_next_task'))
    .addOption(levelOption('--level <level>', 'default level for register_agent and get_next_task'))
    .addHelpText('after', MCP_HELP)
    .action(async (opts: Omit<McpFlags, 'url' | 'apiKey'>, command: Command) => {
      const { url, apiKey } = command.optsWithGlobals<GlobalOptions>()
      const { mcpCommand } = await import('./mcp.js')
      setExit(await mcpCommand({ ...opts, url, apiKey }), true)
    })
}
