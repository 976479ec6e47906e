import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'

import { ERROR_STATUS } from '../contract/index.js'
import type { ErrorCode } from '../contract/index.js'
import { isUniqueViolation } from '../db/index.js'
import { AppError } from '../domain/index.js'
import type { RouteTable } from './openapi.js'
import type { AnyFastify } from './any-fastify.js'

/** Fastify's own error codes that are the caller's fault, mapped to ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_failed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
}

/** Fastify's messages for these say that something was wrong but not what; ours name it. */
function fastifyDetail(error: FastifyError, request: FastifyRequest): string {
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return `unsupported content type '${request.headers['content-type'] ?? 'none'}'; send the body as application/json`
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return `request body is larger than the limit of ${request.routeOptions.bodyLimit} bytes`
  }
  return error.message
}

/**
 * Errors the router raises before any route or hook runs (a path that is not valid
 * percent-encoding, a path segment over the length limit): Fastify's own answer has no `detail`.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const path = request.raw.url?.split('?')[0] ?? ''
  const detail =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? `a path segment of ${path} is too long to be an id or a name`
      : `${path} is not a valid URL path`
  void reply.status(400).send({ detail, code: 'bad_request', request_id: request.id })
}

/**
 * Errors Node raises on a connection before any request exists: a request whose headers or body
 * did not arrive in time (`HPM_HEADERS_TIMEOUT_MS`, `HPM_REQUEST_TIMEOUT_MS`), headers over the
 * size limit, bytes that are not HTTP. Answered as `{detail, code}` and the connection is closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [code, detail]: [ErrorCode, string] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [
          'request_timeout',
          'the request did not arrive in time (headers or body stalled); the connection is closed',
        ]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? ['headers_too_large', 'the request headers are too large']
        : ['bad_request', 'the request is not valid HTTP']
  const status = ERROR_STATUS[code]
  const body = JSON.stringify({ detail, code })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}

// Connection-level failures of the database (network errors, PostgreSQL admin shutdown and
// connection-exception classes) are the server's temporary state, not a bug: 503, so clients retry.
const DB_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  'SQLITE_BUSY',
])

function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && DB_UNAVAILABLE_CODES.has(code)) return true
  return (
    error instanceof Error &&
    /Connection terminated|timeout exceeded when trying to connect/i.test(error.message)
  )
}

/** The one place that turns an error into a status and a `{detail, code}` body. */

export function installErrorHandler(app: AnyFastify, routes: RouteTable): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const requestId = request.id
    if (error instanceof AppError) {
      const status = ERROR_STATUS[error.code]
      if (status >= 500) request.log.error({ err: error }, 'request failed')
      return reply
        .status(status)
        .send({ detail: error.message, code: error.code, request_id: requestId })
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'request'
      const detail = error.validation.map((v) => {
        const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.')
        return `${where}${path ? `.${path}` : ''}: ${v.message ?? 'invalid'}`
      })
      return reply.status(422).send({ detail, code: 'validation_failed', request_id: requestId })
    }
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
      return reply.status(400).send({
        detail: `request body is not valid JSON: ${error.message}`,
        code: 'bad_request',
        request_id: requestId,
      })
    }
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined
    if (mapped) {
      return (
        reply
          .status(ERROR_STATUS[mapped])
          // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- a request of any scope (AnyFastify)
          .send({ detail: fastifyDetail(error, request), code: mapped, request_id: requestId })
      )
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply
        .status(error.statusCode)
        .send({ detail: error.message, code: 'bad_request', request_id: requestId })
    }
    if (isUniqueViolation(error)) {
      return reply.status(ERROR_STATUS.conflict).send({
        detail:
          'a concurrent change won the race (e.g. this agent claimed another task at the same moment); fetch and retry',
        code: 'conflict',
        request_id: requestId,
      })
    }
    if (isDatabaseUnavailable(error)) {
      request.log.error({ err: error }, 'database unavailable')
      return reply.status(ERROR_STATUS.unavailable).send({
        detail: 'the database is unavailable; try again shortly',
        code: 'unavailable',
        request_id: requestId,
      })
    }
    request.log.error({ err: error }, 'unexpected error')
    return reply.status(ERROR_STATUS.internal).send({
      detail: `internal server error (request ${requestId}); see the server log`,
      code: 'internal',
      request_id: requestId,
    })
  })

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? ''
    const allowed = routes.methodsOf(path)
    if (allowed.length > 0) {
      return reply
        .status(ERROR_STATUS.method_not_allowed)
        .header('allow', allowed.join(', '))
        .send({
          detail: `${path} answers ${allowed.join(', ')}, not ${request.method}`,
          code: 'method_not_allowed',
          request_id: request.id,
        })
    }
    return reply.status(ERROR_STATUS.route_not_found).send({
      detail: `no route ${request.method} ${path}`,
      code: 'route_not_found',
      request_id: request.id,
    })
  })
}
