import { z } from 'zod'

import {
  CreateDocumentRequest,
  DocumentType,
  RegisterServiceRequest,
  ServiceName,
  UpdateDocumentRequest,
} from '../contract/index.js'
import { countOf } from './describe.js'
import { agentIdOf } from './session.js'
import { AgentArg, LimitArg, positiveId } from './tool-args.js'
import type { ToolSpec } from './tool-spec.js'
import { defineTool } from './tool-spec.js'

export const TALK_TOOLS: ToolSpec[] = [
  defineTool({
    name: 'create_document',
    title: 'Post a document',
    description:
      'Post a document for the team (an update, a standup, a critical issue, a service status); @agent_id or @role in the content notifies them.',
    input: {
      ...CreateDocumentRequest.shape,
      agent_id: AgentArg.describe('the author; default: this session agent'),
    },
    run: async ({ agent_id, ...body }, session) => {
      const document = await session.client.createDocument(body, agentIdOf(session, agent_id))
      const notified =
        document.mentions.length === 0 ? '' : `; notified ${document.mentions.join(', ')}`
      return {
        text: `posted document ${document.id} "${document.title}"${notified}`,
        data: { document },
      }
    },
  }),
  defineTool({
    name: 'list_documents',
    title: 'List documents',
    description: 'List recent documents, newest first, by type or author.',
    input: {
      doc_type: DocumentType.optional(),
      author_id: z.string().optional(),
      limit: LimitArg(1000),
    },
    isReadOnly: true,
    run: async (args, session) => {
      const documents = await session.client.listDocuments(args)
      const lines = documents
        .slice(0, 50)
        .map((d) => `document ${d.id} [${d.doc_type}] "${d.title}" by ${d.author_id}`)
      return {
        text: [countOf(documents.length, 'document'), ...lines].join('\n'),
        data: { documents },
      }
    },
  }),
  defineTool({
    name: 'get_document',
    title: 'Read a document',
    description: 'Read one document in full.',
    input: { document_id: positiveId('the document') },
    isReadOnly: true,
    run: async (args, session) => {
      const document = await session.client.getDocument(args.document_id)
      return {
        text: `document ${document.id} [${document.doc_type}] "${document.title}" by ${document.author_id}\n\n${document.content}`,
        data: { document },
      }
    },
  }),
  defineTool({
    name: 'update_document',
    title: 'Edit a document',
    description: 'Change the title, content or metadata of a document you wrote.',
    input: {
      document_id: positiveId('the document'),
      ...UpdateDocumentRequest.shape,
      agent_id: AgentArg,
    },
    run: async ({ document_id, agent_id, ...body }, session) => {
      const document = await session.client.updateDocument(
        document_id,
        body,
        agentIdOf(session, agent_id),
      )
      return { text: `updated document ${document.id} "${document.title}"`, data: { document } }
    },
  }),
  defineTool({
    name: 'get_mentions',
    title: 'Read your mentions',
    description:
      'Read the @mentions addressed to you (unread ones unless all is true); check them between tasks.',
    input: {
      agent_id: AgentArg,
      all: z.boolean().optional().describe('include mentions already read'),
      limit: LimitArg(50),
    },
    isReadOnly: true,
    run: async (args, session) => {
      const mentions = await session.client.listMentions({
        agent_id: agentIdOf(session, args.agent_id),
        unread_only: args.all !== true,
        limit: args.limit,
      })
      const lines = mentions.map(
        (m) =>
          `mention ${m.id} from ${m.created_by} on ${m.task_id !== null ? `task ${m.task_id}` : `document ${m.document_id}`}`,
      )
      return {
        text: [countOf(mentions.length, 'mention'), ...lines].join('\n'),
        data: { mentions },
      }
    },
  }),
  defineTool({
    name: 'mark_mention_read',
    title: 'Mark a mention read',
    description: 'Mark one of your mentions as read once you have dealt with it.',
    input: { mention_id: positiveId('the mention'), agent_id: AgentArg },
    run: async (args, session) => {
      const mention = await session.client.markMentionRead(
        args.mention_id,
        agentIdOf(session, args.agent_id),
      )
      return { text: `mention ${mention.id} marked read`, data: { mention } }
    },
  }),
  defineTool({
    name: 'register_service',
    title: 'Register a service',
    description:
      'Announce a service you run (an API, a dev server) with a URL the server pings, so other agents can find it.',
    input: {
      ...RegisterServiceRequest.shape,
      agent_id: AgentArg.describe('the owner; default: this session agent'),
    },
    run: async ({ agent_id, ...body }, session) => {
      const service = await session.client.registerService(body, agentIdOf(session, agent_id))
      return {
        text: `registered service ${service.service_name} (${service.status}) at ${service.ping_url}`,
        data: { service },
      }
    },
  }),
  defineTool({
    name: 'service_heartbeat',
    title: 'Service heartbeat',
    description: 'Say a service you own is still up.',
    input: { service_name: ServiceName, agent_id: AgentArg },
    run: async (args, session) => {
      const service = await session.client.heartbeatService(
        args.service_name,
        agentIdOf(session, args.agent_id),
      )
      return { text: `service ${service.service_name} is ${service.status}`, data: { service } }
    },
  }),
  defineTool({
    name: 'list_services',
    title: 'List services',
    description: 'List the services agents run, with their URLs and whether they answer.',
    input: {},
    isReadOnly: true,
    run: async (_args, session) => {
      const services = await session.client.listServices()
      const lines = services.map(
        (s) => `${s.service_name} (${s.status}) ${s.ping_url} owned by ${s.owner_agent_id}`,
      )
      return {
        text: [countOf(services.length, 'service'), ...lines].join('\n'),
        data: { services },
      }
    },
  }),
  defineTool({
    name: 'poll_changes',
    title: 'Poll the activity feed',
    description:
      "See what happened since a time or an event id (tasks, documents, mentions, services, agents). Pass the answer's last_event_id as after_id next time.",
    input: {
      since: z.string().optional().describe('ISO-8601 date-time (no zone = UTC) or Unix seconds'),
      after_id: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe('events after this event id (exact paging)'),
      limit: LimitArg(1000),
      agent_id: AgentArg,
    },
    isReadOnly: true,
    run: async (args, session) => {
      const answer = await session.client.listChanges({
        since: args.since,
        // Neither given: the feed from its start, a page at a time.
        after_id: args.after_id ?? (args.since === undefined ? 0 : undefined),
        limit: args.limit,
        agent_id: agentIdOf(session, args.agent_id),
      })
      const lines = answer.changes.slice(-50).map((c) => `${c.id} ${c.timestamp} ${c.kind}`)
      return {
        text: [
          `${countOf(answer.changes.length, 'change')}; last_event_id ${answer.last_event_id}`,
          ...lines,
        ].join('\n'),
        data: answer,
      }
    },
  }),
]
