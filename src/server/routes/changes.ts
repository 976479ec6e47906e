import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

import {
  ChangelogQuery,
  ChangelogResponse,
  ChangesQuery,
  ChangesResponse,
  EventsQuery,
  asChangeFeedEntry,
} from '../../contract/index.js'
import type { ChangeEvent } from '../../contract/index.js'
import { listChangelog, listEventsAfterId, listEventsSince, nowIso } from '../../db/index.js'
import type { ServerDeps } from '../deps.js'

const KEEPALIVE_MS = 15_000
const REPLAY_BATCH = 500

function sseFrame(event: ChangeEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`
}

export function changeRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/changes',
      {
        schema: {
          tags: ['changes'],
          querystring: ChangesQuery,
          response: { 200: ChangesResponse },
        },
      },
      async (request) => {
        const { since, after_id: afterId, limit } = request.query
        const changes =
          afterId !== undefined
            ? await listEventsAfterId(deps.db, afterId, limit)
            : await listEventsSince(deps.db, since!.toISOString(), limit)
        const last = changes.at(-1)
        return {
          changes: changes.map(asChangeFeedEntry),
          last_timestamp: last?.timestamp ?? since?.toISOString() ?? nowIso(deps.clock.now()),
          last_event_id: last?.id ?? afterId ?? 0,
        }
      },
    )

    app.get(
      '/changelog',
      {
        schema: {
          tags: ['changes'],
          querystring: ChangelogQuery,
          response: { 200: z.array(ChangelogResponse) },
        },
      },
      (request) => listChangelog(deps.db, request.query.limit, request.query.task_id),
    )

    // Server-sent events of every change. Resumes after `Last-Event-ID` (or `after_id`) so a
    // reconnecting dashboard misses nothing; without either it starts with what happens next.
    app.get(
      '/events',
      { schema: { tags: ['changes'], querystring: EventsQuery } },
      async (request, reply) => {
        const header = request.headers['last-event-id']
        const fromHeader =
          typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined
        let lastSent = fromHeader ?? request.query.after_id ?? deps.hub.lastId

        reply.hijack()
        const res = reply.raw
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          // Tells nginx-style proxies not to buffer the stream.
          'x-accel-buffering': 'no',
        })
        res.write(`retry: 3000\n: connected, last event ${deps.hub.lastId}\n\n`)

        let replaying = true
        const queued: ChangeEvent[] = []
        const send = (event: ChangeEvent) => {
          if (event.id <= lastSent) return
          lastSent = event.id
          res.write(sseFrame(event))
        }
        const unsubscribe = deps.hub.subscribe((event) =>
          replaying ? queued.push(event) : send(event),
        )
        const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS)
        keepalive.unref()
        const forget = deps.onShutdown(() => res.end())
        res.on('close', () => {
          clearInterval(keepalive)
          unsubscribe()
          forget()
        })

        try {
          for (;;) {
            const batch = await listEventsAfterId(deps.db, lastSent, REPLAY_BATCH)
            for (const event of batch) send(event)
            if (batch.length < REPLAY_BATCH) break
          }
        } catch (error) {
          request.log.error({ err: error }, 'event replay failed')
        }
        replaying = false
        for (const event of queued) send(event)
      },
    )
  }
}
