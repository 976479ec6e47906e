/** The store: one Kysely code path for SQLite and PostgreSQL, migrations, repositories. */
export { connectDatabase, loadPg } from './connect.js'
export type { Connection, ConnectOptions } from './connect.js'
export type { AgentRow, Database, Db, ServiceRow } from './database.js'
export { databaseHealth, dialectOf, isUniqueViolation, nowIso } from './dialect.js'
export type { DialectName } from './dialect.js'
export { foreignSchemaMessage, migrateToLatest, schemaStatus, tableNames } from './migrate.js'
export type { SchemaStatus } from './migrate.js'
export {
  countAgents,
  deleteAgent,
  findAgent,
  getAgentOrThrow,
  listAgentIdsByRole,
  listAgents,
  markAgentSeen,
  requireRole,
  rowToAgent,
  setActivity,
  touchAgent,
  upsertAgent,
} from './agents-repository.js'
export {
  AGENT_TOKEN_PREFIX,
  findTokenAgent,
  hashAgentToken,
  issueAgentToken,
  revokeAgentTokens,
} from './agent-tokens-repository.js'
export { listChangelog } from './changelog-repository.js'
export { chargeRunToBudget } from './failure-budget.js'
export {
  countDocuments,
  createDocument,
  deleteDocument,
  getDocumentOrThrow,
  listDocuments,
  updateDocument,
} from './documents-repository.js'
export {
  createEpic,
  createFeature,
  deleteEpic,
  deleteFeature,
  findFeature,
  listEpics,
  listFeatures,
} from './epics-repository.js'
export { tryAcquireJobLock } from './job-locks-repository.js'
export {
  EVENTS_CHANNEL,
  lastEventId,
  listEventsAfterId,
  listEventsSince,
  recordEvent,
} from './events-repository.js'
export {
  createMentions,
  listMentions,
  markMentionRead,
  resolveMentionTargets,
} from './mentions-repository.js'
export {
  createRun,
  findRunByKey,
  getTranscript,
  listRecentRuns,
  listRuns,
  summariseRuns,
} from './runs-repository.js'
export {
  countServices,
  heartbeatService,
  listServiceRows,
  listServices,
  recordPing,
  registerService,
  unregisterService,
} from './services-repository.js'
export {
  claimNextTask,
  findHeldTask,
  listExpiredLeases,
  listHeldTasks,
  lockTask,
  releaseTask,
} from './task-claims.js'
export type { ClaimContext, ReleaseOptions } from './task-claims.js'
export { addTaskComment } from './task-comments.js'
export type { TaskCommentInput } from './task-comments.js'
export { findNextTask, matchCriteria } from './task-matching.js'
export type { MatchCriteria, PickupTerms, ReleaseCooldown } from './task-matching.js'
export { updateTaskStatus } from './task-status.js'
export type { WorkFields } from './task-status.js'
export {
  appendTaskNote,
  countTasksByStatus,
  deleteTask,
  findTask,
  getTaskOrThrow,
  insertTask,
  listComments,
  listTasks,
  rowToTask,
  updateTaskFields,
} from './tasks-repository.js'
export type { TaskWithEpic } from './tasks-repository.js'
export { listAttention } from './attention.js'
export { computeStats } from './stats-repository.js'
