import type {
  AgentResponse,
  AttentionItem,
  ChangeEvent,
  EpicResponse,
  FeatureResponse,
  RunSummary,
  TaskComment,
  TaskDetailResponse,
  TaskResponse,
} from '../../src/contract/index.js'
import { LIVE_TOPICS } from './live-topics.js'
import type { LiveTopic } from './live-topics.js'

export type ConnectionState = 'connecting' | 'live' | 'disconnected'

export interface Toast {
  id: number
  kind: 'error' | 'info'
  text: string
}

/** Everything the pages show, as last fetched from the server. */
export interface DashboardState {
  /** Undefined until the first full load. */
  tasks: ReadonlyMap<number, TaskResponse> | undefined
  /** Comment threads of the tasks fetched one by one; absent = not fetched (or stale). */
  comments: ReadonlyMap<number, readonly TaskComment[]>
  agents: readonly AgentResponse[] | undefined
  epics: readonly EpicResponse[]
  features: readonly FeatureResponse[]
  runSummaries: ReadonlyMap<number, RunSummary>
  attention: readonly AttentionItem[] | undefined
  connection: ConnectionState
  toast: Toast | undefined
  /** The agent id the user picked to act as; may name an agent that no longer exists. */
  actingAgentChoice: string | undefined
  /** Moves once per batch of events that touch the topic, and on each (re)connection. */
  versions: Readonly<Record<LiveTopic, number>>
  /** The events streamed since sign-in, newest first, at most {@link MAX_LIVE_EVENTS}. */
  liveEvents: readonly ChangeEvent[]
}

/** How many streamed events the activity feed keeps. */
export const MAX_LIVE_EVENTS = 5000

export function initialState(actingAgentChoice: string | undefined): DashboardState {
  return {
    tasks: undefined,
    comments: new Map(),
    agents: undefined,
    epics: [],
    features: [],
    runSummaries: new Map(),
    attention: undefined,
    connection: 'connecting',
    toast: undefined,
    actingAgentChoice,
    versions: Object.fromEntries(LIVE_TOPICS.map((t) => [t, 0])) as Record<LiveTopic, number>,
    liveEvents: [],
  }
}

function splitDetail(detail: TaskDetailResponse): { task: TaskResponse; comments: TaskComment[] } {
  const { comments, ...task } = detail
  return { task, comments }
}

/**
 * Puts fetched tasks in place. A reply older than the copy already held (an action's answer that
 * arrives after the live refresh) is ignored, so the board never steps back.
 */
export function upsertTasks(
  state: DashboardState,
  fetched: readonly (TaskResponse | TaskDetailResponse)[],
): DashboardState {
  if (fetched.length === 0 || state.tasks === undefined) return state
  const tasks = new Map(state.tasks)
  let comments: Map<number, readonly TaskComment[]> | undefined
  for (const item of fetched) {
    const { task, comments: thread } =
      'comments' in item ? splitDetail(item) : { task: item, comments: undefined }
    const held = tasks.get(task.id)
    if (held === undefined || held.updated_at <= task.updated_at) tasks.set(task.id, task)
    // A thread is kept even from an older reply: a newer change re-fetches it anyway.
    if (thread !== undefined) {
      comments ??= new Map(state.comments)
      comments.set(task.id, thread)
    }
  }
  return { ...state, tasks, comments: comments ?? state.comments }
}

export function removeTasks(state: DashboardState, taskIds: Iterable<number>): DashboardState {
  if (state.tasks === undefined) return state
  const tasks = new Map(state.tasks)
  const comments = new Map(state.comments)
  for (const id of taskIds) {
    tasks.delete(id)
    comments.delete(id)
  }
  return { ...state, tasks, comments }
}

/** Comment threads held for these tasks are out of date: the drawer fetches them again. */
export function forgetComments(state: DashboardState, taskIds: Iterable<number>): DashboardState {
  const comments = new Map(state.comments)
  for (const id of taskIds) comments.delete(id)
  return { ...state, comments }
}

export function replaceTasks(
  state: DashboardState,
  tasks: readonly TaskResponse[],
): DashboardState {
  return { ...state, tasks: new Map(tasks.map((t) => [t.id, t])), comments: new Map() }
}

export function replaceRunSummaries(
  state: DashboardState,
  summaries: readonly RunSummary[],
): DashboardState {
  return { ...state, runSummaries: new Map(summaries.map((s) => [s.task_id, s])) }
}

/** Adds a batch of streamed events (oldest first) and moves the counters of the topics they touch. */
export function withEvents(
  state: DashboardState,
  events: readonly ChangeEvent[],
  topics: ReadonlySet<LiveTopic>,
): DashboardState {
  if (events.length === 0 && topics.size === 0) return state
  const versions = { ...state.versions }
  for (const topic of topics) versions[topic] += 1
  const liveEvents =
    events.length === 0
      ? state.liveEvents
      : [...[...events].reverse(), ...state.liveEvents].slice(0, MAX_LIVE_EVENTS)
  return { ...state, versions, liveEvents }
}

let toastSeq = 0

export function withToast(
  state: DashboardState,
  kind: Toast['kind'],
  text: string,
): DashboardState {
  toastSeq += 1
  return { ...state, toast: { id: toastSeq, kind, text } }
}

/** The agent the dashboard acts as: the one picked if it still exists, else the first pm, else the first agent. */
export function resolveActingAgent(
  agents: readonly AgentResponse[] | undefined,
  choice: string | undefined,
): string | undefined {
  if (agents === undefined || agents.length === 0) return undefined
  if (choice !== undefined && agents.some((a) => a.agent_id === choice)) return choice
  const sorted = sortAgents(agents)
  return (sorted.find((a) => a.role === 'pm') ?? sorted[0])?.agent_id
}

export function sortAgents(agents: readonly AgentResponse[]): AgentResponse[] {
  return [...agents].sort((a, b) => a.agent_id.localeCompare(b.agent_id))
}
