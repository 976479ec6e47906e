import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { FAILURE_CATEGORIES, RECOVERY } from '../../src/runner/recovery.js'
import type { RetryPolicy } from '../../src/runner/recovery.js'

const POLICIES = ['immediate', 'backoff', 'operator', 'none'] as const satisfies RetryPolicy[]

interface FailureRow {
  /** The class names in the first cell (`hook_failed` / `hook_timeout` share one row). */
  classes: string[]
  retry: string
}

/** The rows of the table under "## Failure classes" in docs/runner-spec.md. */
function failureRows(): FailureRow[] {
  const doc = readFileSync(new URL('../../docs/runner-spec.md', import.meta.url), 'utf8')
  const section = doc.split(/^## /m).find((part) => part.startsWith('Failure classes\n'))
  if (section === undefined) throw new Error('docs/runner-spec.md has no "## Failure classes"')
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| class |'))
    .map((line) => {
      const [name = '', retry = ''] = line.split(' | ')
      return {
        classes: [...name.matchAll(/`([a-z_]+)`/g)].map((match) => match[1] as string),
        retry: retry.replace(/`/g, ''),
      }
    })
}

describe('docs/runner-spec.md failure classes', () => {
  const rows = failureRows()

  it('give every category of src/runner/recovery.ts its retry policy', () => {
    const documented = FAILURE_CATEGORIES.map((category) => [
      category,
      rows.find((row) => row.classes.includes(category))?.retry ?? 'no row',
    ])

    expect(Object.fromEntries(documented)).toEqual(
      Object.fromEntries(
        FAILURE_CATEGORIES.map((category) => [category, RECOVERY[category].retry]),
      ),
    )
  })

  it('name no class that src/runner/recovery.ts lacks', () => {
    const unknown = rows
      .flatMap((row) => row.classes)
      .filter((name) => !(FAILURE_CATEGORIES as string[]).includes(name))

    expect(unknown).toEqual([])
  })

  it('give each row, situations included, a known retry policy', () => {
    for (const row of rows) expect(POLICIES).toContain(row.retry)
  })
})
