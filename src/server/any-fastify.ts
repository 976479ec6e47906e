import type { FastifyInstance } from 'fastify'

/**
 * The app or any of its encapsulated scopes, whose logger and type provider differ: the hooks that
 * take one work on all. Their requests are typed loosely too, so handing one to a helper that takes
 * a `FastifyRequest` needs a `no-unsafe-argument` exception at that call.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any server, logger and type provider
export type AnyFastify = FastifyInstance<any, any, any, any, any>
