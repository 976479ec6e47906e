import { createHash, timingSafeEqual } from 'node:crypto'

import type { FastifyInstance, FastifyRequest } from 'fastify'

import { AppError } from '../domain/index.js'

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/** Compares against every key in constant time per key, so timing tells nothing about a key. */
export function makeKeyChecker(keys: readonly string[]): (candidate: string | undefined) => boolean {
  const digests = keys.map(digest)
  return (candidate) => {
    if (candidate === undefined || candidate === '') return false
    const given = digest(candidate)
    let ok = false
    for (const d of digests) ok = timingSafeEqual(d, given) || ok
    return ok
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key']
  if (typeof header === 'string') return header
  // Browsers' EventSource cannot set headers, so the event stream also takes the key as a parameter.
  if (request.url.startsWith('/api/v1/events')) {
    const key = (request.query as Record<string, unknown> | undefined)?.api_key
    if (typeof key === 'string') return key
  }
  return undefined
}

/** Adds the API-key check to every route registered in `app` (an encapsulated scope). */
export function requireApiKey(app: FastifyInstance<any, any, any, any, any>, keys: readonly string[]): void {
  const isValid = makeKeyChecker(keys)
  app.addHook('onRequest', async (request) => {
    if (!isValid(presentedKey(request))) {
      throw new AppError('unauthorized', 'Invalid API key')
    }
  })
}
