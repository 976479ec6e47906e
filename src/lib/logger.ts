import pino from 'pino'
import type { Logger } from 'pino'

export type { Logger } from 'pino'

export interface LoggerOptions {
  level?: string
  /** Where JSON lines go; stderr by default so stdout stays for command output. */
  destination?: NodeJS.WritableStream
}

/** The root logger of an entry point. Secrets never reach the log. */
export function createLogger({
  level = 'info',
  destination = process.stderr,
}: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers["x-api-key"]',
          'headers["x-api-key"]',
          'apiKey',
          'apiKeys',
          '*.apiKey',
          'config.apiKeys',
        ],
        censor: '[redacted]',
      },
      serializers: {
        // Keys may ride in the event-stream URL; cut the query string from logged URLs.
        req: (req: { method: string; url: string; id: string }) => ({
          method: req.method,
          url: req.url.split('?')[0],
          id: req.id,
        }),
      },
    },
    destination,
  )
}
