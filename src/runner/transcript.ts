import { readFile } from 'node:fs/promises'

import { MAX_TRANSCRIPT_ENTRIES, MAX_TRANSCRIPT_TEXT } from '../contract/index.js'
import type { TranscriptEntry } from '../contract/index.js'
import { parseStreamLine } from './components/index.js'
import type { ClaudeEvent } from './components/index.js'

const REDACTED = '[redacted]'
/** Environment variables whose values are secrets by their name. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH/i
/** Secrets recognisable by their shape, whoever printed them. */
const SECRET_SHAPES = [
  /\bsk-ant-[\w-]{10,}/g,
  /\bhpm_[\w-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bxox[abposr]-[\w-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
]
/** `password: hunter2`, `api_key=...`: the name stays, the value goes. */
const SECRET_ASSIGNMENT =
  /\b(password|passwd|secret|token|api[_-]?key)(\s*[=:]\s*)["']?[^\s"']{6,}/gi

/** The values to remove from anything the runner sends about a run: its keys and secret-named env. */
export function secretsOf(
  apiKeys: readonly (string | undefined)[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const values = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value !== undefined && value.length >= 8)
    .map(([, value]) => value!)
  const keys = apiKeys.filter((key): key is string => key !== undefined && key !== '')
  return [...new Set([...keys, ...values])].sort((a, b) => b.length - a.length)
}

/** `text` without the given secrets or anything shaped like one, cut to the transcript's limit. */
export function redact(text: string, secrets: readonly string[]): string {
  let clean = text
  for (const secret of secrets) clean = clean.split(secret).join(REDACTED)
  for (const shape of SECRET_SHAPES) clean = clean.replace(shape, REDACTED)
  clean = clean.replace(
    SECRET_ASSIGNMENT,
    (_match, name: string, separator: string) => `${name}${separator}${REDACTED}`,
  )
  return clean.length > MAX_TRANSCRIPT_TEXT ? `${clean.slice(0, MAX_TRANSCRIPT_TEXT - 1)}…` : clean
}

/** One stream event as a transcript entry; undefined for what a person would not read. */
export function entryOf(
  event: ClaudeEvent,
  secrets: readonly string[],
): TranscriptEntry | undefined {
  switch (event.type) {
    case 'text':
      return { kind: 'text', text: redact(event.text, secrets) }
    case 'tool':
      return { kind: 'tool', name: event.name, text: redact(event.summary, secrets) }
    case 'tool_result':
      return { kind: 'tool_result', text: redact(event.summary, secrets), is_error: event.isError }
    case 'api_retry':
      return {
        kind: 'api_retry',
        text: redact(
          `API retry ${event.attempt ?? '?'} of ${event.maxRetries ?? '?'}: ${event.error ?? 'unknown error'}`,
          secrets,
        ),
        is_error: true,
      }
    case 'result':
      return {
        kind: 'result',
        text: redact(
          `${event.subtype}${event.costUsd === null ? '' : `, $${event.costUsd.toFixed(4)}`}: ${event.text ?? ''}`,
          secrets,
        ),
        is_error: event.isError,
      }
    default:
      return undefined
  }
}

/** The last entries, with a note in front saying how many earlier ones were left out. */
export function bounded(entries: readonly TranscriptEntry[]): TranscriptEntry[] {
  if (entries.length <= MAX_TRANSCRIPT_ENTRIES) return [...entries]
  const dropped = entries.length - MAX_TRANSCRIPT_ENTRIES
  return [{ kind: 'note', text: `${dropped} earlier entries left out` }, ...entries.slice(dropped)]
}

/**
 * A run's transcript, read back from the stream log the executor kept: the same source after a
 * crash as after a clean end. Undefined when there is no log to read.
 */
export async function transcriptFromLog(
  logPath: string | null | undefined,
  secrets: readonly string[],
): Promise<TranscriptEntry[] | undefined> {
  if (!logPath) return undefined
  let text: string
  try {
    text = await readFile(logPath, 'utf8')
  } catch {
    return undefined
  }
  const entries: TranscriptEntry[] = []
  for (const line of text.split('\n')) {
    for (const event of parseStreamLine(line).events) {
      const entry = entryOf(event, secrets)
      if (entry) entries.push(entry)
    }
  }
  return bounded(entries)
}
