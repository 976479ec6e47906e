import { z } from 'zod'

import {
  AgentResponse,
  HeartbeatResponse,
  RegisterAgentResponse,
  RevokeTokensResponse,
} from './agents.js'
import { ChangeEvent, ChangelogResponse, ChangesResponse } from './changes.js'
import { MessageResponse } from './common.js'
import { DocumentResponse } from './documents.js'
import { EpicResponse, FeatureResponse } from './epics.js'
import { MentionResponse } from './mentions.js'
import { CreateRunResponse, RunResponse, RunSummary } from './runs.js'
import { ServiceResponse } from './services.js'
import { StatsResponse } from './stats.js'
import { ContextResponse, HealthResponse, RootResponse, StatusResponse } from './system.js'
import {
  ClaimTaskResponse,
  TaskDetailResponse,
  TaskResponse,
  TaskStatusUpdateResponse,
} from './tasks.js'
import { TranscriptResponse } from './transcript.js'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** One route of the API as a client calls it. */
export interface Endpoint<P extends string = string, R extends z.ZodType = z.ZodType> {
  method: HttpMethod
  /** The full path; `:name` marks a path parameter, as in the server's routes. */
  path: P
  /** The 2xx reply (for `/events`: one event of the stream). */
  response: R
  /** Sending it twice leaves what sending it once does, so a lost connection may be retried. */
  isIdempotent: boolean
}

/** The names of the `:name` parameters of a path. */
export type PathParamName<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamName<Rest>
  : P extends `${string}:${infer Name}`
    ? Name
    : never

/** GET, PUT, PATCH and DELETE are idempotent (RFC 9110); a POST only where the server makes it so. */
function endpoint<const P extends string, R extends z.ZodType>(
  method: HttpMethod,
  path: P,
  response: R,
  isIdempotent = method !== 'POST',
): Endpoint<P, R> {
  return { method, path, response, isIdempotent }
}

/** An upsert or a claim keyed by the caller: the same answer however often it is sent. */
const IDEMPOTENT_POST = true

const V1 = '/api/v1'

/**
 * Every route the client calls: method, path and reply schema, named after the client's method.
 * The server registers its routes itself; test/integration/server/endpoints.test.ts checks each
 * entry against them.
 */
export const ENDPOINTS = {
  getRoot: endpoint('GET', '/', RootResponse),
  getHealth: endpoint('GET', '/health', HealthResponse),
  getStatus: endpoint('GET', '/status', StatusResponse),
  getContext: endpoint('GET', `${V1}/context`, ContextResponse),

  registerAgent: endpoint('POST', `${V1}/register`, RegisterAgentResponse, IDEMPOTENT_POST),
  listAgents: endpoint('GET', `${V1}/agents`, z.array(AgentResponse)),
  deleteAgent: endpoint('DELETE', `${V1}/agents/:agent_id`, MessageResponse),
  revokeAgentTokens: endpoint('DELETE', `${V1}/agents/:agent_id/tokens`, RevokeTokensResponse),
  heartbeat: endpoint(
    'POST',
    `${V1}/agents/:agent_id/heartbeat`,
    HeartbeatResponse,
    IDEMPOTENT_POST,
  ),

  createEpic: endpoint('POST', `${V1}/epics`, EpicResponse),
  listEpics: endpoint('GET', `${V1}/epics`, z.array(EpicResponse)),
  deleteEpic: endpoint('DELETE', `${V1}/epics/:epic_id`, MessageResponse),
  createFeature: endpoint('POST', `${V1}/features`, FeatureResponse),
  listFeatures: endpoint('GET', `${V1}/features`, z.array(FeatureResponse)),
  listEpicFeatures: endpoint('GET', `${V1}/features/:epic_id`, z.array(FeatureResponse)),
  deleteFeature: endpoint('DELETE', `${V1}/features/:feature_id`, MessageResponse),

  createTask: endpoint('POST', `${V1}/tasks/create`, TaskResponse),
  listTasks: endpoint('GET', `${V1}/tasks`, z.array(TaskResponse)),
  getTask: endpoint('GET', `${V1}/tasks/:task_id`, TaskDetailResponse),
  updateTask: endpoint('PATCH', `${V1}/tasks/:task_id`, TaskResponse),
  deleteTask: endpoint('DELETE', `${V1}/tasks/:task_id`, MessageResponse),
  nextTask: endpoint('GET', `${V1}/tasks/next`, TaskResponse.nullable()),
  claimTask: endpoint('POST', `${V1}/tasks/claim`, ClaimTaskResponse, IDEMPOTENT_POST),
  lockTask: endpoint('POST', `${V1}/tasks/:task_id/lock`, TaskResponse, IDEMPOTENT_POST),
  unlockTask: endpoint('POST', `${V1}/tasks/:task_id/unlock`, TaskResponse),
  updateStatus: endpoint('PUT', `${V1}/tasks/:task_id/status`, TaskStatusUpdateResponse),
  addComment: endpoint('POST', `${V1}/tasks/:task_id/comment`, MessageResponse),
  listRuns: endpoint('GET', `${V1}/tasks/:task_id/runs`, z.array(RunResponse)),
  recordRun: endpoint('POST', `${V1}/tasks/:task_id/runs`, CreateRunResponse),
  getTranscript: endpoint(
    'GET',
    `${V1}/tasks/:task_id/runs/:run_id/transcript`,
    TranscriptResponse,
  ),

  listChanges: endpoint('GET', `${V1}/changes`, ChangesResponse),
  listChangelog: endpoint('GET', `${V1}/changelog`, z.array(ChangelogResponse)),
  streamEvents: endpoint('GET', `${V1}/events`, ChangeEvent),
  getStats: endpoint('GET', `${V1}/stats`, StatsResponse),
  listRecentRuns: endpoint('GET', `${V1}/runs`, z.array(RunResponse)),
  listRunSummaries: endpoint('GET', `${V1}/runs/summary`, z.array(RunSummary)),

  createDocument: endpoint('POST', `${V1}/documents`, DocumentResponse),
  listDocuments: endpoint('GET', `${V1}/documents`, z.array(DocumentResponse)),
  getDocument: endpoint('GET', `${V1}/documents/:document_id`, DocumentResponse),
  updateDocument: endpoint('PUT', `${V1}/documents/:document_id`, DocumentResponse),
  deleteDocument: endpoint('DELETE', `${V1}/documents/:document_id`, MessageResponse),

  registerService: endpoint('POST', `${V1}/services/register`, ServiceResponse, IDEMPOTENT_POST),
  listServices: endpoint('GET', `${V1}/services`, z.array(ServiceResponse)),
  heartbeatService: endpoint(
    'POST',
    `${V1}/services/:service_name/heartbeat`,
    ServiceResponse,
    IDEMPOTENT_POST,
  ),
  unregisterService: endpoint('DELETE', `${V1}/services/:service_name`, MessageResponse),

  listMentions: endpoint('GET', `${V1}/mentions`, z.array(MentionResponse)),
  listMentionsByRole: endpoint('GET', `${V1}/mentions/by-role`, z.array(MentionResponse)),
  markMentionRead: endpoint('PUT', `${V1}/mentions/:mention_id/read`, MentionResponse),
} as const
