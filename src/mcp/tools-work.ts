import { z } from 'zod'

import {
  ConnectionType,
  MAX_WAIT_SECONDS,
  StatusUpdateRequest,
  TaskStatus,
} from '../contract/index.js'
import { countOf, taskLine } from './describe.js'
import { agentIdOf, roleAndLevelOf } from './session.js'
import { AgentArg, LevelArg, positiveId, RoleArg } from './tool-args.js'
import type { ToolCall, ToolSpec } from './tool-spec.js'
import { defineTool } from './tool-spec.js'

/**
 * A claim waits this long unless told otherwise: under the 60 s request timeout many MCP clients
 * use, so a client that ignores progress notifications still gets an answer.
 */
export const DEFAULT_CLAIM_WAIT_SECONDS = 50

const WaitArg = (what: string, defaultSeconds: number) =>
  z
    .number({ error: 'must be a number of seconds' })
    .min(0, 'must not be negative')
    .max(MAX_WAIT_SECONDS, `must be at most ${MAX_WAIT_SECONDS}`)
    .optional()
    .describe(
      `${what} (default ${defaultSeconds}, at most ${MAX_WAIT_SECONDS}); progress notifications are sent meanwhile`,
    )

/** Runs a long-poll, telling the client every so often that it is still waiting. */
async function whileWaiting<T>(
  call: ToolCall,
  intervalMs: number,
  waitSeconds: number,
  work: () => Promise<T>,
): Promise<T> {
  const started = Date.now()
  const timer = setInterval(() => {
    const elapsed = Math.round((Date.now() - started) / 1000)
    void call
      .progress(elapsed, waitSeconds, `waiting for a task: ${elapsed} s of ${waitSeconds} s`)
      .catch(() => undefined)
  }, intervalMs)
  try {
    return await work()
  } finally {
    clearInterval(timer)
  }
}

export const WORK_TOOLS: ToolSpec[] = [
  defineTool({
    name: 'register_agent',
    title: 'Register as an agent',
    description:
      'Register (or re-register) as an agent before doing anything else. Answers the task you already hold or may take next, and your unread mentions; later calls default to this agent.',
    input: {
      agent_id: AgentArg,
      role: RoleArg,
      level: LevelArg,
      connection_type: ConnectionType.optional().describe('default mcp'),
    },
    run: async (args, session) => {
      const agentId = agentIdOf(session, args.agent_id)
      const { role, level } = roleAndLevelOf(session, args)
      const answer = await session.client.registerAgent({
        agent_id: agentId,
        role,
        level,
        connection_type: args.connection_type ?? 'mcp',
      })
      session.identity = { agentId, role, level }
      const next =
        answer.next_task === null
          ? 'no task is waiting for you'
          : `next: ${taskLine(answer.next_task)}`
      return {
        text: `registered ${agentId} as ${role} (${level}); ${next}; ${countOf(answer.mentions.length, 'unread mention')}`,
        data: answer,
      }
    },
  }),
  defineTool({
    name: 'heartbeat',
    title: 'Say you are alive',
    description:
      'Renew the lease on the task you hold during long work (every few minutes), so it is not taken back from you.',
    input: { agent_id: AgentArg },
    run: async (args, session) => {
      const answer = await session.client.heartbeat(agentIdOf(session, args.agent_id))
      const held = answer.tasks.map((t) => `task ${t.id} until ${t.lease_expires_at ?? '-'}`)
      return {
        text:
          held.length === 0
            ? 'alive; you hold no task'
            : `alive; lease renewed: ${held.join(', ')}`,
        data: answer,
      }
    },
  }),
  defineTool({
    name: 'claim_task',
    title: 'Claim the next task',
    description:
      'Take the next task for your role and level, waiting for one to appear (long-poll). The task is locked to you and set under_work. If you already hold a task, that one is returned.',
    input: {
      agent_id: AgentArg,
      timeout: WaitArg('seconds to wait for a task', DEFAULT_CLAIM_WAIT_SECONDS),
    },
    run: async (args, session, call) => {
      const agentId = agentIdOf(session, args.agent_id)
      const timeout = args.timeout ?? DEFAULT_CLAIM_WAIT_SECONDS
      const task = await whileWaiting(call, session.progressIntervalMs, timeout, () =>
        session.client.claimTask({ agent_id: agentId, timeout }, { signal: call.signal }),
      )
      return {
        text:
          task === null
            ? `no task came within ${timeout} s; call claim_task again to keep waiting`
            : `claimed ${taskLine(task)}`,
        data: { task },
      }
    },
  }),
  defineTool({
    name: 'get_next_task',
    title: 'Look at the next task',
    description:
      'See which task you would get next without taking it (v1 style; then lock_task it). Prefer claim_task, which takes it atomically.',
    input: {
      role: RoleArg,
      level: LevelArg,
      agent_id: AgentArg,
      timeout: WaitArg('seconds to wait for a task to appear', 0),
    },
    isReadOnly: true,
    run: async (args, session, call) => {
      const { role, level } = roleAndLevelOf(session, args)
      const timeout = args.timeout ?? 0
      const agentId = args.agent_id ?? session.identity.agentId
      const task = await whileWaiting(call, session.progressIntervalMs, timeout, () =>
        session.client.nextTask(
          { role, level, timeout, simulate: timeout === 0, agent_id: agentId },
          { signal: call.signal },
        ),
      )
      return {
        text: task === null ? `no ${role} (${level}) task is waiting` : `next: ${taskLine(task)}`,
        data: { task },
      }
    },
  }),
  defineTool({
    name: 'lock_task',
    title: 'Lock a task',
    description:
      'Take one specific task (for example from get_next_task): it is locked to you and set under_work.',
    input: { task_id: positiveId('the task to lock'), agent_id: AgentArg },
    run: async (args, session) => {
      const task = await session.client.lockTask(args.task_id, agentIdOf(session, args.agent_id))
      return { text: `locked ${taskLine(task)}`, data: { task } }
    },
  }),
  defineTool({
    name: 'unlock_task',
    title: 'Give a task back',
    description:
      'Give back a task you cannot finish; it returns to the status it was claimed from for someone else. Say why in notes.',
    input: {
      task_id: positiveId('the task to give back'),
      notes: z.string().max(50_000).optional().describe('why you give it back'),
      agent_id: AgentArg,
    },
    run: async (args, session) => {
      const task = await session.client.unlockTask(
        args.task_id,
        agentIdOf(session, args.agent_id),
        args.notes,
      )
      return { text: `gave back ${taskLine(task)}`, data: { task } }
    },
  }),
  defineTool({
    name: 'update_task_status',
    title: 'Move a task along the flow',
    description:
      'Report progress: dev_done when your work is committed (say how to test it in notes), qa_done or back to created after a review, committed once merged (a major task: pm or architect only). Answers your next task.',
    input: { task_id: positiveId('the task'), ...StatusUpdateRequest.shape, agent_id: AgentArg },
    run: async (args, session) => {
      const { task_id, agent_id, ...body } = args
      const answer = await session.client.updateStatus(task_id, body, agentIdOf(session, agent_id))
      const next =
        answer.next_task === null
          ? 'no task is waiting for you'
          : `next: ${taskLine(answer.next_task)}`
      return { text: `task ${answer.task.id} is now ${answer.task.status}; ${next}`, data: answer }
    },
  }),
  defineTool({
    name: 'add_comment',
    title: 'Comment on a task',
    description: 'Add a comment to a task; @agent_id or @role in the text notifies them.',
    input: {
      task_id: positiveId('the task'),
      comment: z.string().trim().min(1, 'must not be empty').max(50_000),
      agent_id: AgentArg,
    },
    run: async (args, session) => {
      const answer = await session.client.addComment(
        args.task_id,
        args.comment,
        agentIdOf(session, args.agent_id),
      )
      return { text: answer.message, data: answer }
    },
  }),
  defineTool({
    name: 'get_task',
    title: 'Read a task',
    description: 'Read one task in full: description, status, holder, and its comment thread.',
    input: { task_id: positiveId('the task') },
    isReadOnly: true,
    run: async (args, session) => {
      const task = await session.client.getTask(args.task_id)
      return {
        text: `${taskLine(task)}, ${countOf(task.comments.length, 'comment')}\n\n${task.description}`,
        data: { task },
      }
    },
  }),
  defineTool({
    name: 'list_tasks',
    title: 'List tasks',
    description: 'List tasks, filtered by status, target role, feature, epic or holder.',
    input: {
      status: TaskStatus.optional(),
      role: RoleArg.describe('target role'),
      feature_id: positiveId('feature').optional(),
      epic_id: positiveId('epic').optional(),
      locked_by: z.string().optional().describe('holder agent id'),
    },
    isReadOnly: true,
    run: async (args, session) => {
      const tasks = await session.client.listTasksInPages(args)
      return {
        text: [countOf(tasks.length, 'task'), ...tasks.slice(0, 50).map(taskLine)].join('\n'),
        data: { tasks },
      }
    },
  }),
  defineTool({
    name: 'list_runs',
    title: "List a task's runs",
    description: "See the runner's attempts at a task: outcome, verdict and why, cost, duration.",
    input: { task_id: positiveId('the task') },
    isReadOnly: true,
    run: async (args, session) => {
      const runs = await session.client.listRuns(args.task_id)
      const lines = runs.map(
        (r) =>
          `attempt ${r.attempt} by ${r.agent_id}: ${r.verdict}${r.verdict_reason ? ` (${r.verdict_reason})` : ''}`,
      )
      return { text: [countOf(runs.length, 'run'), ...lines].join('\n'), data: { runs } }
    },
  }),
]
