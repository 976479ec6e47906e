import { isAbsolute, relative } from 'node:path'

/** Token counts from a `result` event. */
export interface TokenUsage {
  input: number
  output: number
  cacheRead: number
  cacheCreation: number
}

export interface ClaudeResultSummary {
  isError: boolean
  /** `success`, `error_max_turns`, `error_during_execution`, ... (`success` + isError is a failure). */
  subtype: string
  text: string | null
  sessionId: string | null
  numTurns: number | null
  durationMs: number | null
  costUsd: number | null
  usage: TokenUsage | null
}

/** What the runner cares about in Claude's stream-json output; everything else is ignored. */
export type ClaudeEvent =
  | { type: 'init'; sessionId: string | null; model: string | null; cwd: string | null }
  | { type: 'tool'; name: string; summary: string }
  | { type: 'text'; text: string }
  /** What a tool gave back (the start of it), and whether it failed. */
  | { type: 'tool_result'; isError: boolean; summary: string }
  | {
      type: 'api_retry'
      attempt: number | null
      maxRetries: number | null
      retryDelayMs: number | null
      error: string | null
    }
  | ({ type: 'result' } & ClaudeResultSummary)
  /** A stdout line that is not a JSON object; it stays in the raw log. */
  | { type: 'invalid_line'; line: string }

export interface ParsedLine {
  events: ClaudeEvent[]
  /** The session id the line carries, if any: the latest one wins. */
  sessionId: string | null
  /** An error tag on the event, e.g. `authentication_failed` on the synthetic not-logged-in message. */
  errorTag: string | null
}

type Json = Record<string, unknown>

/** Parses one stdout line defensively: unknown types and fields are skipped, never thrown on. */
export function parseStreamLine(line: string, cwd?: string): ParsedLine {
  const trimmed = line.trim()
  if (trimmed === '') return { events: [], sessionId: null, errorTag: null }
  let value: unknown
  try {
    value = JSON.parse(trimmed)
  } catch {
    value = undefined
  }
  if (!isObject(value)) {
    return {
      events: [{ type: 'invalid_line', line: trimmed.slice(0, 200) }],
      sessionId: null,
      errorTag: null,
    }
  }
  return {
    events: eventsOf(value, cwd),
    sessionId: str(value.session_id),
    errorTag: str(value.error),
  }
}

function eventsOf(event: Json, cwd: string | undefined): ClaudeEvent[] {
  if (event.type === 'system' && event.subtype === 'init') {
    return [
      {
        type: 'init',
        sessionId: str(event.session_id),
        model: str(event.model),
        cwd: str(event.cwd),
      },
    ]
  }
  if (event.type === 'system' && event.subtype === 'api_retry') {
    return [
      {
        type: 'api_retry',
        attempt: num(event.attempt),
        maxRetries: num(event.max_retries),
        retryDelayMs: num(event.retry_delay_ms),
        error: str(event.error),
      },
    ]
  }
  if (
    event.type === 'assistant' &&
    isObject(event.message) &&
    Array.isArray(event.message.content)
  ) {
    return event.message.content.flatMap((block): ClaudeEvent[] => {
      if (!isObject(block)) return []
      if (block.type === 'text' && typeof block.text === 'string')
        return [{ type: 'text', text: block.text }]
      if (block.type === 'tool_use' && typeof block.name === 'string') {
        return [
          {
            type: 'tool',
            name: block.name,
            summary: summarizeToolInput(block.name, block.input, cwd),
          },
        ]
      }
      return []
    })
  }
  if (event.type === 'user' && isObject(event.message) && Array.isArray(event.message.content)) {
    return event.message.content.flatMap((block): ClaudeEvent[] =>
      isObject(block) && block.type === 'tool_result'
        ? [
            {
              type: 'tool_result',
              isError: block.is_error === true,
              summary: toolResultText(block.content).slice(0, 500),
            },
          ]
        : [],
    )
  }
  if (event.type === 'result') return [{ type: 'result', ...resultOf(event) }]
  return []
}

function resultOf(event: Json): ClaudeResultSummary {
  const usage = isObject(event.usage) ? event.usage : undefined
  return {
    isError: event.is_error === true,
    subtype: str(event.subtype) ?? 'unknown',
    // Errors before any turn (e.g. an unknown --resume id) come as `errors`, without `result`.
    text: str(event.result) ?? errorsOf(event.errors),
    sessionId: str(event.session_id),
    numTurns: num(event.num_turns),
    durationMs: num(event.duration_ms),
    costUsd: num(event.total_cost_usd),
    usage:
      usage === undefined
        ? null
        : {
            input: num(usage.input_tokens) ?? 0,
            output: num(usage.output_tokens) ?? 0,
            cacheRead: num(usage.cache_read_input_tokens) ?? 0,
            cacheCreation: num(usage.cache_creation_input_tokens) ?? 0,
          },
  }
}

const SUMMARY_FIELDS: Record<string, string> = {
  Bash: 'command',
  Read: 'file_path',
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
  Grep: 'pattern',
  Glob: 'pattern',
  WebFetch: 'url',
  WebSearch: 'query',
  Task: 'description',
}

/** A one-line, at most 80-character description of a tool call, e.g. `npm test` or `src/app.ts`. */
export function summarizeToolInput(name: string, input: unknown, cwd?: string): string {
  if (!isObject(input)) return ''
  const field = SUMMARY_FIELDS[name]
  let text = field ? str(input[field]) : null
  if (name === 'TodoWrite' && Array.isArray(input.todos)) text = `${input.todos.length} todos`
  text ??= Object.values(input).find((value): value is string => typeof value === 'string') ?? ''
  if (cwd && isAbsolute(text) && field?.endsWith('path')) {
    const rel = relative(cwd, text)
    if (!rel.startsWith('..')) text = rel
  }
  const firstLine = text.split('\n')[0] ?? ''
  const oneLine = firstLine.length < text.length ? `${firstLine} …` : firstLine
  return oneLine.length > 80 ? `${oneLine.slice(0, 79)}…` : oneLine
}

function errorsOf(value: unknown): string | null {
  if (!Array.isArray(value)) return null
  const texts = value.filter((item): item is string => typeof item === 'string')
  return texts.length > 0 ? texts.join('; ') : null
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/** What a saved event stream shows of a run: read back after the runner died mid-attempt. */
export interface StreamSummary {
  sessionId: string | null
  model: string | null
  hasInit: boolean
  result: ClaudeResultSummary | null
  lastText: string | null
}

/** Summarises a whole raw stream (the attempt's `.jsonl` log), line by line, never throwing. */
export function summarizeStream(text: string): StreamSummary {
  const summary: StreamSummary = {
    sessionId: null,
    model: null,
    hasInit: false,
    result: null,
    lastText: null,
  }
  for (const line of text.split('\n')) {
    const parsed = parseStreamLine(line)
    summary.sessionId = parsed.sessionId ?? summary.sessionId
    for (const event of parsed.events) {
      if (event.type === 'init') {
        summary.hasInit = true
        summary.model = event.model ?? summary.model
      }
      if (event.type === 'text') summary.lastText = event.text
      if (event.type === 'result') summary.result = event
    }
  }
  return summary
}

/** A tool result's content: a string, or text blocks. */
function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('\n')
}
