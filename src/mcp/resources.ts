import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'

import { TASK_STATUSES, TaskStatus } from '../contract/index.js'
import type { McpSession } from './session.js'

const SCHEME = 'headless-pm://'

function json(uri: URL, value: unknown) {
  return {
    contents: [
      { uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) },
    ],
  }
}

/** Read-only views a client can attach as context; each is one JSON document. */
export function registerResources(server: McpServer, session: McpSession): void {
  const fixed: Array<{
    name: string
    path: string
    title: string
    description: string
    read: () => Promise<unknown>
  }> = [
    {
      name: 'current_task',
      path: 'task/current',
      title: 'My current task',
      description: 'The task this session agent holds, with its comments; null when it holds none.',
      read: async () => {
        const agentId = session.identity.agentId
        if (agentId === undefined)
          return {
            task: null,
            note: 'no agent yet: call register_agent, or start the MCP server with --agent-id',
          }
        const [held] = await session.client.listTasks({ locked_by: agentId })
        return { task: held === undefined ? null : await session.client.getTask(held.id) }
      },
    },
    {
      name: 'agents',
      path: 'agents',
      title: 'Agents',
      description: 'Every registered agent.',
      read: () => session.client.listAgents(),
    },
    {
      name: 'epics',
      path: 'epics',
      title: 'Epics with progress',
      description: 'Epics with task counts (done, in progress) and their features.',
      read: async () => {
        const [epics, features] = await Promise.all([
          session.client.listEpics(),
          session.client.listFeatures(),
        ])
        return epics.map((e) => ({ ...e, features: features.filter((f) => f.epic_id === e.id) }))
      },
    },
    {
      name: 'recent_documents',
      path: 'documents/recent',
      title: 'Recent documents',
      description: 'The 20 newest documents.',
      read: () => session.client.listDocuments({ limit: 20 }),
    },
    {
      name: 'services',
      path: 'services',
      title: 'Services',
      description: 'Services agents run.',
      read: () => session.client.listServices(),
    },
    {
      name: 'changelog',
      path: 'changelog',
      title: 'Changelog',
      description: 'The 50 latest task status changes.',
      read: () => session.client.listChangelog(50),
    },
    {
      name: 'context',
      path: 'context',
      title: 'Project context',
      description: 'Project name, paths, database type.',
      read: () => session.client.getContext(),
    },
  ]
  for (const resource of fixed) {
    server.registerResource(
      resource.name,
      `${SCHEME}${resource.path}`,
      { title: resource.title, description: resource.description, mimeType: 'application/json' },
      async (uri) => json(uri, await resource.read()),
    )
  }

  const byStatus = new ResourceTemplate(`${SCHEME}tasks/{status}`, {
    list: () => ({
      resources: TASK_STATUSES.map((status) => ({
        uri: `${SCHEME}tasks/${status}`,
        name: `tasks_${status}`,
        mimeType: 'application/json',
      })),
    }),
    complete: { status: (prefix) => TASK_STATUSES.filter((s) => s.startsWith(prefix)) },
  })
  server.registerResource(
    'tasks_by_status',
    byStatus,
    {
      title: 'Tasks by status',
      description: `Tasks in one status: ${TASK_STATUSES.join(', ')}.`,
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const parsed = TaskStatus.safeParse(variables.status)
      if (!parsed.success)
        throw new Error(
          `unknown status '${String(variables.status)}'; one of: ${TASK_STATUSES.join(', ')}`,
        )
      return json(uri, await session.client.listTasks({ status: parsed.data }))
    },
  )
}
