import { describe, expect, it } from 'vitest'

import { isPingAddressAllowed, pingUrlProblem } from './ping-policy.js'

describe('isPingAddressAllowed', () => {
  it.each([
    ['127.0.0.1', 'private', true],
    ['10.1.2.3', 'private', true],
    ['172.20.0.5', 'private', true],
    ['192.168.1.10', 'private', true],
    ['::1', 'private', true],
    ['fd00::7', 'private', true],
    ['::ffff:127.0.0.1', 'private', true],
    ['8.8.8.8', 'private', false],
    ['172.32.0.1', 'private', false],
    ['169.254.169.254', 'private', false],
    ['fe80::1', 'private', false],
    ['::ffff:8.8.8.8', 'private', false],
    ['2001:4860:4860::8888', 'private', false],
    ['8.8.8.8', 'any', true],
    ['127.0.0.1', 'none', false],
  ] as const)('answers %s under %s: %s', (address, allow, expected) => {
    expect(isPingAddressAllowed(address, allow)).toBe(expected)
  })
})

describe('pingUrlProblem', () => {
  it.each([
    ['http://8.8.8.8/health', 'private', '8.8.8.8 is not a loopback or private address'],
    ['http://[2001:db8::1]:8080/', 'private', '2001:db8::1 is not a loopback or private address'],
    ['http://127.0.0.1:3000/', 'private', undefined],
    ['http://api.internal:3000/', 'private', undefined],
    ['http://8.8.8.8/', 'any', undefined],
    ['http://8.8.8.8/', 'none', undefined],
  ] as const)(
    'refuses %s under %s only when the address is outside the ranges',
    (url, allow, problem) => {
      const found = pingUrlProblem(new URL(url), allow)

      if (problem === undefined) expect(found).toBeUndefined()
      else expect(found).toContain(problem)
    },
  )
})
