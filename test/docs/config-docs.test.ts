import { readdirSync, readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { CONFIG_DOCS_PATH, renderConfigDocs } from '../../scripts/gen-config-docs.js'

const CONFIG_DIR = new URL('../../src/config/', import.meta.url)

/** Every `HPM_*` / `HEADLESS_PM_*` name the config loaders' source mentions. */
function variablesNamedInConfig(): string[] {
  const names = new Set<string>()
  for (const file of readdirSync(CONFIG_DIR)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue
    const text = readFileSync(new URL(file, CONFIG_DIR), 'utf8')
    for (const [name] of text.matchAll(/\b(?:HPM|HEADLESS_PM)_[A-Z0-9_]*[A-Z0-9]\b/g))
      names.add(name)
  }
  return [...names].sort()
}

describe('docs/config.md', () => {
  it('is what `npm run gen` writes from the config schemas and the hpm command tree', () => {
    const written = readFileSync(CONFIG_DOCS_PATH, 'utf8')

    expect(written, 'docs/config.md is out of date: run `npm run gen`').toBe(renderConfigDocs())
  })

  it('documents every variable the config loaders name', () => {
    const doc = renderConfigDocs()

    const missing = variablesNamedInConfig().filter((name) => !doc.includes(`\`${name}\``))

    expect(missing, 'add them to the loaders’ variable tables in src/config').toEqual([])
  })
})
