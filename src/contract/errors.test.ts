import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { ERROR_CODES, ERROR_STATUS } from './index.js'

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
const documented = new Map(
  [...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1] as string, Number(m[2])]),
)

describe('error catalogue', () => {
  it('documents every code with its status in docs/errors.md', () => {
    for (const code of ERROR_CODES) {
      expect(documented.get(code), `docs/errors.md row for ${code}`).toBe(ERROR_STATUS[code])
    }
  })

  it('documents no code the table lacks', () => {
    expect([...documented.keys()].filter((c) => !(c in ERROR_STATUS))).toEqual([])
  })
})
