import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely'

import type {
  AgentRole,
  ConnectionType,
  DocumentType,
  ServiceStatus,
  SkillLevel,
  TaskComplexity,
  TaskStatus,
} from '../contract/index.js'

// Timestamps are ISO-8601 UTC strings with millisecond precision and `Z` in both dialects, so
// they compare correctly as text and need no per-dialect conversion. Booleans are 0/1 integers.
type Iso = string
type Bool01 = number

export interface AgentTable {
  id: Generated<number>
  agent_id: string
  role: AgentRole
  level: SkillLevel
  connection_type: ConnectionType | null
  last_seen: Iso
  created_at: Iso
  /** JSON of StoredActivity; NULL when the runner reports nothing. */
  activity: string | null
}

/** A per-agent token, by its SHA-256 (hex); the token itself is shown once, when it is issued. */
export interface AgentTokenTable {
  id: Generated<number>
  agent_id: string
  token_hash: string
  created_at: Iso
  /** Who asked for it: the agent itself, a pm, or null for the project key. */
  created_by: string | null
}

export interface EpicTable {
  id: Generated<number>
  name: string
  description: string
  created_at: Iso
}

export interface FeatureTable {
  id: Generated<number>
  epic_id: number
  name: string
  description: string
  created_at: Iso
}

export interface TaskTable {
  id: Generated<number>
  feature_id: number
  title: string
  description: string
  created_by: string
  target_role: AgentRole
  difficulty: SkillLevel
  complexity: TaskComplexity
  branch: string
  status: TaskStatus
  locked_by: string | null
  locked_at: Iso | null
  lease_expires_at: Iso | null
  claimed_from: TaskStatus | null
  priority: number
  attempts: number
  /** Runs judged `failed` since creation or the last approval. */
  failures: Generated<number>
  work_branch: string | null
  work_commit: string | null
  /** Who last gave the task back, and when: that agent's claims rank it last for a while. */
  last_released_by: string | null
  last_released_at: Iso | null
  /** Whose claim was last taken back (lease lapsed, unlocked), when and why: told to it when it reports. */
  taken_back_from: string | null
  taken_back_at: Iso | null
  taken_back_reason: string | null
  /** The task's own money budget in US dollars; NULL means the runner's default. */
  budget_usd: number | null
  notes: string | null
  created_at: Iso
  updated_at: Iso
}

export interface TaskCommentTable {
  id: Generated<number>
  task_id: number
  author_id: string
  kind: 'comment' | 'status_note'
  body: string
  created_at: Iso
}

export interface ChangelogTable {
  id: Generated<number>
  task_id: number
  old_status: TaskStatus | null
  new_status: TaskStatus | null
  changed_by: string
  notes: string | null
  changed_at: Iso
}

export interface DocumentTable {
  id: Generated<number>
  doc_type: DocumentType
  author_id: string
  title: string
  content: string
  meta_data: string | null
  created_at: Iso
  updated_at: Iso
  expires_at: Iso | null
}

export interface MentionTable {
  id: Generated<number>
  document_id: number | null
  task_id: number | null
  mentioned_agent_id: string
  created_by: string
  is_read: Bool01
  created_at: Iso
}

export interface ServiceTable {
  id: Generated<number>
  service_name: string
  owner_agent_id: string
  ping_url: string
  port: number | null
  status: ServiceStatus
  last_heartbeat: Iso | null
  last_ping_at: Iso | null
  last_ping_success: Bool01 | null
  meta_data: string | null
  updated_at: Iso
}

export interface TaskRunTable {
  id: Generated<number>
  task_id: number
  agent_id: string
  attempt: number
  outcome: string
  /** NULL on rows recorded before verdicts existed: derived from the outcome when read. */
  verdict: string | null
  verdict_reason: string | null
  run_key: string | null
  model: string | null
  session_id: string | null
  exit_code: number | null
  is_error: Bool01
  error: string | null
  cost_usd: ColumnType<number | null, number | null, number | null>
  input_tokens: number | null
  output_tokens: number | null
  cache_read_tokens: number | null
  cache_creation_tokens: number | null
  num_turns: number | null
  started_at: Iso
  finished_at: Iso
  duration_ms: number
  log_path: string | null
  created_at: Iso
  /** JSON array of TranscriptEntry; NULL when the runner sent none. */
  transcript: string | null
  transcript_entries: Generated<number>
}

/** The activity feed: one row per change, written in the same transaction as the change. */
export interface EventTable {
  id: Generated<number>
  type: string
  at: Iso
  data: string
}

/** PostgreSQL: a transaction's events until its commit moves them to `events` (migration 0008). */
export interface PendingEventTable {
  seq: Generated<number>
  tx: Generated<string | null>
  type: string
  at: Iso
  data: string
}

/** Leader leases for background jobs, so several server instances run each job once. */
export interface JobLockTable {
  name: string
  holder: string
  expires_at: Iso
}

export interface Database {
  agents: AgentTable
  epics: EpicTable
  features: FeatureTable
  tasks: TaskTable
  task_comments: TaskCommentTable
  changelog: ChangelogTable
  documents: DocumentTable
  mentions: MentionTable
  services: ServiceTable
  task_runs: TaskRunTable
  events: EventTable
  pending_events: PendingEventTable
  job_locks: JobLockTable
  agent_tokens: AgentTokenTable
}

/** What repositories take: the database or a transaction, so routes can group calls. */
export type Db = Kysely<Database> | Transaction<Database>

export type AgentRow = Selectable<AgentTable>
export type EpicRow = Selectable<EpicTable>
export type FeatureRow = Selectable<FeatureTable>
export type TaskRow = Selectable<TaskTable>
export type TaskCommentRow = Selectable<TaskCommentTable>
export type ChangelogRow = Selectable<ChangelogTable>
export type DocumentRow = Selectable<DocumentTable>
export type MentionRow = Selectable<MentionTable>
export type ServiceRow = Selectable<ServiceTable>
export type TaskRunRow = Selectable<TaskRunTable>
export type EventRow = Selectable<EventTable>
export type NewTaskRun = Insertable<TaskRunTable>
