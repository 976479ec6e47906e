import { z } from 'zod'

import {
  AgentResponse,
  ChangeEvent,
  ChangelogResponse,
  ChangesResponse,
  ClaimTaskResponse,
  ContextResponse,
  CreateRunResponse,
  DocumentResponse,
  EpicResponse,
  ErrorResponse,
  FeatureResponse,
  HealthResponse,
  HeartbeatResponse,
  MAX_WAIT_SECONDS,
  MentionResponse,
  MessageResponse,
  RegisterAgentResponse,
  RevokeTokensResponse,
  RootResponse,
  RunResponse,
  RunSummary,
  ServiceResponse,
  StatsResponse,
  StatusResponse,
  TaskDetailResponse,
  TaskResponse,
  TaskStatusUpdateResponse,
  TranscriptResponse,
} from '../contract/index.js'
import type {
  AgentActivity,
  AgentRole,
  CreateDocumentRequest,
  CreateEpicRequest,
  CreateFeatureRequest,
  CreateRunRequest,
  CreateTaskRequest,
  DocumentType,
  RegisterAgentRequest,
  RegisterServiceRequest,
  SkillLevel,
  StatusUpdateRequest,
  TaskStatus,
  UpdateDocumentRequest,
  UpdateTaskRequest,
} from '../contract/index.js'
import { ApiError, ApiUnavailableError } from './api-error.js'
import type { UnavailableReason } from './api-error.js'
import { pause } from './pause.js'

/** The fetch signature the client needs; inject one for tests or other runtimes. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

export interface HeadlessPMClientOptions {
  /** Server base URL without `/api/v1`, e.g. `http://127.0.0.1:6969`. */
  baseUrl: string
  /** Sent as `X-API-Key`. Without it only the public endpoints answer. */
  apiKey?: string | undefined
  /** Per-call timeout for ordinary calls, ms. Default 200 000 (longer than the 180 s long-poll). */
  timeoutMs?: number
  /** Extra attempts for idempotent calls after a connection error. Default 2. */
  retries?: number
  /** First retry delay, ms, doubled per attempt and capped at `maxRetryDelayMs`. Default 250. */
  retryDelayMs?: number
  /** Largest retry delay, ms. Default 2000. */
  maxRetryDelayMs?: number
  /** Default `globalThis.fetch`. */
  fetch?: FetchLike
  /** Makes the `x-request-id` of each call (kept across its retries). Default `crypto.randomUUID`. */
  requestId?: () => string
}

/** Options every method takes last. */
export interface CallOptions {
  /** Overrides the client's timeout for this call, ms. */
  timeoutMs?: number
  /** Cancels the call; the abort reason is rethrown as is. */
  signal?: AbortSignal
  /** `x-request-id` for this call, to follow it in the server log. */
  requestId?: string
}

export interface ListTasksQuery {
  status?: TaskStatus
  role?: AgentRole
  feature_id?: number
  epic_id?: number
  locked_by?: string
}

export interface NextTaskQuery {
  role: AgentRole
  level: SkillLevel
  /** Answer at once without waiting. */
  simulate?: boolean
  /** Seconds to wait for a task (long-poll); server default 180, at most 600. */
  timeout?: number
  /** The caller's agent id: a task it already holds is returned first. */
  agent_id?: string
}

export interface ClaimTaskBody {
  agent_id: string
  /** Seconds to wait for a task; 0 answers at once. Server default 180, at most 600. */
  timeout?: number
}

export interface ListDocumentsQuery {
  doc_type?: DocumentType
  author_id?: string
  /** Default 1000 on the server. */
  limit?: number
}

export interface ListMentionsQuery {
  /** Whose mentions: a registered agent (a token reads its own agent's only). `listMentionsByRole` is the overview. */
  agent_id: string
  unread_only?: boolean
  limit?: number
}

export interface ListMentionsByRoleQuery {
  role?: AgentRole
  unread_only?: boolean
  limit?: number
}

export interface ListChangesQuery {
  /** ISO-8601 (with or without offset; none = UTC), Unix seconds/milliseconds, or a Date. */
  since?: string | number | Date
  /** Events after this id (`last_event_id` of the previous page): exact paging. */
  after_id?: number
  /** Who reads (optional; filters nothing). */
  agent_id?: string
  limit?: number
}

export interface StreamEventsOptions {
  /** Replay events after this id first (e.g. `last_event_id` from `listChanges`). */
  afterId?: number
  /** Ends the stream. */
  signal?: AbortSignal
}

export type RootInfo = z.infer<typeof RootResponse>

type Query = Record<string, string | number | boolean | undefined>

interface RequestSpec<S extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Path under the base URL, starting with `/`. */
  path: string
  query?: Query
  body?: unknown
  schema: S
  /** Safe to send twice: retried after connection errors. */
  isIdempotent: boolean
  timeoutMs?: number
  /** Sees the answer's headers (a page's `x-next-cursor`) before its body is returned. */
  onHeaders?: (headers: Headers) => void
}

const API = '/api/v1'
/** Extra time a long-poll call gets beyond the wait it asked the server for, ms. */
const LONG_POLL_GRACE_MS = 30_000

const Tasks = z.array(TaskResponse)
const Agents = z.array(AgentResponse)
const Epics = z.array(EpicResponse)
const Features = z.array(FeatureResponse)
const Documents = z.array(DocumentResponse)
const Services = z.array(ServiceResponse)
const Mentions = z.array(MentionResponse)
const Changelog = z.array(ChangelogResponse)
const Runs = z.array(RunResponse)
const RunSummaries = z.array(RunSummary)
const NullableTask = TaskResponse.nullable()

const seg = (value: string | number): string => encodeURIComponent(String(value))

/**
 * Typed client for the Headless PM HTTP API: one method per endpoint, replies checked against the
 * contract schemas. Isomorphic (fetch only). Non-2xx replies throw `ApiError`; an unreachable server
 * throws `ApiUnavailableError`. Idempotent calls are retried after connection errors with a small
 * capped backoff; other calls only when the connection was refused (the request never left).
 *
 * @example
 * const client = new HeadlessPMClient({ baseUrl: 'http://127.0.0.1:6969', apiKey })
 * await client.registerAgent({ agent_id: 'dev_1', role: 'backend_dev', level: 'senior' })
 * const task = await client.claimTask({ agent_id: 'dev_1', timeout: 60 })
 */
export class HeadlessPMClient {
  readonly baseUrl: string
  readonly #apiKey: string | undefined
  readonly #timeoutMs: number
  readonly #retries: number
  readonly #retryDelayMs: number
  readonly #maxRetryDelayMs: number
  readonly #fetch: FetchLike
  readonly #requestId: () => string

  constructor(options: HeadlessPMClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '')
    this.#apiKey = options.apiKey
    this.#timeoutMs = options.timeoutMs ?? 200_000
    this.#retries = Math.max(0, options.retries ?? 2)
    this.#retryDelayMs = options.retryDelayMs ?? 250
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? 2000
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.#requestId = options.requestId ?? (() => globalThis.crypto.randomUUID())
  }

  // ---- system (public) ----

  /** `GET /`: the API's greeting. */
  getRoot(options?: CallOptions): Promise<RootInfo> {
    return this.#call(
      { method: 'GET', path: '/', schema: RootResponse, isIdempotent: true },
      options,
    )
  }

  /** `GET /health`: database and service health. */
  getHealth(options?: CallOptions): Promise<HealthResponse> {
    return this.#call(
      { method: 'GET', path: '/health', schema: HealthResponse, isIdempotent: true },
      options,
    )
  }

  /** `GET /status`: counts of agents, tasks (by status), documents and services. */
  getStatus(options?: CallOptions): Promise<StatusResponse> {
    return this.#call(
      { method: 'GET', path: '/status', schema: StatusResponse, isIdempotent: true },
      options,
    )
  }

  /** `GET /api/v1/context`: project name and paths. */
  getContext(options?: CallOptions): Promise<ContextResponse> {
    return this.#call(
      { method: 'GET', path: `${API}/context`, schema: ContextResponse, isIdempotent: true },
      options,
    )
  }

  // ---- agents ----

  /**
   * `POST /register`: registers (or re-registers) an agent; returns its next task and unread
   * mentions. Changing an existing agent's role or level needs `requesterAgentId`, a pm.
   */
  registerAgent(
    body: RegisterAgentRequest,
    options?: CallOptions & { requesterAgentId?: string },
  ): Promise<RegisterAgentResponse> {
    // An upsert keyed by agent_id, so sending it twice is harmless.
    const query =
      options?.requesterAgentId === undefined
        ? undefined
        : { requester_agent_id: options.requesterAgentId }
    return this.#call(
      {
        method: 'POST',
        path: `${API}/register`,
        query,
        body,
        schema: RegisterAgentResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `GET /agents`. */
  listAgents(options?: CallOptions): Promise<AgentResponse[]> {
    return this.#call(
      { method: 'GET', path: `${API}/agents`, schema: Agents, isIdempotent: true },
      options,
    )
  }

  /** `DELETE /agents/{id}`: pm only; the agent's tasks are released. */
  /** `DELETE /agents/{id}/tokens`: every token of the agent stops working (a person, the agent itself or a pm). */
  revokeAgentTokens(
    agentId: string,
    requesterAgentId?: string,
    options?: CallOptions,
  ): Promise<RevokeTokensResponse> {
    return this.#call(
      {
        method: 'DELETE',
        path: `${API}/agents/${seg(agentId)}/tokens`,
        query: { requester_agent_id: requesterAgentId },
        schema: RevokeTokensResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  deleteAgent(
    agentId: string,
    requesterAgentId: string,
    options?: CallOptions,
  ): Promise<MessageResponse> {
    return this.#call(
      {
        method: 'DELETE',
        path: `${API}/agents/${seg(agentId)}`,
        query: { requester_agent_id: requesterAgentId },
        schema: MessageResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `POST /agents/{id}/heartbeat`: marks the agent alive and renews the leases of its tasks. */
  heartbeat(
    agentId: string,
    options?: CallOptions & { activity?: AgentActivity | null },
  ): Promise<HeartbeatResponse> {
    // Without an activity the body stays empty, as v1 clients send it; null clears the activity.
    const body = options?.activity === undefined ? undefined : { activity: options.activity }
    return this.#call(
      {
        method: 'POST',
        path: `${API}/agents/${seg(agentId)}/heartbeat`,
        body,
        schema: HeartbeatResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  // ---- epics and features ----

  /** `POST /epics`: pm or architect only. */
  createEpic(
    body: CreateEpicRequest,
    agentId: string,
    options?: CallOptions,
  ): Promise<EpicResponse> {
    return this.#call(
      {
        method: 'POST',
        path: `${API}/epics`,
        query: { agent_id: agentId },
        body,
        schema: EpicResponse,
        isIdempotent: false,
      },
      options,
    )
  }

  /** `GET /epics`, with task counts. */
  listEpics(options?: CallOptions): Promise<EpicResponse[]> {
    return this.#call(
      { method: 'GET', path: `${API}/epics`, schema: Epics, isIdempotent: true },
      options,
    )
  }

  /** `DELETE /epics/{id}`: pm only; deletes its features and tasks too. */
  deleteEpic(epicId: number, agentId: string, options?: CallOptions): Promise<MessageResponse> {
    return this.#call(
      {
        method: 'DELETE',
        path: `${API}/epics/${seg(epicId)}`,
        query: { agent_id: agentId },
        schema: MessageResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `POST /features`: pm or architect only. */
  createFeature(
    body: CreateFeatureRequest,
    agentId: string,
    options?: CallOptions,
  ): Promise<FeatureResponse> {
    return this.#call(
      {
        method: 'POST',
        path: `${API}/features`,
        query: { agent_id: agentId },
        body,
        schema: FeatureResponse,
        isIdempotent: false,
      },
      options,
    )
  }

  /** `GET /features` (all) or `GET /features/{epic_id}` (one epic's). */
  listFeatures(epicId?: number, options?: CallOptions): Promise<FeatureResponse[]> {
    const path = epicId === undefined ? `${API}/features` : `${API}/features/${seg(epicId)}`
    return this.#call({ method: 'GET', path, schema: Features, isIdempotent: true }, options)
  }

  /** `DELETE /features/{id}`: pm only; deletes its tasks too. */
  deleteFeature(
    featureId: number,
    agentId: string,
    options?: CallOptions,
  ): Promise<MessageResponse> {
    return this.#call(
      {
        method: 'DELETE',
        path: `${API}/features/${seg(featureId)}`,
        query: { agent_id: agentId },
        schema: MessageResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  // ---- tasks ----

  /** `POST /tasks/create`: `created` when a pm/architect creates it, else `pending` until approved. */
  createTask(
    body: CreateTaskRequest,
    agentId: string,
    options?: CallOptions,
  ): Promise<TaskResponse> {
    return this.#call(
      {
        method: 'POST',
        path: `${API}/tasks/create`,
        query: { agent_id: agentId },
        body,
        schema: TaskResponse,
        isIdempotent: false,
      },
      options,
    )
  }

  /** `GET /tasks` with optional filters. */
  listTasks(query: ListTasksQuery = {}, options?: CallOptions): Promise<TaskResponse[]> {
    return this.#call(
      {
        method: 'GET',
        path: `${API}/tasks`,
        query: { ...query },
        schema: Tasks,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `GET /tasks?limit=`: one page, newest first, and the cursor of the next (undefined after the last). */
  async listTasksPage(
    query: ListTasksQuery & { limit: number; cursor?: string },
    options?: CallOptions,
  ): Promise<{ tasks: TaskResponse[]; nextCursor: string | undefined }> {
    let nextCursor: string | undefined
    const tasks = await this.#call(
      {
        method: 'GET',
        path: `${API}/tasks`,
        query: { ...query },
        schema: Tasks,
        isIdempotent: true,
        onHeaders: (headers) => (nextCursor = headers.get('x-next-cursor') ?? undefined),
      },
      options,
    )
    return { tasks, nextCursor }
  }

  /** `GET /tasks/{id}`: the task with its comments and status notes. */
  getTask(taskId: number, options?: CallOptions): Promise<TaskDetailResponse> {
    return this.#call(
      {
        method: 'GET',
        path: `${API}/tasks/${seg(taskId)}`,
        schema: TaskDetailResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `GET /tasks/{id}`, or undefined when the server answers 404 (the task does not exist, or was deleted). */
  async findTask(taskId: number, options?: CallOptions): Promise<TaskDetailResponse | undefined> {
    try {
      return await this.getTask(taskId, options)
    } catch (error) {
      // A 404 for the route itself means a wrong base URL, not a missing task.
      if (error instanceof ApiError && error.status === 404 && error.code !== 'route_not_found')
        return undefined
      throw error
    }
  }

  /**
   * `PATCH /tasks/{id}`: edits fields; pm/architect or the task's creator. `work_branch` and
   * `work_commit` (`null` clears): the lock holder or a pm while the task is locked, else pm/architect.
   */
  updateTask(
    taskId: number,
    patch: UpdateTaskRequest,
    agentId: string,
    options?: CallOptions,
  ): Promise<TaskResponse> {
    return this.#call(
      {
        method: 'PATCH',
        path: `${API}/tasks/${seg(taskId)}`,
        query: { agent_id: agentId },
        body: patch,
        schema: TaskResponse,
        // Setting the same fields again gives the same task.
        isIdempotent: true,
      },
      options,
    )
  }

  /** `DELETE /tasks/{id}`: pm only. */
  deleteTask(taskId: number, agentId: string, options?: CallOptions): Promise<MessageResponse> {
    return this.#call(
      {
        method: 'DELETE',
        path: `${API}/tasks/${seg(taskId)}`,
        query: { agent_id: agentId },
        schema: MessageResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /**
   * `GET /tasks/next`: long-polls (server default 180 s) for the next task this role and level may
   * take, without claiming it; null when the wait ends empty. Lock the task next.
   */
  nextTask(query: NextTaskQuery, options?: CallOptions): Promise<TaskResponse | null> {
    const waitSeconds = query.simulate ? 0 : query.timeout
    return this.#call(
      {
        method: 'GET',
        path: `${API}/tasks/next`,
        query: { ...query },
        schema: NullableTask,
        isIdempotent: true,
        timeoutMs: this.#longPollTimeoutMs(waitSeconds),
      },
      options,
    )
  }

  /**
   * `POST /tasks/claim`: long-poll and atomic claim in one call. Returns the claimed task (now
   * `under_work`), the task the agent already holds (idempotent), or null when the wait ends empty.
   */
  claimTask(body: ClaimTaskBody, options?: CallOptions): Promise<ClaimTaskResponse> {
    return this.#call(
      {
        method: 'POST',
        path: `${API}/tasks/claim`,
        body,
        schema: ClaimTaskResponse,
        isIdempotent: true,
        timeoutMs: this.#longPollTimeoutMs(body.timeout),
      },
      options,
    )
  }

  /** `POST /tasks/{id}/lock`: claims one task (moves it to `under_work`); relocking by the holder is a no-op. */
  lockTask(taskId: number, agentId: string, options?: CallOptions): Promise<TaskResponse> {
    return this.#call(
      {
        method: 'POST',
        path: `${API}/tasks/${seg(taskId)}/lock`,
        query: { agent_id: agentId },
        schema: TaskResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `POST /tasks/{id}/unlock`: gives the task back (to the status it was claimed from). */
  unlockTask(
    taskId: number,
    agentId: string,
    notes?: string,
    options?: CallOptions,
  ): Promise<TaskResponse> {
    return this.#call(
      {
        method: 'POST',
        path: `${API}/tasks/${seg(taskId)}/unlock`,
        query: { agent_id: agentId },
        body: notes === undefined ? {} : { notes },
        schema: TaskResponse,
        isIdempotent: false,
      },
      options,
    )
  }

  /**
   * `PUT /tasks/{id}/status`: moves a task along the flow; the reply offers the next task.
   * `work_branch` / `work_commit` in the body are stored with the status change, atomically.
   */
  updateStatus(
    taskId: number,
    body: StatusUpdateRequest,
    agentId: string,
    options?: CallOptions,
  ): Promise<TaskStatusUpdateResponse> {
    return this.#call(
      {
        method: 'PUT',
        path: `${API}/tasks/${seg(taskId)}/status`,
        query: { agent_id: agentId },
        body,
        schema: TaskStatusUpdateResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `POST /tasks/{id}/comment`: `@agent` and `@role` mentions in it notify those agents. */
  addComment(
    taskId: number,
    comment: string,
    agentId: string,
    options?: CallOptions,
  ): Promise<MessageResponse> {
    return this.#call(
      {
        method: 'POST',
        path: `${API}/tasks/${seg(taskId)}/comment`,
        query: { agent_id: agentId },
        body: { comment },
        schema: MessageResponse,
        isIdempotent: false,
      },
      options,
    )
  }

  /** `GET /tasks/{id}/runs`: the runner's attempts at a task. */
  listRuns(taskId: number, options?: CallOptions): Promise<RunResponse[]> {
    return this.#call(
      { method: 'GET', path: `${API}/tasks/${seg(taskId)}/runs`, schema: Runs, isIdempotent: true },
      options,
    )
  }

  /**
   * `POST /tasks/{id}/runs`: records one runner attempt (Claude's outcome and the runner's verdict).
   * The reply carries the task's `failure_budget`; `is_spent` means the task went back to `pending`.
   */
  recordRun(
    taskId: number,
    body: CreateRunRequest,
    options?: CallOptions,
  ): Promise<CreateRunResponse> {
    return this.#call(
      {
        method: 'POST',
        path: `${API}/tasks/${seg(taskId)}/runs`,
        body,
        schema: CreateRunResponse,
        isIdempotent: false,
      },
      options,
    )
  }

  // ---- activity ----

  /** `GET /changes`: activity since a time, for polling. */
  listChanges(query: ListChangesQuery, options?: CallOptions): Promise<ChangesResponse> {
    const since =
      query.since === undefined
        ? undefined
        : query.since instanceof Date
          ? query.since.toISOString()
          : String(query.since)
    return this.#call(
      {
        method: 'GET',
        path: `${API}/changes`,
        query: { ...query, since },
        schema: ChangesResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `GET /changelog`: recent task status changes (one task's with `taskId`), newest first. Server default limit 50. */
  listChangelog(
    limit?: number,
    options?: CallOptions & { taskId?: number },
  ): Promise<ChangelogResponse[]> {
    const query = { limit, task_id: options?.taskId }
    return this.#call(
      { method: 'GET', path: `${API}/changelog`, query, schema: Changelog, isIdempotent: true },
      options,
    )
  }

  /** `GET /tasks/{id}/runs/{run_id}/transcript`: what Claude did in that run, as the runner saw it. */
  getTranscript(taskId: number, runId: number, options?: CallOptions): Promise<TranscriptResponse> {
    return this.#call(
      {
        method: 'GET',
        path: `${API}/tasks/${seg(taskId)}/runs/${seg(runId)}/transcript`,
        schema: TranscriptResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `GET /stats`: tasks committed per day, cost by day, epic, agent and model, median lead time. */
  getStats(options?: CallOptions): Promise<StatsResponse> {
    return this.#call(
      { method: 'GET', path: `${API}/stats`, schema: StatsResponse, isIdempotent: true },
      options,
    )
  }

  /** `GET /runs`: the latest runner attempts, newest first, of one agent when `agentId` is given. */
  listRecentRuns(
    query: { agentId?: string; limit?: number } = {},
    options?: CallOptions,
  ): Promise<RunResponse[]> {
    return this.#call(
      {
        method: 'GET',
        path: `${API}/runs`,
        query: { agent_id: query.agentId, limit: query.limit },
        schema: Runs,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `GET /runs/summary`: per task, the number of runner attempts, their total cost and the last verdict. */
  listRunSummaries(options?: CallOptions): Promise<RunSummary[]> {
    return this.#call(
      { method: 'GET', path: `${API}/runs/summary`, schema: RunSummaries, isIdempotent: true },
      options,
    )
  }

  /**
   * `GET /events`: the live activity stream (server-sent events) as an async iterator. It ends when
   * the server closes the stream or `signal` aborts; reconnecting (with `afterId`) is the caller's job.
   */
  async *streamEvents(options: StreamEventsOptions = {}): AsyncGenerator<ChangeEvent> {
    const endpoint = 'GET /api/v1/events'
    const url = this.#url(`${API}/events`, { after_id: options.afterId })
    let response: Response
    try {
      response = await this.#fetch(url, {
        method: 'GET',
        headers: this.#headers(this.#requestId(), false),
        signal: options.signal,
      })
    } catch (error) {
      if (options.signal?.aborted) return
      throw this.#unavailable(classify(error) ?? 'connection_failed', endpoint, 1, undefined, error)
    }
    if (!response.ok || !response.body) throw await this.#errorFrom(response, endpoint)
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += value
        let end: number
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const frame = buffer.slice(0, end)
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '')
          const data = frame
            .split(/\r?\n/)
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n')
          if (data !== '')
            yield this.#validate(ChangeEvent, parseJsonOrThrow(data, endpoint, 200), endpoint, 200)
        }
      }
    } catch (error) {
      if (options.signal?.aborted) return
      if (error instanceof ApiError) throw error
      throw this.#unavailable('connection_failed', endpoint, 1, undefined, error)
    } finally {
      reader.releaseLock()
    }
  }

  // ---- documents ----

  /** `POST /documents`: mentions in the content notify agents (`@dev_1`) or whole roles (`@qa`). */
  createDocument(
    body: CreateDocumentRequest,
    authorId: string,
    options?: CallOptions,
  ): Promise<DocumentResponse> {
    return this.#call(
      {
        method: 'POST',
        path: `${API}/documents`,
        query: { author_id: authorId },
        body,
        schema: DocumentResponse,
        isIdempotent: false,
      },
      options,
    )
  }

  /** `GET /documents`, newest first. */
  listDocuments(
    query: ListDocumentsQuery = {},
    options?: CallOptions,
  ): Promise<DocumentResponse[]> {
    return this.#call(
      {
        method: 'GET',
        path: `${API}/documents`,
        query: { ...query },
        schema: Documents,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `GET /documents/{id}`. */
  getDocument(documentId: number, options?: CallOptions): Promise<DocumentResponse> {
    return this.#call(
      {
        method: 'GET',
        path: `${API}/documents/${seg(documentId)}`,
        schema: DocumentResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `PUT /documents/{id}`: changes the given fields; `agentId` attributes the edit. */
  updateDocument(
    documentId: number,
    body: UpdateDocumentRequest,
    agentId?: string,
    options?: CallOptions,
  ): Promise<DocumentResponse> {
    return this.#call(
      {
        method: 'PUT',
        path: `${API}/documents/${seg(documentId)}`,
        query: { agent_id: agentId },
        body,
        schema: DocumentResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `DELETE /documents/{id}`. */
  deleteDocument(
    documentId: number,
    agentId?: string,
    options?: CallOptions,
  ): Promise<MessageResponse> {
    return this.#call(
      {
        method: 'DELETE',
        path: `${API}/documents/${seg(documentId)}`,
        query: { agent_id: agentId },
        schema: MessageResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  // ---- services ----

  /** `POST /services/register`: registers or updates a service the agent runs. */
  registerService(
    body: RegisterServiceRequest,
    agentId: string,
    options?: CallOptions,
  ): Promise<ServiceResponse> {
    return this.#call(
      {
        method: 'POST',
        path: `${API}/services/register`,
        query: { agent_id: agentId },
        body,
        schema: ServiceResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `GET /services`. */
  listServices(options?: CallOptions): Promise<ServiceResponse[]> {
    return this.#call(
      { method: 'GET', path: `${API}/services`, schema: Services, isIdempotent: true },
      options,
    )
  }

  /** `POST /services/{name}/heartbeat`: owner only. */
  heartbeatService(
    serviceName: string,
    agentId: string,
    options?: CallOptions,
  ): Promise<ServiceResponse> {
    return this.#call(
      {
        method: 'POST',
        path: `${API}/services/${seg(serviceName)}/heartbeat`,
        query: { agent_id: agentId },
        schema: ServiceResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `DELETE /services/{name}`: owner only. */
  unregisterService(
    serviceName: string,
    agentId: string,
    options?: CallOptions,
  ): Promise<MessageResponse> {
    return this.#call(
      {
        method: 'DELETE',
        path: `${API}/services/${seg(serviceName)}`,
        query: { agent_id: agentId },
        schema: MessageResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  // ---- mentions ----

  /** `GET /mentions`: newest first; server defaults: all (read and unread), limit 50. */
  listMentions(query: ListMentionsQuery, options?: CallOptions): Promise<MentionResponse[]> {
    return this.#call(
      {
        method: 'GET',
        path: `${API}/mentions`,
        query: { ...query },
        schema: Mentions,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `GET /mentions/by-role`: mentions of every agent of a role. */
  listMentionsByRole(
    query: ListMentionsByRoleQuery = {},
    options?: CallOptions,
  ): Promise<MentionResponse[]> {
    return this.#call(
      {
        method: 'GET',
        path: `${API}/mentions/by-role`,
        query: { ...query },
        schema: Mentions,
        isIdempotent: true,
      },
      options,
    )
  }

  /** `PUT /mentions/{id}/read`: only the mentioned agent may mark it. */
  markMentionRead(
    mentionId: number,
    agentId: string,
    options?: CallOptions,
  ): Promise<MentionResponse> {
    return this.#call(
      {
        method: 'PUT',
        path: `${API}/mentions/${seg(mentionId)}/read`,
        query: { agent_id: agentId },
        schema: MentionResponse,
        isIdempotent: true,
      },
      options,
    )
  }

  // ---- plumbing ----

  #longPollTimeoutMs(waitSeconds: number | undefined): number {
    // Without an explicit wait the server uses its configured default, which may be as long as the maximum.
    const waitMs = (waitSeconds ?? MAX_WAIT_SECONDS) * 1000
    return Math.max(this.#timeoutMs, waitMs + LONG_POLL_GRACE_MS)
  }

  #url(path: string, query: Query = {}): string {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value))
    }
    const search = params.toString()
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`
  }

  #headers(requestId: string, hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-request-id': requestId,
    }
    if (this.#apiKey !== undefined) headers['x-api-key'] = this.#apiKey
    if (hasBody) headers['content-type'] = 'application/json'
    return headers
  }

  async #call<S extends z.ZodType>(
    spec: RequestSpec<S>,
    options: CallOptions = {},
  ): Promise<z.output<S>> {
    const endpoint = `${spec.method} ${spec.path}`
    const url = this.#url(spec.path, spec.query)
    const timeoutMs = options.timeoutMs ?? spec.timeoutMs ?? this.#timeoutMs
    const requestId = options.requestId ?? this.#requestId()
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body)
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(
        url,
        spec.method,
        body,
        requestId,
        timeoutMs,
        options.signal,
      )
      if ('response' in outcome) {
        const { response, text } = outcome
        if (!response.ok) throw errorFromText(response, text, endpoint)
        spec.onHeaders?.(response.headers)
        return this.#validate(
          spec.schema,
          parseJsonOrThrow(text, endpoint, response.status, response),
          endpoint,
          response.status,
          response,
        )
      }
      const { reason, error } = outcome
      // A refused connection never delivered the request, so even a non-idempotent call may go again.
      const mayRetry = reason !== 'timeout' && (spec.isIdempotent || reason === 'refused')
      if (!mayRetry || attempt > this.#retries)
        throw this.#unavailable(reason, endpoint, attempt, timeoutMs, error)
      const delayMs = Math.min(this.#retryDelayMs * 2 ** (attempt - 1), this.#maxRetryDelayMs)
      await pause(delayMs, options.signal)
      options.signal?.throwIfAborted()
    }
  }

  /** One HTTP exchange; the reply with its whole body, or why there is none. */
  async #attempt(
    url: string,
    method: string,
    body: string | undefined,
    requestId: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{ response: Response; text: string } | { reason: UnavailableReason; error: unknown }> {
    signal?.throwIfAborted()
    const controller = new AbortController()
    let isTimedOut = false
    const timer = setTimeout(() => {
      isTimedOut = true
      controller.abort()
    }, timeoutMs)
    const onAbort = () => controller.abort(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const response = await this.#fetch(url, {
        method,
        headers: this.#headers(requestId, body !== undefined),
        body,
        signal: controller.signal,
      })
      // The body is read under the same timer: a server that sends headers and then stalls is a timeout too.
      const text = await response.text()
      return { response, text }
    } catch (error) {
      if (isTimedOut) return { reason: 'timeout', error }
      if (signal?.aborted) throw signal.reason
      return { reason: classify(error) ?? 'connection_failed', error }
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }

  #unavailable(
    reason: UnavailableReason,
    endpoint: string,
    attempts: number,
    timeoutMs: number | undefined,
    cause: unknown,
  ) {
    return new ApiUnavailableError({
      baseUrl: this.baseUrl,
      reason,
      endpoint,
      attempts,
      timeoutMs,
      cause,
    })
  }

  #validate<S extends z.ZodType>(
    schema: S,
    value: unknown,
    endpoint: string,
    status: number,
    response?: Response,
  ): z.output<S> {
    const parsed = schema.safeParse(value)
    if (parsed.success) return parsed.data
    throw new ApiError({
      status,
      code: 'invalid_response',
      detail: parsed.error.issues.map(
        (i) => `${endpoint} reply ${i.path.join('.') || '(root)'}: ${i.message}`,
      ),
      requestId: response?.headers.get('x-request-id') ?? undefined,
      endpoint,
    })
  }

  async #errorFrom(response: Response, endpoint: string): Promise<ApiError> {
    return errorFromText(response, await response.text().catch(() => ''), endpoint)
  }
}

/** Whether a fetch failure was a refused connection; undefined for anything else. */
function classify(error: unknown): UnavailableReason | undefined {
  const codes: unknown[] = []
  for (
    let e: unknown = error, depth = 0;
    e && depth < 4;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    codes.push((e as { code?: unknown }).code)
    // Node tries every address of a name (IPv6 and IPv4) and reports an AggregateError.
    for (const inner of (e as { errors?: unknown[] }).errors ?? [])
      codes.push((inner as { code?: unknown }).code)
  }
  return codes.includes('ECONNREFUSED') ? 'refused' : undefined
}

function parseJsonOrThrow(
  text: string,
  endpoint: string,
  status: number,
  response?: Response,
): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ApiError({
      status,
      code: 'invalid_response',
      detail: `${endpoint} answered ${status} with a body that is not JSON: ${snippet(text)}`,
      requestId: response?.headers.get('x-request-id') ?? undefined,
      endpoint,
      cause: error,
    })
  }
}

/** An error reply: the server's `{detail, code, request_id}`, or whatever a proxy sent instead. */
function errorFromText(response: Response, text: string, endpoint: string): ApiError {
  const headerId = response.headers.get('x-request-id') ?? undefined
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  const parsed = ErrorResponse.safeParse(json)
  if (parsed.success) {
    return new ApiError({
      status: response.status,
      code: parsed.data.code,
      detail: parsed.data.detail,
      requestId: parsed.data.request_id ?? headerId,
      endpoint,
    })
  }
  const v1Detail = (json as { detail?: unknown } | undefined)?.detail
  const detail =
    typeof v1Detail === 'string'
      ? v1Detail
      : `${endpoint} failed with HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}` +
        (text.trim() === '' ? '' : `: ${snippet(text)}`)
  return new ApiError({
    status: response.status,
    code: codeForStatus(response.status),
    detail,
    requestId: headerId,
    endpoint,
  })
}

function codeForStatus(status: number): string {
  if (status === 401) return 'unauthorized'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not_found'
  if (status === 409) return 'conflict'
  if (status === 422) return 'validation_failed'
  if (status === 502 || status === 503 || status === 504) return 'unavailable'
  if (status >= 500) return 'internal'
  return 'bad_request'
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || '(empty)'
}
