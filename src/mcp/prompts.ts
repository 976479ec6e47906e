import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'

import { AGENT_ROLES } from '../contract/index.js'
import { PACKAGE_ROOT } from '../lib/package-root.js'
import { AgentArg, LevelArg } from './tool-args.js'

const ROLES_DIR = join(PACKAGE_ROOT, 'agents', 'team_roles')

// The role prompts are written for the hpm command line; an MCP client has the tools instead.
const MCP_PREFACE = `You reach Headless PM through this MCP server's tools, not a shell. Where the text below shows an
\`hpm\` command, call the matching tool instead: hpm register → register_agent, hpm tasks claim →
claim_task, hpm tasks next → get_next_task, hpm tasks lock/unlock → lock_task/unlock_task,
hpm tasks status → update_task_status, hpm tasks comment → add_comment, hpm tasks get/list →
get_task/list_tasks, hpm tasks create → create_task, hpm epics/features create → create_epic/create_feature,
hpm documents create/list/get/update → create_document/list_documents/get_document/update_document,
hpm mentions → get_mentions, hpm mention-read → mark_mention_read, hpm services ... → register_service/
service_heartbeat/list_services, hpm changes → poll_changes, hpm heartbeat → heartbeat.`

/** The team role prompts (pm, architect, the developer roles, qa) as MCP prompts. */
export function registerPrompts(server: McpServer): void {
  for (const role of AGENT_ROLES) {
    const file = join(ROLES_DIR, `${role}.md`)
    if (!existsSync(file)) continue
    server.registerPrompt(
      role,
      {
        title: `Work as ${role}`,
        description: `The ${role} role prompt: who you are, your responsibilities and the work loop, for use with these tools.`,
        argsSchema: {
          agent_id: AgentArg.describe('the agent id to work as'),
          level: LevelArg.describe('junior, senior or principal'),
        },
      },
      (args) => {
        const who =
          args.agent_id === undefined
            ? ''
            : `\n\nYour agent id is ${args.agent_id}${args.level === undefined ? '' : `, level ${args.level}`}: register with it first.`
        return {
          description: `${role} role prompt`,
          messages: [
            {
              role: 'user',
              content: {
                type: 'text',
                text: `${MCP_PREFACE}${who}\n\n${readFileSync(file, 'utf8')}`,
              },
            },
          ],
        }
      },
    )
  }
}
