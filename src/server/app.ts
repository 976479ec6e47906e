import { randomUUID } from 'node:crypto'

import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify from 'fastify'

import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Logger } from 'pino'

import type { ServerConfig } from '../config/index.js'
import type { Connection } from '../db/index.js'
import { EVENTS_CHANNEL, nowIso } from '../db/index.js'
import { AgentActivity } from './agent-activity.js'
import { AgentTokens, requireCredentials } from './auth.js'
import { ChangeHub } from './change-hub.js'
import { systemClock } from './clock.js'
import type { Clock } from './clock.js'
import type { LeaseClock, ServerDeps } from './deps.js'
import { clientErrorHandler, frameworkErrorHandler, installErrorHandler } from './error-handler.js'
import { BackgroundJobs } from './jobs.js'
import { PgListener } from './pg-listener.js'
import { agentRoutes } from './routes/agents.js'
import { changeRoutes } from './routes/changes.js'
import { registerDashboard } from './routes/dashboard.js'
import { documentRoutes } from './routes/documents.js'
import { epicRoutes } from './routes/epics.js'
import { mcpRoutes } from './routes/mcp.js'
import { mentionRoutes } from './routes/mentions.js'
import { runRoutes } from './routes/runs.js'
import { serviceRoutes } from './routes/services.js'
import { statsRoutes } from './routes/stats.js'
import { systemRoutes } from './routes/system.js'
import { taskClaimRoutes } from './routes/task-claims.js'
import { taskRoutes } from './routes/tasks.js'
import { refuseNulCharacters } from './nul-guard.js'
import { openApiTransform, RouteTable } from './openapi.js'
import { recordSignsOfLife } from './sign-of-life.js'
import { TaskWaiters } from './task-waiters.js'
import { NextOffers } from './next-offers.js'
import { claimTaskFor, peekTaskFor } from './wait-attempts.js'
import { VERSION } from './version.js'
import type { AnyFastify } from './any-fastify.js'

export interface BuildAppOptions {
  config: ServerConfig
  connection: Connection
  logger: Logger
  /** Accepted API keys (never empty: main generates one when none is configured). */
  apiKeys: readonly string[]
  /** The server's time; default the real one (tests pass one they move forward). */
  clock?: Clock
}

export interface HeadlessPmApp {
  app: AnyFastify
  deps: ServerDeps
  /** Every route the app answers (the auth sweep test walks it). */
  routes: RouteTable
  /** Starts the change hub and background jobs; call once before listening. */
  start: () => Promise<void>
  /** Answers waiting long-polls, ends streams, stops jobs and closes the app (not the database). */
  close: () => Promise<void>
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/
/** How long close() lets requests in flight finish before it drops the remaining connections. */
const CLOSE_GRACE_MS = 2000

/** Builds the Fastify app with every route; does not listen (tests use it with inject or port 0). */
export async function buildApp({
  config,
  connection,
  logger,
  apiKeys,
  clock = systemClock,
}: BuildAppOptions): Promise<HeadlessPmApp> {
  if (apiKeys.length === 0) throw new Error('buildApp needs at least one API key')
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    // Only the upload is timed: once a request is in, a long-poll waits its own `timeout` and the
    // event stream stays open for hours. No idle-socket timeout (connectionTimeout) for that reason.
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: Math.min(config.headersTimeoutMs, config.requestTimeoutMs),
      // How often Node looks for stalled uploads (its default, 30 s, would let one sit that long past its limit).
      connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
    },
    clientErrorHandler,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<ZodTypeProvider>()
  app.server.maxConnections = config.maxConnections
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  // Before any route is added, so every one is known to the 405 answer.
  const routes = new RouteTable()
  routes.track(app)
  installErrorHandler(app, routes)
  refuseNulCharacters(app)

  // v1 clients POST without a body (lock, heartbeat) yet may still send a JSON content type.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    if (text.trim() === '') return done(null, undefined)
    try {
      done(null, JSON.parse(text))
    } catch (error) {
      done(error as Error, undefined)
    }
  })
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  const { db } = connection
  const log = logger
  const hub = new ChangeHub(db, log.child({ component: 'change-hub' }))
  const leaseMs = config.leaseSeconds * 1000
  const cooldownMs = config.releaseCooldownSeconds * 1000
  const leaseNow: LeaseClock = () => {
    const now = clock.now()
    return {
      now: nowIso(now),
      leaseExpiresAt: nowIso(now + leaseMs),
      cooldownSince: cooldownMs > 0 ? nowIso(now - cooldownMs) : undefined,
      qaLevelStrict: config.qaLevelStrict,
    }
  }
  const nextOffers = new NextOffers(clock)
  const waiters = new TaskWaiters({
    log: log.child({ component: 'waiters' }),
    clock,
    recheckIntervalMs: 30_000,
    attempt: async (request, handedOut) => {
      const task =
        request.kind === 'claim'
          ? await claimTaskFor(db, request.agent, leaseNow)
          : await peekTaskFor(db, request, handedOut, leaseNow(), nextOffers)
      if (request.kind === 'claim' && task) void hub.poke()
      return task
    },
  })
  const shutdownCleanups = new Set<() => void>()
  const deps: ServerDeps = {
    config,
    db,
    dialect: connection.dialect,
    log,
    clock,
    hub,
    waiters,
    nextOffers,
    jobs: new BackgroundJobs({
      db,
      log: log.child({ component: 'jobs' }),
      config,
      clock,
      onChange: () => void hub.poke(),
    }),
    activity: new AgentActivity(db, log, clock, leaseMs),
    tokens: new AgentTokens(db, clock),
    leaseNow,
    version: VERSION,
    mutate: async (work) => {
      const result = await db.transaction().execute(work)
      void hub.poke()
      return result
    },
    onShutdown: (cleanup) => {
      shutdownCleanups.add(cleanup)
      return () => shutdownCleanups.delete(cleanup)
    },
  }

  hub.subscribe((event) => {
    if (event.type.startsWith('task_')) void waiters.wake()
  })

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Headless PM API',
        version: VERSION,
        description: 'Coordination server for teams of coding agents',
      },
      components: {
        securitySchemes: { apiKey: { type: 'apiKey', name: 'X-API-Key', in: 'header' } },
      },
      security: [{ apiKey: [] }],
    },
    transform: openApiTransform,
  })
  await app.register(swaggerUi, { routePrefix: '/api/v1/docs' })
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, () => app.swagger())

  const credentials = {
    keys: apiKeys,
    tokens: deps.tokens,
    requireAgentTokens: config.requireAgentTokens,
  }
  await registerDashboard(app)
  await app.register(systemRoutes(deps))
  await app.register(
    async (api) => {
      requireCredentials(api, credentials)
      recordSignsOfLife(api, deps.activity)
      for (const routes of [
        agentRoutes,
        epicRoutes,
        taskClaimRoutes,
        taskRoutes,
        runRoutes,
        documentRoutes,
        serviceRoutes,
        mentionRoutes,
        changeRoutes,
        statsRoutes,
      ]) {
        await api.register(routes(deps))
      }
    },
    { prefix: '/api/v1' },
  )
  await app.register(async (mcp) => {
    requireCredentials(mcp, credentials)
    await mcp.register(mcpRoutes())
  })

  // Other instances' writes arrive as NOTIFY hints; the periodic poke catches any hint that was lost.
  const listener =
    connection.dialect === 'postgresql'
      ? new PgListener({
          connectionString: config.databaseUrl,
          channel: EVENTS_CHANNEL,
          log,
          onNotify: () => void hub.poke(),
        })
      : undefined
  let recheck: NodeJS.Timeout | undefined
  let started = false
  return {
    app,
    deps,
    routes,
    start: async () => {
      if (started) return
      started = true
      await hub.start()
      if (listener) {
        await listener.start()
        recheck = setInterval(() => void hub.poke(), config.eventRecheckMs)
        recheck.unref()
      }
      deps.jobs.start()
    },
    close: async () => {
      if (recheck) clearInterval(recheck)
      await listener?.stop()
      deps.jobs.stop()
      waiters.closeAll()
      for (const cleanup of [...shutdownCleanups]) cleanup()
      // Node counts a socket a client opened but never used as busy, not idle, so app.close() would
      // wait out the keep-alive timeout (~72 s) for it. Replies in flight get a grace period instead.
      const force = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS)
      try {
        await app.close()
      } finally {
        clearTimeout(force)
      }
    },
  }
}
