import { lookup as dnsLookup } from 'node:dns'
import type { LookupAddress, LookupOptions } from 'node:dns'
import { BlockList, isIP } from 'node:net'

/** `HPM_PING_ALLOW`: which addresses the server's service pings may reach. */
export const PING_ALLOW = ['any', 'private', 'none'] as const
export type PingAllow = (typeof PING_ALLOW)[number]

// Loopback and private ranges. Link-local (169.254/16, fe80::/10) is left out on purpose: it holds
// cloud metadata services, the classic target of a request forged through a server.
const PRIVATE = new BlockList()
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4')
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4')
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4')
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4')
PRIVATE.addAddress('::1', 'ipv6')
PRIVATE.addSubnet('fc00::', 7, 'ipv6')

/** Whether a ping may connect to `address` (an IP literal) under `allow`. */
export function isPingAddressAllowed(address: string, allow: PingAllow): boolean {
  if (allow === 'any') return true
  if (allow === 'none') return false
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
  const ip = mapped ?? address
  const family = isIP(ip)
  return family !== 0 && PRIVATE.check(ip, family === 4 ? 'ipv4' : 'ipv6')
}

/** The host of an http(s) URL as an IP literal (brackets removed), or undefined for a name. */
export function literalHost(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  return isIP(host) === 0 ? undefined : host
}

/**
 * Why `private` refuses `url`, known without a DNS lookup (an address outside the ranges);
 * undefined otherwise. With `none` any URL may be registered: it is just never pinged.
 */
export function pingUrlProblem(url: URL, allow: PingAllow): string | undefined {
  if (allow !== 'private') return undefined
  const host = literalHost(url)
  if (host === undefined || isPingAddressAllowed(host, allow)) return undefined
  return `${host} is not a loopback or private address; HPM_PING_ALLOW=${allow} pings only those`
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

/**
 * A `lookup` for http.request that refuses a name resolving outside `allow`: checked on the address
 * actually connected to, so a name cannot resolve one way when checked and another when used.
 */
export function guardedLookup(allow: PingAllow) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, [])
      const refused = addresses.find((a) => !isPingAddressAllowed(a.address, allow))
      if (refused) {
        return callback(
          Object.assign(
            new Error(
              `${hostname} resolves to ${refused.address}, which HPM_PING_ALLOW=${allow} does not allow`,
            ),
            { code: 'EPINGREFUSED' },
          ),
          [],
        )
      }
      if (options.all) return callback(null, addresses)
      const first = addresses[0]
      return first
        ? callback(null, first.address, first.family)
        : callback(
            Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
            [],
          )
    })
  }
}
