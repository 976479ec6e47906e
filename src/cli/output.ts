import { createRequire } from 'node:module'

import type CliTable from 'cli-table3'
import pc from 'picocolors'

import type {
  AgentResponse,
  ChangelogResponse,
  ChangesResponse,
  DocumentResponse,
  EpicResponse,
  FeatureResponse,
  HeartbeatResponse,
  MentionResponse,
  RegisterAgentResponse,
  RevokeTokensResponse,
  RunResponse,
  ServiceResponse,
  StatusResponse,
  TaskDetailResponse,
  TaskResponse,
  TaskStatusUpdateResponse,
} from '../contract/index.js'

/** How a command's result is printed: JSON for programs, text for people. */
export type OutputMode = 'json' | 'text'

/** Turns a command's data into text for a terminal. */
export type View<T> = (data: T) => string

/** JSON when asked (`--json`) or when stdout is not a terminal (agents and pipes parse it). */
export function outputMode(
  isJsonFlag: boolean | undefined,
  isTty = process.stdout.isTTY === true,
): OutputMode {
  return isJsonFlag || !isTty ? 'json' : 'text'
}

/** Prints a command's result on stdout. */
export function printResult<T>(data: T, mode: OutputMode, view?: View<T>): void {
  if (mode === 'json' || !view) {
    process.stdout.write(`${JSON.stringify(data ?? null, null, 2)}\n`)
    return
  }
  const text = view(data)
  if (text !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** An error line on stderr (`error: ...`), plus optional indented detail lines. */
export function printError(message: string, details: readonly string[] = []): void {
  process.stderr.write(`${pc.red('error:')} ${message}\n`)
  for (const line of details) process.stderr.write(`  ${line}\n`)
}

/** Advice on stderr (`hint: ...`), shown in JSON mode too: it is for whoever reads stderr. */
export function printHint(message: string): void {
  process.stderr.write(`${pc.yellow('hint:')} ${message}\n`)
}

/** A progress note on stderr, for people only: stdout stays clean for JSON. */
export function printNotice(message: string, mode: OutputMode): void {
  if (mode === 'text') process.stderr.write(`${pc.dim(message)}\n`)
}

// ---- building blocks ----

const STATUS_COLOURS: Record<string, (s: string) => string> = {
  pending: pc.gray,
  created: pc.cyan,
  under_work: pc.yellow,
  dev_done: pc.blue,
  qa_done: pc.green,
  documentation_done: pc.green,
  committed: pc.magenta,
}

function status(value: string): string {
  return (STATUS_COLOURS[value] ?? ((s: string) => s))(value)
}

// Loaded on first use: JSON output (what agents get) never draws a table, and the library and its
// dependencies cost a noticeable part of each `hpm` start.
let tableClass: typeof CliTable | undefined
function newTable(options: CliTable.TableConstructorOptions): CliTable.Table {
  tableClass ??= createRequire(import.meta.url)('cli-table3') as typeof CliTable
  return new tableClass(options)
}

function table(
  head: string[],
  rows: Array<Array<string | number | boolean | null | undefined>>,
  empty: string,
): string {
  if (rows.length === 0) return pc.dim(empty)
  const t = newTable({
    head: head.map((h) => pc.bold(h)),
    style: { head: [], border: [] },
    wordWrap: true,
  })
  for (const row of rows)
    t.push(row.map((cell) => (cell === null || cell === undefined ? pc.dim('-') : String(cell))))
  return t.toString()
}

function fields(pairs: Array<[string, string | number | boolean | null | undefined]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length))
  return pairs
    .map(
      ([key, value]) =>
        `${pc.dim(key.padEnd(width))}  ${value === null || value === undefined || value === '' ? pc.dim('-') : String(value)}`,
    )
    .join('\n')
}

function short(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

function when(timestamp: string | null): string | null {
  return timestamp === null ? null : timestamp.replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

// ---- views, one per kind of result ----

export const views = {
  message: (data: { message: string }) => pc.green(data.message),

  record: (data: object) =>
    fields(
      Object.entries(data).map(([k, v]) => [
        k,
        typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as string),
      ]),
    ),

  agents: (agents: AgentResponse[]) =>
    table(
      ['agent_id', 'role', 'level', 'connection', 'last_seen'],
      agents.map((a) => [a.agent_id, a.role, a.level, a.connection_type, when(a.last_seen)]),
      'no agents registered',
    ),

  register: (data: RegisterAgentResponse) => {
    const { agent, next_task: next, mentions } = data
    const lines = [
      `${pc.green('registered')} ${pc.bold(agent.agent_id)} (${agent.role}, ${agent.level})`,
    ]
    if (next) {
      const held = next.locked_by === agent.agent_id
      lines.push(`${held ? 'you hold task' : 'next task:'} ${taskLine(next)}`)
      if (!held)
        lines.push(pc.dim(`lock it with: hpm tasks lock ${next.id} --agent-id ${agent.agent_id}`))
    } else {
      lines.push(
        pc.dim(
          `no task right now; wait for one with: hpm tasks next --role ${agent.role} --level ${agent.level} --agent-id ${agent.agent_id}`,
        ),
      )
    }
    if (mentions.length > 0)
      lines.push(
        '',
        `${pc.bold(String(mentions.length))} unread mention(s):`,
        views.mentions(mentions),
      )
    if (data.token !== undefined) {
      lines.push(
        '',
        `agent token (shown once; as HEADLESS_PM_API_KEY it acts as ${agent.agent_id} only): ${data.token}`,
      )
    }
    return lines.join('\n')
  },

  revoked: (data: RevokeTokensResponse) =>
    pc.green(`revoked ${data.revoked} token(s) of agent ${data.agent_id}`),

  heartbeat: (data: HeartbeatResponse) =>
    [
      `${pc.green('alive')} ${data.agent.agent_id} (last seen ${when(data.agent.last_seen)})`,
      ...data.tasks.map(
        (t) =>
          `holds task ${t.id} (${status(t.status)}), lease until ${when(t.lease_expires_at) ?? '-'}`,
      ),
    ].join('\n'),

  epics: (epics: EpicResponse[]) =>
    table(
      ['id', 'name', 'tasks', 'done', 'in progress', 'created'],
      epics.map((e) => [
        e.id,
        short(e.name, 40),
        e.task_count,
        e.completed_task_count,
        e.in_progress_task_count,
        when(e.created_at),
      ]),
      'no epics',
    ),

  epic: (e: EpicResponse) => `${pc.green('epic')} ${e.id}: ${e.name}`,

  features: (features: FeatureResponse[]) =>
    table(
      ['id', 'epic', 'name', 'description'],
      features.map((f) => [f.id, f.epic_id, short(f.name, 40), short(f.description)]),
      'no features',
    ),

  feature: (f: FeatureResponse) => `${pc.green('feature')} ${f.id}: ${f.name} (epic ${f.epic_id})`,

  tasks: (tasks: TaskResponse[]) =>
    table(
      ['id', 'title', 'status', 'role', 'level', 'cx', 'prio', 'locked by'],
      tasks.map((t) => [
        t.id,
        short(t.title, 40),
        status(t.status),
        t.target_role,
        t.difficulty,
        t.complexity,
        t.priority,
        t.locked_by,
      ]),
      'no tasks',
    ),

  task: (t: TaskResponse | TaskDetailResponse) => {
    const lines = [
      `${pc.bold(`task ${t.id}`)}  ${t.title}`,
      fields([
        ['status', status(t.status)],
        ['target role', t.target_role],
        ['difficulty', t.difficulty],
        ['complexity', t.complexity],
        ['priority', t.priority],
        ...(t.budget_usd === null ? [] : [['budget usd', t.budget_usd] as [string, number]]),
        ['branch', t.branch],
        ['epic / feature', `${t.epic_id} / ${t.feature_id}`],
        ['created by', `${t.created_by} at ${when(t.created_at)}`],
        ['locked by', t.locked_by === null ? null : `${t.locked_by} since ${when(t.locked_at)}`],
        ['lease until', when(t.lease_expires_at)],
        ['attempts', t.attempts],
        ['failures', t.failures],
        ['work branch', t.work_branch],
        ['work commit', t.work_commit],
      ]),
    ]
    if (t.description.trim() !== '') lines.push('', t.description.trim())
    if ('comments' in t && t.comments.length > 0) {
      lines.push('', pc.bold('comments'))
      for (const c of t.comments)
        lines.push(
          `${pc.dim(`${when(c.created_at)} ${c.author_id}${c.kind === 'status_note' ? ' (status note)' : ''}:`)} ${c.body}`,
        )
    }
    return lines.join('\n')
  },

  taskOrNone: (t: TaskResponse | null) =>
    t === null ? pc.dim('no task available right now') : views.task(t),

  statusUpdate: (data: TaskStatusUpdateResponse) => {
    const lines = [`${pc.green('task')} ${data.task.id} is now ${status(data.task.status)}`]
    if (data.next_task)
      lines.push(
        `next task: ${taskLine(data.next_task)}`,
        pc.dim(`lock it with: hpm tasks lock ${data.next_task.id} --agent-id <your id>`),
      )
    else
      lines.push(
        pc.dim('no task waiting; `hpm tasks next --role <role> --level <level>` waits for one'),
      )
    return lines.join('\n')
  },

  documents: (docs: DocumentResponse[]) =>
    table(
      ['id', 'type', 'title', 'author', 'mentions', 'created'],
      docs.map((d) => [
        d.id,
        d.doc_type,
        short(d.title, 40),
        d.author_id,
        d.mentions.join(' '),
        when(d.created_at),
      ]),
      'no documents',
    ),

  document: (d: DocumentResponse) =>
    [
      `${pc.bold(`document ${d.id}`)}  ${d.title}`,
      fields([
        ['type', d.doc_type],
        ['author', d.author_id],
        ['created', when(d.created_at)],
        ['updated', when(d.updated_at)],
        ['expires', when(d.expires_at)],
        ['mentions', d.mentions.join(', ')],
        ['meta_data', d.meta_data === null ? null : JSON.stringify(d.meta_data)],
      ]),
      '',
      d.content,
    ].join('\n'),

  services: (services: ServiceResponse[]) =>
    table(
      ['name', 'owner', 'status', 'ping url', 'port', 'last heartbeat', 'ping ok'],
      services.map((s) => [
        s.service_name,
        s.owner_agent_id,
        s.status,
        s.ping_url,
        s.port,
        when(s.last_heartbeat),
        s.last_ping_success,
      ]),
      'no services registered',
    ),

  service: (s: ServiceResponse) =>
    `${pc.green('service')} ${s.service_name} (${s.status}) owned by ${s.owner_agent_id}, heartbeat ${when(s.last_heartbeat)}`,

  mentions: (mentions: MentionResponse[]) =>
    table(
      ['id', 'for', 'from', 'about', 'read', 'created'],
      mentions.map((m) => [
        m.id,
        m.mentioned_agent_id,
        m.created_by,
        m.task_id !== null
          ? `task ${m.task_id}: ${short(m.task_title ?? '', 30)}`
          : `doc ${m.document_id}: ${short(m.document_title ?? '', 30)}`,
        m.is_read ? 'yes' : pc.yellow('no'),
        when(m.created_at),
      ]),
      'no mentions',
    ),

  mention: (m: MentionResponse) => `${pc.green('mention')} ${m.id} marked read`,

  changelog: (rows: ChangelogResponse[]) =>
    table(
      ['when', 'task', 'from', 'to', 'by', 'notes'],
      rows.map((r) => [
        when(r.changed_at),
        r.task_id,
        r.old_status,
        r.new_status === null ? null : status(r.new_status),
        r.changed_by,
        short(r.notes ?? '', 50),
      ]),
      'no status changes yet',
    ),

  serverStatus: (data: StatusResponse) => {
    const m = data.metrics
    const byStatus = Object.entries(m.tasks_by_status).map(([name, n]) => `${status(name)} ${n}`)
    const lines = [
      `${pc.bold(data.service)} ${data.version}`,
      `agents: ${m.total_agents} (${m.active_agents} active)   documents: ${m.total_documents}   services: ${m.total_services}`,
      `tasks: ${m.total_tasks}${byStatus.length > 0 ? ` (${byStatus.join(', ')})` : ''}`,
    ]
    if (data.attention.length === 0)
      return [...lines, pc.green('nothing needs attention')].join('\n')
    lines.push(pc.yellow(`needs attention (${data.attention.length}):`))
    for (const item of data.attention)
      lines.push(`  task ${item.task_id} ${short(item.title, 40)}: ${item.detail}`)
    return lines.join('\n')
  },

  changes: (data: ChangesResponse) =>
    [
      table(
        ['id', 'when', 'type', 'data'],
        data.changes.map((c) => [
          c.id,
          when(c.timestamp),
          c.kind,
          short(JSON.stringify(c.data), 70),
        ]),
        'no changes since then',
      ),
      pc.dim(`next: --since ${data.last_timestamp}`),
    ].join('\n'),

  runs: (runs: RunResponse[]) =>
    table(
      [
        'id',
        'attempt',
        'agent',
        'claude (exit)',
        'verdict',
        'model',
        'cost $',
        'tokens in/out',
        'duration',
        'started',
      ],
      runs.map((r) => [
        r.id,
        r.attempt,
        r.agent_id,
        `${r.outcome === 'succeeded' ? pc.green(r.outcome) : pc.red(r.outcome)}${r.exit_code === null ? '' : ` (${r.exit_code})`}`,
        verdict(r),
        r.model,
        r.cost_usd === null ? null : r.cost_usd.toFixed(4),
        r.input_tokens === null && r.output_tokens === null
          ? null
          : `${r.input_tokens ?? 0}/${r.output_tokens ?? 0}`,
        `${Math.round(r.duration_ms / 100) / 10} s`,
        when(r.started_at),
      ]),
      'no runs recorded for this task',
    ),
} as const

const VERDICT_COLOURS: Record<RunResponse['verdict'], (s: string) => string> = {
  succeeded: pc.green,
  failed: pc.red,
  interrupted: pc.yellow,
  environment: pc.magenta,
}

/** The runner's verdict, with its reason when it gave one. */
function verdict(r: RunResponse): string {
  const word = VERDICT_COLOURS[r.verdict](r.verdict)
  return r.verdict_reason?.trim() ? `${word}: ${short(r.verdict_reason, 50)}` : word
}

function taskLine(t: TaskResponse): string {
  return `${pc.bold(String(t.id))} ${t.title} [${status(t.status)}, ${t.target_role}, ${t.difficulty}, ${t.complexity}]`
}
