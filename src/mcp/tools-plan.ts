import { z } from 'zod'

import { CreateEpicRequest, CreateFeatureRequest, CreateTaskRequest } from '../contract/index.js'
import { countOf, taskLine } from './describe.js'
import { agentIdOf } from './session.js'
import { AgentArg, positiveId } from './tool-args.js'
import type { ToolSpec } from './tool-spec.js'
import { defineTool } from './tool-spec.js'

export const PLAN_TOOLS: ToolSpec[] = [
  defineTool({
    name: 'get_context',
    title: 'Project context',
    description: "Read the project's name, shared paths and database type.",
    input: {},
    isReadOnly: true,
    run: async (_args, session) => {
      const context = await session.client.getContext()
      return {
        text: `project ${context.project_name}; shared path ${context.shared_path}; docs ${context.project_docs_path}`,
        data: context,
      }
    },
  }),
  defineTool({
    name: 'get_status',
    title: 'Team status',
    description:
      'See agents, tasks by status, and what needs a person because no agent will act on it.',
    input: {},
    isReadOnly: true,
    run: async (_args, session) => {
      const status = await session.client.getStatus()
      const byStatus = Object.entries(status.metrics.tasks_by_status)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')
      const attention = status.attention.map((a) => `task ${a.task_id} "${a.title}": ${a.detail}`)
      return {
        text: [
          `${countOf(status.metrics.total_agents, 'agent')} (${status.metrics.active_agents} active); tasks: ${byStatus || 'none'}`,
          ...attention,
        ].join('\n'),
        data: status,
      }
    },
  }),
  defineTool({
    name: 'list_epics',
    title: 'List epics and features',
    description:
      'List epics with their progress and features, to find the feature_id a new task belongs to.',
    input: {},
    isReadOnly: true,
    run: async (_args, session) => {
      const [epics, features] = await Promise.all([
        session.client.listEpics(),
        session.client.listFeatures(),
      ])
      const lines = epics.flatMap((e) => [
        `epic ${e.id} "${e.name}": ${e.completed_task_count}/${e.task_count} tasks done`,
        ...features.filter((f) => f.epic_id === e.id).map((f) => `  feature ${f.id} "${f.name}"`),
      ])
      return {
        text: lines.length === 0 ? 'no epics yet' : lines.join('\n'),
        data: { epics, features },
      }
    },
  }),
  defineTool({
    name: 'create_epic',
    title: 'Create an epic',
    description:
      'Create an epic, a large piece of the plan that features and tasks belong to (pm or architect).',
    input: { ...CreateEpicRequest.shape, agent_id: AgentArg },
    run: async ({ agent_id, ...body }, session) => {
      const epic = await session.client.createEpic(body, agentIdOf(session, agent_id))
      return { text: `created epic ${epic.id} "${epic.name}"`, data: { epic } }
    },
  }),
  defineTool({
    name: 'create_feature',
    title: 'Create a feature',
    description: 'Create a feature inside an epic; tasks belong to features (pm or architect).',
    input: { ...CreateFeatureRequest.shape, agent_id: AgentArg },
    run: async ({ agent_id, ...body }, session) => {
      const feature = await session.client.createFeature(body, agentIdOf(session, agent_id))
      return {
        text: `created feature ${feature.id} "${feature.name}" in epic ${feature.epic_id}`,
        data: { feature },
      }
    },
  }),
  defineTool({
    name: 'create_task',
    title: 'Create a task',
    description:
      'Create a task for a role and level. A pm or architect creates it ready for work (created); anyone else proposes it (pending) for a planner to approve.',
    input: { ...CreateTaskRequest.shape, agent_id: AgentArg },
    run: async ({ agent_id, ...body }, session) => {
      const task = await session.client.createTask(body, agentIdOf(session, agent_id))
      return { text: `created ${taskLine(task)}`, data: { task } }
    },
  }),
  defineTool({
    name: 'approve_task',
    title: 'Approve a proposed task',
    description:
      'Approve a pending task (pm or architect) so agents are offered it: its status becomes created.',
    input: {
      task_id: positiveId('the pending task'),
      notes: z.string().max(50_000).optional(),
      agent_id: AgentArg,
    },
    run: async (args, session) => {
      const answer = await session.client.updateStatus(
        args.task_id,
        { status: 'created', notes: args.notes },
        agentIdOf(session, args.agent_id),
      )
      return { text: `approved ${taskLine(answer.task)}`, data: { task: answer.task } }
    },
  }),
]
