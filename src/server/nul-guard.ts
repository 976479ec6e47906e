import type { FastifyRequest } from 'fastify'

import { AppError } from '../domain/index.js'
import type { AnyFastify } from './any-fastify.js'

/** Where in the request the first string holding a NUL character is, e.g. `query.agent_id`. */
function nulAt(request: FastifyRequest): string | undefined {
  // Iterative: a request may nest deeper than the stack allows (depth limits are checked later).
  const stack: { value: unknown; where: string }[] = [
    { value: request.params, where: 'path' },
    { value: request.query, where: 'query' },
    { value: request.body, where: 'body' },
  ]
  while (stack.length > 0) {
    const { value, where } = stack.pop()!
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return where
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, where: `${where}[${i}]` }))
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return `${where} key`
        stack.push({ value: item, where: `${where}.${key}` })
      }
    }
  }
  return undefined
}

/**
 * Refuses text holding the NUL character anywhere in a request: PostgreSQL cannot store it, so it
 * would otherwise fail as a 500 there and be stored on SQLite; no client has a use for it.
 */
export function refuseNulCharacters(app: AnyFastify): void {
  app.addHook('preValidation', async (request) => {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- a request of any scope (AnyFastify)
    const where = nulAt(request)
    if (where !== undefined)
      throw new AppError(
        'validation_failed',
        `${where}: must not contain the NUL character (\\u0000)`,
      )
  })
}
