import type { ChangeType } from '../../src/contract/index.js'
import { formatUsd, humanize } from './format.js'

type Data = Readonly<Record<string, unknown>>

function str(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : '?'
}

function task(data: Data): string {
  return `#${str(data.task_id)} "${str(data.title)}"`
}

function move(data: Data): string {
  return `${humanize(str(data.old_status))} → ${humanize(str(data.new_status))}`
}

/** One line saying what an activity event was, in words. */
export function describeChange(kind: ChangeType, data: Data): string {
  switch (kind) {
    case 'task_created':
      return `${task(data)} created (${humanize(str(data.new_status))}) by ${str(data.changed_by)}`
    case 'task_updated':
      return `${task(data)}: ${move(data)} by ${str(data.changed_by)}`
    case 'task_edited':
      return `${task(data)} edited (${Array.isArray(data.fields) ? data.fields.join(', ') : '?'}) by ${str(data.changed_by)}`
    case 'task_locked':
      return `${task(data)} taken by ${str(data.changed_by)}: ${move(data)}`
    case 'task_unlocked':
      return `${task(data)} released${data.previous_holder ? ` from ${str(data.previous_holder)}` : ''} by ${str(data.changed_by)}: ${move(data)}`
    case 'task_commented':
      return `${task(data)}: comment by ${str(data.author_id)}`
    case 'task_deleted':
      return `${task(data)} deleted by ${str(data.deleted_by)}`
    case 'run_recorded': {
      const cost = typeof data.cost_usd === 'number' ? `, ${formatUsd(data.cost_usd)}` : ''
      const verdict = data.verdict === data.outcome ? '' : `, judged ${str(data.verdict)}`
      return `#${str(data.task_id)} runner attempt ${str(data.attempt)} by ${str(data.agent_id)}: ${humanize(str(data.outcome))}${verdict}${cost}`
    }
    case 'document_created':
      return `document "${str(data.title)}" (${humanize(str(data.doc_type))}) by ${str(data.author_id)}`
    case 'document_updated':
      return `document "${str(data.title)}" edited by ${str(data.updated_by ?? data.author_id)}`
    case 'document_deleted':
      return `document "${str(data.title)}" deleted by ${str(data.deleted_by)}`
    case 'mention_created': {
      const where =
        data.document_id != null
          ? `document ${str(data.document_id)}`
          : `task #${str(data.task_id)}`
      return `@${str(data.mentioned_agent_id)} mentioned by ${str(data.created_by)} in ${where}`
    }
    case 'mention_read':
      return `@${str(data.mentioned_agent_id)} read mention ${str(data.mention_id)}`
    case 'service_registered':
      return `service ${str(data.service_name)} registered by ${str(data.owner_agent_id)} (${str(data.status)})`
    case 'service_updated':
      return `service ${str(data.service_name)}: ${str(data.previous_status)} → ${str(data.status)}`
    case 'service_unregistered':
      return `service ${str(data.service_name)} unregistered by ${str(data.owner_agent_id)}`
    case 'agent_registered':
      return `agent ${str(data.agent_id)} ${data.updated ? 're-registered' : 'registered'} (${humanize(str(data.role))}, ${str(data.level)})`
    case 'agent_activity':
      if (data.task_id === null || data.task_id === undefined)
        return `agent ${str(data.agent_id)} is idle`
      return `agent ${str(data.agent_id)} on task ${str(data.task_id)}: ${data.tool == null ? str(data.phase) : str(data.tool)}`
    case 'agent_deleted':
      return `agent ${str(data.agent_id)} deleted by ${str(data.deleted_by)}`
    case 'epic_created':
      return `epic "${str(data.name)}" created by ${str(data.created_by)}`
    case 'epic_deleted':
      return `epic ${str(data.epic_id)} deleted by ${str(data.deleted_by)}`
    case 'feature_created':
      return `feature "${str(data.name)}" created in epic ${str(data.epic_id)} by ${str(data.created_by)}`
    case 'feature_deleted':
      return `feature ${str(data.feature_id)} deleted by ${str(data.deleted_by)}`
    default:
      // A kind this page does not know yet: its fields as they are.
      return Object.entries(data)
        .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
        .map(([k, v]) => `${humanize(k)} ${str(v)}`)
        .join(', ')
  }
}
