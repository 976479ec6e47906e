/**
 * The API contract: zod schemas for every request and response, shared by server, client,
 * CLI, runner and MCP. Browser-safe (no node: imports).
 */
export {
  AgentResponse,
  DeleteAgentQuery,
  HeartbeatResponse,
  RegisterAgentQuery,
  RegisterAgentRequest,
  RegisterAgentResponse,
  RevokeTokensQuery,
  RevokeTokensResponse,
} from './agents.js'
export {
  AgentId,
  AgentIdQuery,
  EventId,
  Id,
  limitParam,
  MessageResponse,
  MetaData,
  QueryBool,
  StoredMetaData,
  Timestamp,
} from './common.js'
export type { ClientInput } from './common.js'
export { jsonDepth, jsonLimitProblem, MAX_JSON_BYTES, MAX_JSON_DEPTH } from './json-limits.js'
export {
  asChangeFeedEntry,
  CHANGE_TYPES,
  ChangeEvent,
  ChangeFeedEntry,
  ChangelogQuery,
  ChangelogResponse,
  ChangesQuery,
  ChangesResponse,
  ChangeType,
  EventsQuery,
  parseSince,
} from './changes.js'
export type { ChangelogQueryInput, ChangesQueryInput } from './changes.js'
export {
  AuthorQuery,
  CreateDocumentRequest,
  DocumentResponse,
  ListDocumentsQuery,
  MAX_DOCUMENT_CHARS,
  UpdateDocumentRequest,
} from './documents.js'
export type { ListDocumentsQueryInput } from './documents.js'
export {
  AGENT_ROLES,
  AgentRole,
  CONNECTION_TYPES,
  ConnectionType,
  DOCUMENT_TYPES,
  DocumentType,
  SERVICE_STATUSES,
  ServiceStatus,
  SKILL_LEVELS,
  SkillLevel,
  TASK_COMPLEXITIES,
  TASK_STATUSES,
  TaskComplexity,
  TaskStatus,
} from './enums.js'
export { CreateEpicRequest, CreateFeatureRequest, EpicResponse, FeatureResponse } from './epics.js'
export { ENDPOINTS } from './endpoints.js'
export type { Endpoint, HttpMethod, PathParamName } from './endpoints.js'
export { ERROR_CODES, ERROR_STATUS, ErrorResponse } from './errors.js'
export type { ErrorCode } from './errors.js'
export {
  ListMentionsQuery,
  MentionIdParams,
  MentionResponse,
  MentionsByRoleQuery,
} from './mentions.js'
export type { ListMentionsQueryInput, MentionsByRoleQueryInput } from './mentions.js'
export {
  CreateRunRequest,
  CreateRunResponse,
  defaultVerdict,
  FailureBudget,
  RecentRunsQuery,
  RUN_OUTCOMES,
  RUN_VERDICTS,
  RunOutcome,
  RunResponse,
  RunSummary,
  RunVerdict,
} from './runs.js'
export type { RecentRunsQueryInput } from './runs.js'
export {
  RegisterServiceRequest,
  ServiceName,
  ServiceNameParams,
  ServiceResponse,
} from './services.js'
export {
  AttentionItem,
  ContextResponse,
  HealthResponse,
  RootResponse,
  StatusResponse,
} from './system.js'
export {
  BudgetUsd,
  ClaimTaskRequest,
  ClaimTaskResponse,
  CommentRequest,
  CreateTaskRequest,
  ListTasksQuery,
  MAX_TASKS_PAGE,
  MAX_TASK_BUDGET_USD,
  MAX_WAIT_SECONDS,
  NextTaskQuery,
  StatusUpdateRequest,
  TaskComment,
  TaskDetailResponse,
  TaskIdParams,
  TaskResponse,
  TaskStatusUpdateResponse,
  UnlockRequest,
  UpdateTaskRequest,
  WorkBranch,
  WorkCommit,
} from './tasks.js'
export type { ListTasksQueryInput, NextTaskQueryInput } from './tasks.js'
export { StatsResponse } from './stats.js'
export {
  AgentActivity,
  HeartbeatRequest,
  MAX_TRANSCRIPT_ENTRIES,
  MAX_TRANSCRIPT_TEXT,
  StoredActivity,
  Transcript,
  TranscriptEntry,
  TranscriptResponse,
} from './transcript.js'
