import type { AgentRole, TaskStatus } from '../../src/contract/index.js'
import { errorText } from './api.js'
import { resolveActingAgent, upsertTasks, withToast } from './dashboard-state.js'
import type { Toast } from './dashboard-state.js'
import type { Session } from './session.js'

export function showToast(session: Session, kind: Toast['kind'], text: string): void {
  session.store.setState((s) => withToast(s, kind, text))
}

/**
 * Runs a call as the acting agent (the header's select). A refusal shows the server's `detail` in
 * a toast. Returns whether the call succeeded.
 */
export async function actAsAgent(
  session: Session,
  call: (agentId: string) => Promise<unknown>,
): Promise<boolean> {
  const { agents, actingAgentChoice } = session.store.getState()
  const agentId = resolveActingAgent(agents, actingAgentChoice)
  if (agentId === undefined) {
    showToast(
      session,
      'error',
      'no agent to act as: register one first (hpm register --agent-id … --role pm)',
    )
    return false
  }
  try {
    await call(agentId)
    return true
  } catch (error) {
    showToast(session, 'error', errorText(error))
    return false
  }
}

/**
 * Moves a task to another status. The answer is applied at once; the live event that follows
 * confirms it (and wins if it is newer).
 */
export function moveTask(session: Session, taskId: number, status: TaskStatus): Promise<boolean> {
  const task = session.store.getState().tasks?.get(taskId)
  if (task?.status === status) return Promise.resolve(true)
  return actAsAgent(session, async (agentId) => {
    const { task: moved } = await session.client.updateStatus(taskId, { status }, agentId)
    session.store.setState((s) => upsertTasks(s, [moved]))
  })
}

/** Gives a task another role (the planner's fix for a role no agent has). */
export function reassignTask(session: Session, taskId: number, role: AgentRole): Promise<boolean> {
  return actAsAgent(session, async (agentId) => {
    const reassigned = await session.client.updateTask(taskId, { target_role: role }, agentId)
    session.store.setState((s) => upsertTasks(s, [reassigned]))
  })
}

export function unlockTask(session: Session, taskId: number): Promise<boolean> {
  return actAsAgent(session, async (agentId) => {
    const unlocked = await session.client.unlockTask(taskId, agentId)
    session.store.setState((s) => upsertTasks(s, [unlocked]))
  })
}

export function commentOnTask(session: Session, taskId: number, comment: string): Promise<boolean> {
  return actAsAgent(session, async (agentId) => {
    await session.client.addComment(taskId, comment, agentId)
    // Shown at once, without waiting for the live event.
    const detail = await session.client.getTask(taskId)
    session.store.setState((s) => upsertTasks(s, [detail]))
  })
}
