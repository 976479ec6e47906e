import { readFileSync } from 'node:fs'

import { RuleTester } from 'eslint'
import tseslint from 'typescript-eslint'
import { describe, expect, it } from 'vitest'

import { importDirection, LAYERS } from '../../scripts/eslint/import-direction.js'

RuleTester.describe = describe
RuleTester.it = it

/** The "may import" column of CONTRIBUTING.md's "Where things live" table, folder by folder. */
function contributingTable(): Record<string, string[]> {
  const text = readFileSync('CONTRIBUTING.md', 'utf8')
  const rows: Record<string, string[]> = {}
  for (const match of text.matchAll(/^\| `src\/(\w+)` \|.*\| ([^|]+) \|$/gm)) {
    const imports = match[2]!.trim()
    rows[match[1]!] = imports === 'nothing of ours' ? [] : imports.split(', ')
  }
  return rows
}

describe('the import-direction table', () => {
  it("is the one CONTRIBUTING.md's 'Where things live' shows", () => {
    const documented = contributingTable()

    const sorted = (table: Record<string, readonly string[]>) =>
      Object.fromEntries(
        Object.entries(table)
          .map(([folder, imports]) => [folder, [...imports].sort()])
          .sort(([a], [b]) => String(a).localeCompare(String(b))),
      )
    expect(sorted(documented)).toEqual(sorted(LAYERS))
  })
})

const root = process.cwd()
new RuleTester({ languageOptions: { parser: tseslint.parser } }).run(
  'import-direction',
  importDirection,
  {
    valid: [
      { filename: `${root}/src/runner/x.ts`, code: "import { a } from '../client/index.js'" },
      { filename: `${root}/src/db/x.ts`, code: "import { a } from './tasks-repository.js'" },
      {
        filename: `${root}/src/cli/commands/serve.ts`,
        code: "import { a } from '../../server/app.js'",
      },
      {
        filename: `${root}/src/runner/x.test.ts`,
        code: "import { a } from '../../test/fixtures/temp-repo.js'",
      },
      { filename: `${root}/test/helpers/x.ts`, code: "import { a } from '../../src/db/index.js'" },
      { filename: `${root}/src/runner/x.ts`, code: "import { execa } from 'execa'" },
    ],
    invalid: [
      {
        filename: `${root}/src/runner/x.ts`,
        code: "import { a } from '../db/index.js'",
        errors: [{ messageId: 'upward' }],
      },
      {
        filename: `${root}/src/contract/x.ts`,
        code: "export { a } from '../domain/index.js'",
        errors: [{ messageId: 'upward' }],
      },
      {
        filename: `${root}/src/cli/commands/tasks.ts`,
        code: "const server = await import('../../server/app.js')",
        errors: [{ messageId: 'upward' }],
      },
      {
        filename: `${root}/src/cli/commands/demo.ts`,
        code: "import { a } from '../../../test/fixtures/fake-claude/x.js'",
        errors: [{ messageId: 'outside' }],
      },
    ],
  },
)
