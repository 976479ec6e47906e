import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { eventually, makeTask, seedProject } from '../../helpers/fixtures.js'
import type { Project } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

let server: TestServer
let project: Project

beforeAll(async () => {
  server = await startTestServer()
  project = await seedProject(server.api)
})
afterAll(async () => {
  await server.close()
})

interface SseEvent {
  id: number
  event: string
  data: { id: number; type: string; timestamp: string; data: Record<string, unknown> }
}

interface Subscription {
  status: number
  contentType: string | null
  events: SseEvent[]
  /** Resolves with the events once `predicate` holds for them (or after 10 s, unchanged). */
  until: (predicate: (events: SseEvent[]) => boolean) => Promise<SseEvent[]>
  close: () => Promise<void>
}

/** Opens the event stream with fetch and parses frames as they arrive. */
async function subscribe(headers: Record<string, string> = {}, query = ''): Promise<Subscription> {
  const controller = new AbortController()
  const res = await fetch(`${server.url}/api/v1/events${query}`, {
    headers: { 'x-api-key': server.apiKey, ...headers },
    signal: controller.signal,
  })
  const events: SseEvent[] = []
  const reading = (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields = Object.fromEntries(
            frame
              .split('\n')
              .filter((line) => line !== '' && !line.startsWith(':'))
              .map((line) => [
                line.slice(0, line.indexOf(':')),
                line.slice(line.indexOf(':') + 1).trimStart(),
              ]),
          )
          if (fields.data !== undefined)
            events.push({
              id: Number(fields.id),
              event: fields.event ?? 'message',
              data: JSON.parse(fields.data),
            })
        }
      }
    } catch {
      // Aborted by close().
    }
  })()
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    events,
    until: async (predicate) => {
      await eventually(() => predicate(events), 10_000, 20)
      return events
    },
    close: async () => {
      controller.abort()
      await reading
    },
  }
}

const aboutTask = (taskId: number) => (e: SseEvent) => e.data.data.task_id === taskId

describe('GET /events', () => {
  it('streams a task_created event when a task is created while subscribed', async () => {
    const stream = await subscribe()

    const task = await makeTask(server.api, project)
    const events = await stream.until((es) => es.some(aboutTask(task.id)))
    await stream.close()

    expect(stream.status).toBe(200)
    expect(stream.contentType).toContain('text/event-stream')
    const event = events.find(aboutTask(task.id))
    expect(event).toMatchObject({
      event: 'task_created',
      data: {
        type: 'task_created',
        data: { task_id: task.id, title: task.title, status: 'created' },
      },
    })
    expect(event?.id).toBe(event?.data.id)
  })

  it('starts with new events only when no Last-Event-ID is given', async () => {
    const old = await makeTask(server.api, project)
    const stream = await subscribe()

    const fresh = await makeTask(server.api, project)
    const events = await stream.until((es) => es.some(aboutTask(fresh.id)))
    await stream.close()

    expect(events.some(aboutTask(old.id))).toBe(false)
  })

  it('replays the events missed while disconnected when it reconnects with Last-Event-ID', async () => {
    const first = await subscribe()
    const seen = await makeTask(server.api, project)
    const [seenEvent] = (await first.until((es) => es.some(aboutTask(seen.id)))).filter(
      aboutTask(seen.id),
    )
    await first.close()
    const missedA = await makeTask(server.api, project)
    const missedB = await makeTask(server.api, project)

    const second = await subscribe({ 'last-event-id': String(seenEvent!.id) })
    const after = await makeTask(server.api, project)
    const events = await second.until((es) => es.some(aboutTask(after.id)))
    await second.close()

    const created = events.filter((e) => e.event === 'task_created').map((e) => e.data.data.task_id)
    expect(created).toEqual([missedA.id, missedB.id, after.id])
    const ids = events.map((e) => e.id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.every((id) => id > seenEvent!.id)).toBe(true)
  })

  it('replays from after_id when a browser passes it as a query parameter', async () => {
    const feed = await server.api('/api/v1/changes?since=0&agent_id=watcher&limit=10000')
    const missed = await makeTask(server.api, project)

    const stream = await subscribe({}, `?after_id=${feed.body.last_event_id}`)
    const events = await stream.until((es) => es.some(aboutTask(missed.id)))
    await stream.close()

    expect(events.filter(aboutTask(missed.id)).map((e) => e.event)).toEqual(['task_created'])
  })
})
