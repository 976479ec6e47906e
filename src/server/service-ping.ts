import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

import { guardedLookup, pingUrlProblem } from './ping-policy.js'
import type { PingAllow } from './ping-policy.js'

export interface PingOptions {
  timeoutMs: number
  allow: PingAllow
}

/**
 * GETs `pingUrl` from the server; true when it answers 200 (redirects are not followed). An
 * address `allow` refuses is never connected to and counts as a failed ping.
 */
export function pingService(pingUrl: string, { timeoutMs, allow }: PingOptions): Promise<boolean> {
  const url = new URL(pingUrl)
  if (allow === 'none' || pingUrlProblem(url, allow) !== undefined) return Promise.resolve(false)
  const send =
    url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined
  if (send === undefined) return Promise.resolve(false)
  return new Promise((resolve) => {
    const req = send(
      url,
      {
        method: 'GET',
        lookup: guardedLookup(allow),
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.resume()
        resolve(res.statusCode === 200)
      },
    )
    req.on('error', () => resolve(false))
    req.end()
  })
}
