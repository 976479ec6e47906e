import { ENDPOINTS } from '../contract/index.js'
import type {
  AgentActivity,
  AgentResponse,
  ChangeEvent,
  ChangelogQueryInput,
  ChangelogResponse,
  ChangesQueryInput,
  ChangesResponse,
  ClaimTaskRequest,
  ClaimTaskResponse,
  CommentRequest,
  ContextResponse,
  CreateDocumentRequest,
  CreateEpicRequest,
  CreateFeatureRequest,
  CreateRunRequest,
  CreateRunResponse,
  CreateTaskRequest,
  DocumentResponse,
  EpicResponse,
  FeatureResponse,
  HealthResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  ListDocumentsQueryInput,
  ListMentionsQueryInput,
  ListTasksQueryInput,
  MentionResponse,
  MentionsByRoleQueryInput,
  MessageResponse,
  NextTaskQueryInput,
  RecentRunsQueryInput,
  RegisterAgentRequest,
  RegisterAgentResponse,
  RegisterServiceRequest,
  RevokeTokensResponse,
  RootResponse,
  RunResponse,
  RunSummary,
  ServiceResponse,
  StatsResponse,
  StatusResponse,
  StatusUpdateRequest,
  TaskDetailResponse,
  TaskResponse,
  TaskStatusUpdateResponse,
  TranscriptResponse,
  UnlockRequest,
  UpdateDocumentRequest,
  UpdateTaskRequest,
} from '../contract/index.js'
import { ApiError } from './api-error.js'
import { Transport } from './transport.js'
import type { CallOptions, HeadlessPMClientOptions } from './transport.js'

/** listTasksInPages' page: ~0.4 MB of tasks, answered in ~10 ms. */
const TASKS_PAGE_SIZE = 500

/** `GET /tasks/next`: the server answers 400 without a role and a level. */
type NextTaskCall = NextTaskQueryInput & Required<Pick<NextTaskQueryInput, 'role' | 'level'>>

/** `GET /changes`: `since` may also be a Date or a Unix time in seconds or milliseconds. */
type ListChangesCall = Omit<ChangesQueryInput, 'since'> & { since?: string | number | Date }

export interface StreamEventsOptions {
  /** Replay events after this id first (e.g. `last_event_id` from `listChanges`). */
  afterId?: number
  /** Ends the stream. */
  signal?: AbortSignal
}

/**
 * Typed client for the Headless PM HTTP API: one method per endpoint of the contract's
 * `ENDPOINTS`, replies checked against its schemas. Isomorphic (fetch only). Non-2xx replies throw
 * `ApiError`; an unreachable server throws `ApiUnavailableError`. Idempotent calls are retried after
 * connection errors with a small capped backoff; other calls only when the connection was refused
 * (the request never left).
 *
 * @example
 * const client = new HeadlessPMClient({ baseUrl: 'http://127.0.0.1:6969', apiKey })
 * await client.registerAgent({ agent_id: 'dev_1', role: 'backend_dev', level: 'senior' })
 * const task = await client.claimTask({ agent_id: 'dev_1', timeout: 60 })
 */
export class HeadlessPMClient {
  readonly baseUrl: string
  readonly #transport: Transport

  constructor(options: HeadlessPMClientOptions) {
    this.#transport = new Transport(options)
    this.baseUrl = this.#transport.baseUrl
  }

  // ---- system (public) ----

  /** `GET /`: the API's greeting. */
  getRoot(options?: CallOptions): Promise<RootResponse> {
    return this.#transport.call(ENDPOINTS.getRoot, {}, options)
  }

  /** `GET /health`: database and service health. */
  getHealth(options?: CallOptions): Promise<HealthResponse> {
    return this.#transport.call(ENDPOINTS.getHealth, {}, options)
  }

  /** `GET /status`: counts of agents, tasks (by status), documents and services. */
  getStatus(options?: CallOptions): Promise<StatusResponse> {
    return this.#transport.call(ENDPOINTS.getStatus, {}, options)
  }

  /** `GET /api/v1/context`: project name and paths. */
  getContext(options?: CallOptions): Promise<ContextResponse> {
    return this.#transport.call(ENDPOINTS.getContext, {}, options)
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
    const query =
      options?.requesterAgentId === undefined
        ? undefined
        : { requester_agent_id: options.requesterAgentId }
    return this.#transport.call(ENDPOINTS.registerAgent, { query, body }, options)
  }

  /** `GET /agents`. */
  listAgents(options?: CallOptions): Promise<AgentResponse[]> {
    return this.#transport.call(ENDPOINTS.listAgents, {}, options)
  }

  /** `DELETE /agents/{id}/tokens`: every token of the agent stops working (a person, the agent itself or a pm). */
  revokeAgentTokens(
    agentId: string,
    requesterAgentId?: string,
    options?: CallOptions,
  ): Promise<RevokeTokensResponse> {
    const query = { requester_agent_id: requesterAgentId }
    return this.#transport.call(
      ENDPOINTS.revokeAgentTokens,
      { params: { agent_id: agentId }, query },
      options,
    )
  }

  /** `DELETE /agents/{id}`: pm only; the agent's tasks are released. */
  deleteAgent(
    agentId: string,
    requesterAgentId: string,
    options?: CallOptions,
  ): Promise<MessageResponse> {
    const query = { requester_agent_id: requesterAgentId }
    return this.#transport.call(
      ENDPOINTS.deleteAgent,
      { params: { agent_id: agentId }, query },
      options,
    )
  }

  /** `POST /agents/{id}/heartbeat`: marks the agent alive and renews the leases of its tasks. */
  heartbeat(
    agentId: string,
    options?: CallOptions & { activity?: AgentActivity | null },
  ): Promise<HeartbeatResponse> {
    // Without an activity the body stays empty, as v1 clients send it; null clears the activity.
    const body: HeartbeatRequest =
      options?.activity === undefined ? undefined : { activity: options.activity }
    return this.#transport.call(
      ENDPOINTS.heartbeat,
      { params: { agent_id: agentId }, body },
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
    return this.#transport.call(
      ENDPOINTS.createEpic,
      { query: { agent_id: agentId }, body },
      options,
    )
  }

  /** `GET /epics`, with task counts. */
  listEpics(options?: CallOptions): Promise<EpicResponse[]> {
    return this.#transport.call(ENDPOINTS.listEpics, {}, options)
  }

  /** `DELETE /epics/{id}`: pm only; deletes its features and tasks too. */
  deleteEpic(epicId: number, agentId: string, options?: CallOptions): Promise<MessageResponse> {
    const request = { params: { epic_id: epicId }, query: { agent_id: agentId } }
    return this.#transport.call(ENDPOINTS.deleteEpic, request, options)
  }

  /** `POST /features`: pm or architect only. */
  createFeature(
    body: CreateFeatureRequest,
    agentId: string,
    options?: CallOptions,
  ): Promise<FeatureResponse> {
    const request = { query: { agent_id: agentId }, body }
    return this.#transport.call(ENDPOINTS.createFeature, request, options)
  }

  /** `GET /features` (all) or `GET /features/{epic_id}` (one epic's). */
  listFeatures(epicId?: number, options?: CallOptions): Promise<FeatureResponse[]> {
    if (epicId === undefined) return this.#transport.call(ENDPOINTS.listFeatures, {}, options)
    return this.#transport.call(
      ENDPOINTS.listEpicFeatures,
      { params: { epic_id: epicId } },
      options,
    )
  }

  /** `DELETE /features/{id}`: pm only; deletes its tasks too. */
  deleteFeature(
    featureId: number,
    agentId: string,
    options?: CallOptions,
  ): Promise<MessageResponse> {
    const request = { params: { feature_id: featureId }, query: { agent_id: agentId } }
    return this.#transport.call(ENDPOINTS.deleteFeature, request, options)
  }

  // ---- tasks ----

  /** `POST /tasks/create`: `created` when a pm/architect creates it, else `pending` until approved. */
  createTask(
    body: CreateTaskRequest,
    agentId: string,
    options?: CallOptions,
  ): Promise<TaskResponse> {
    return this.#transport.call(
      ENDPOINTS.createTask,
      { query: { agent_id: agentId }, body },
      options,
    )
  }

  /** `GET /tasks` with optional filters: every task that matches (`listTasksPage` reads a page). */
  listTasks(
    query: Omit<ListTasksQueryInput, 'limit' | 'cursor'> = {},
    options?: CallOptions,
  ): Promise<TaskResponse[]> {
    return this.#transport.call(ENDPOINTS.listTasks, { query: { ...query } }, options)
  }

  /** `GET /tasks?limit=`: one page, newest first, and the cursor of the next (undefined after the last). */
  async listTasksPage(
    query: ListTasksQueryInput & { limit: number },
    options?: CallOptions,
  ): Promise<{ tasks: TaskResponse[]; nextCursor: string | undefined }> {
    let nextCursor: string | undefined
    const tasks = await this.#transport.call(
      ENDPOINTS.listTasks,
      {
        query: { ...query },
        onHeaders: (headers) => (nextCursor = headers.get('x-next-cursor') ?? undefined),
      },
      options,
    )
    return { tasks, nextCursor }
  }

  /**
   * Every task that matches, newest first, read `pageSize` at a time: no one answer holds a whole
   * big board (the server answers a page of 500 in milliseconds, 10,000 tasks at once in ~350 ms,
   * during which it answers nobody else).
   */
  async listTasksInPages(
    query: Omit<ListTasksQueryInput, 'limit' | 'cursor'> = {},
    options?: CallOptions & { pageSize?: number },
  ): Promise<TaskResponse[]> {
    const { pageSize = TASKS_PAGE_SIZE, ...callOptions } = options ?? {}
    const tasks: TaskResponse[] = []
    let cursor: string | undefined
    do {
      const page = await this.listTasksPage({ ...query, limit: pageSize, cursor }, callOptions)
      tasks.push(...page.tasks)
      cursor = page.nextCursor
    } while (cursor !== undefined)
    return tasks
  }

  /** `GET /tasks/{id}`: the task with its comments and status notes. */
  getTask(taskId: number, options?: CallOptions): Promise<TaskDetailResponse> {
    return this.#transport.call(ENDPOINTS.getTask, { params: { task_id: taskId } }, options)
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
    const request = { params: { task_id: taskId }, query: { agent_id: agentId }, body: patch }
    return this.#transport.call(ENDPOINTS.updateTask, request, options)
  }

  /** `DELETE /tasks/{id}`: pm only. */
  deleteTask(taskId: number, agentId: string, options?: CallOptions): Promise<MessageResponse> {
    const request = { params: { task_id: taskId }, query: { agent_id: agentId } }
    return this.#transport.call(ENDPOINTS.deleteTask, request, options)
  }

  /**
   * `GET /tasks/next`: long-polls (server default 180 s) for the next task this role and level may
   * take, without claiming it; null when the wait ends empty. Lock the task next.
   */
  nextTask(query: NextTaskCall, options?: CallOptions): Promise<TaskResponse | null> {
    const timeoutMs = this.#transport.longPollTimeoutMs(query.simulate ? 0 : query.timeout)
    return this.#transport.call(ENDPOINTS.nextTask, { query: { ...query }, timeoutMs }, options)
  }

  /**
   * `POST /tasks/claim`: long-poll and atomic claim in one call. Returns the claimed task (now
   * `under_work`), the task the agent already holds (idempotent), or null when the wait ends empty.
   */
  claimTask(body: ClaimTaskRequest, options?: CallOptions): Promise<ClaimTaskResponse> {
    const timeoutMs = this.#transport.longPollTimeoutMs(body.timeout)
    return this.#transport.call(ENDPOINTS.claimTask, { body, timeoutMs }, options)
  }

  /** `POST /tasks/{id}/lock`: claims one task (moves it to `under_work`); relocking by the holder is a no-op. */
  lockTask(taskId: number, agentId: string, options?: CallOptions): Promise<TaskResponse> {
    const request = { params: { task_id: taskId }, query: { agent_id: agentId } }
    return this.#transport.call(ENDPOINTS.lockTask, request, options)
  }

  /** `POST /tasks/{id}/unlock`: gives the task back (to the status it was claimed from). */
  unlockTask(
    taskId: number,
    agentId: string,
    notes?: string,
    options?: CallOptions,
  ): Promise<TaskResponse> {
    const body: UnlockRequest = notes === undefined ? {} : { notes }
    const request = { params: { task_id: taskId }, query: { agent_id: agentId }, body }
    return this.#transport.call(ENDPOINTS.unlockTask, request, options)
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
    const request = { params: { task_id: taskId }, query: { agent_id: agentId }, body }
    return this.#transport.call(ENDPOINTS.updateStatus, request, options)
  }

  /** `POST /tasks/{id}/comment`: `@agent` and `@role` mentions in it notify those agents. */
  addComment(
    taskId: number,
    comment: string,
    agentId: string,
    options?: CallOptions,
  ): Promise<MessageResponse> {
    const body: CommentRequest = { comment }
    const request = { params: { task_id: taskId }, query: { agent_id: agentId }, body }
    return this.#transport.call(ENDPOINTS.addComment, request, options)
  }

  /** `GET /tasks/{id}/runs`: the runner's attempts at a task. */
  listRuns(taskId: number, options?: CallOptions): Promise<RunResponse[]> {
    return this.#transport.call(ENDPOINTS.listRuns, { params: { task_id: taskId } }, options)
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
    return this.#transport.call(ENDPOINTS.recordRun, { params: { task_id: taskId }, body }, options)
  }

  /** `GET /tasks/{id}/runs/{run_id}/transcript`: what Claude did in that run, as the runner saw it. */
  getTranscript(taskId: number, runId: number, options?: CallOptions): Promise<TranscriptResponse> {
    const params = { task_id: taskId, run_id: runId }
    return this.#transport.call(ENDPOINTS.getTranscript, { params }, options)
  }

  // ---- activity ----

  /** `GET /changes`: activity since a time, for polling. */
  listChanges(query: ListChangesCall, options?: CallOptions): Promise<ChangesResponse> {
    const since =
      query.since === undefined
        ? undefined
        : query.since instanceof Date
          ? query.since.toISOString()
          : String(query.since)
    return this.#transport.call(ENDPOINTS.listChanges, { query: { ...query, since } }, options)
  }

  /** `GET /changelog`: recent task status changes (one task's with `taskId`), newest first. Server default limit 50. */
  listChangelog(
    limit?: ChangelogQueryInput['limit'],
    options?: CallOptions & { taskId?: ChangelogQueryInput['task_id'] },
  ): Promise<ChangelogResponse[]> {
    const query: ChangelogQueryInput = { limit, task_id: options?.taskId }
    return this.#transport.call(ENDPOINTS.listChangelog, { query }, options)
  }

  /** `GET /stats`: tasks committed per day, cost by day, epic, agent and model, median lead time. */
  getStats(options?: CallOptions): Promise<StatsResponse> {
    return this.#transport.call(ENDPOINTS.getStats, {}, options)
  }

  /** `GET /runs`: the latest runner attempts, newest first, of one agent when `agentId` is given. */
  listRecentRuns(
    query: {
      agentId?: RecentRunsQueryInput['agent_id']
      limit?: RecentRunsQueryInput['limit']
    } = {},
    options?: CallOptions,
  ): Promise<RunResponse[]> {
    const wire: RecentRunsQueryInput = { agent_id: query.agentId, limit: query.limit }
    return this.#transport.call(ENDPOINTS.listRecentRuns, { query: wire }, options)
  }

  /** `GET /runs/summary`: per task, the number of runner attempts, their total cost and the last verdict. */
  listRunSummaries(options?: CallOptions): Promise<RunSummary[]> {
    return this.#transport.call(ENDPOINTS.listRunSummaries, {}, options)
  }

  /**
   * `GET /events`: the live activity stream (server-sent events) as an async iterator. It ends when
   * the server closes the stream or `signal` aborts; reconnecting (with `afterId`) is the caller's job.
   */
  streamEvents(options: StreamEventsOptions = {}): AsyncGenerator<ChangeEvent> {
    const query = { after_id: options.afterId }
    return this.#transport.stream(ENDPOINTS.streamEvents, { query }, options.signal)
  }

  // ---- documents ----

  /** `POST /documents`: mentions in the content notify agents (`@dev_1`) or whole roles (`@qa`). */
  createDocument(
    body: CreateDocumentRequest,
    authorId: string,
    options?: CallOptions,
  ): Promise<DocumentResponse> {
    const request = { query: { author_id: authorId }, body }
    return this.#transport.call(ENDPOINTS.createDocument, request, options)
  }

  /** `GET /documents`, newest first. */
  listDocuments(
    query: ListDocumentsQueryInput = {},
    options?: CallOptions,
  ): Promise<DocumentResponse[]> {
    return this.#transport.call(ENDPOINTS.listDocuments, { query: { ...query } }, options)
  }

  /** `GET /documents/{id}`. */
  getDocument(documentId: number, options?: CallOptions): Promise<DocumentResponse> {
    const params = { document_id: documentId }
    return this.#transport.call(ENDPOINTS.getDocument, { params }, options)
  }

  /** `PUT /documents/{id}`: changes the given fields; `agentId` attributes the edit. */
  updateDocument(
    documentId: number,
    body: UpdateDocumentRequest,
    agentId?: string,
    options?: CallOptions,
  ): Promise<DocumentResponse> {
    const request = { params: { document_id: documentId }, query: { agent_id: agentId }, body }
    return this.#transport.call(ENDPOINTS.updateDocument, request, options)
  }

  /** `DELETE /documents/{id}`. */
  deleteDocument(
    documentId: number,
    agentId?: string,
    options?: CallOptions,
  ): Promise<MessageResponse> {
    const request = { params: { document_id: documentId }, query: { agent_id: agentId } }
    return this.#transport.call(ENDPOINTS.deleteDocument, request, options)
  }

  // ---- services ----

  /** `POST /services/register`: registers or updates a service the agent runs. */
  registerService(
    body: RegisterServiceRequest,
    agentId: string,
    options?: CallOptions,
  ): Promise<ServiceResponse> {
    const request = { query: { agent_id: agentId }, body }
    return this.#transport.call(ENDPOINTS.registerService, request, options)
  }

  /** `GET /services`. */
  listServices(options?: CallOptions): Promise<ServiceResponse[]> {
    return this.#transport.call(ENDPOINTS.listServices, {}, options)
  }

  /** `POST /services/{name}/heartbeat`: owner only. */
  heartbeatService(
    serviceName: string,
    agentId: string,
    options?: CallOptions,
  ): Promise<ServiceResponse> {
    const request = { params: { service_name: serviceName }, query: { agent_id: agentId } }
    return this.#transport.call(ENDPOINTS.heartbeatService, request, options)
  }

  /** `DELETE /services/{name}`: owner only. */
  unregisterService(
    serviceName: string,
    agentId: string,
    options?: CallOptions,
  ): Promise<MessageResponse> {
    const request = { params: { service_name: serviceName }, query: { agent_id: agentId } }
    return this.#transport.call(ENDPOINTS.unregisterService, request, options)
  }

  // ---- mentions ----

  /** `GET /mentions`: newest first; server defaults: all (read and unread), limit 50. */
  listMentions(query: ListMentionsQueryInput, options?: CallOptions): Promise<MentionResponse[]> {
    return this.#transport.call(ENDPOINTS.listMentions, { query: { ...query } }, options)
  }

  /** `GET /mentions/by-role`: mentions of every agent of a role. */
  listMentionsByRole(
    query: MentionsByRoleQueryInput = {},
    options?: CallOptions,
  ): Promise<MentionResponse[]> {
    return this.#transport.call(ENDPOINTS.listMentionsByRole, { query: { ...query } }, options)
  }

  /** `PUT /mentions/{id}/read`: only the mentioned agent may mark it. */
  markMentionRead(
    mentionId: number,
    agentId: string,
    options?: CallOptions,
  ): Promise<MentionResponse> {
    const request = { params: { mention_id: mentionId }, query: { agent_id: agentId } }
    return this.#transport.call(ENDPOINTS.markMentionRead, request, options)
  }
}
