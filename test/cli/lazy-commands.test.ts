import { resolve } from 'node:path'

import { build } from 'esbuild'
import type { Metafile } from 'esbuild'
import { describe, expect, it } from 'vitest'

import { HPM_BUNDLE } from '../../scripts/bundle-options.js'
import { buildProgram } from '../../src/cli/program.js'

const REPO_ROOT = resolve(import.meta.dirname, '../..')

/**
 * What `hpm` loads before any command runs: the sources and packages of the bundle's entry chunk
 * and of every chunk it imports statically. A command's own modules come in through `import()`.
 */
async function loadedAtStart(): Promise<{ sources: string[]; packages: string[] }> {
  // Bundled as scripts/build.js does, kept in memory.
  const { metafile } = await build({
    ...HPM_BUNDLE,
    absWorkingDir: REPO_ROOT,
    write: false,
    metafile: true,
  })
  const outputs: Metafile['outputs'] = metafile.outputs
  const sources = new Set<string>()
  const packages = new Set<string>()
  const seen = new Set<string>()
  const visit = (path: string): void => {
    if (seen.has(path)) return
    seen.add(path)
    const output = outputs[path]
    if (output === undefined) return
    for (const input of Object.keys(output.inputs)) {
      // A bundled package counts as loaded like an external one.
      const bundled = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1]
      if (bundled === undefined) sources.add(input)
      else packages.add(bundled)
    }
    for (const imported of output.imports) {
      if (imported.kind !== 'import-statement') continue
      if (imported.external) packages.add(imported.path)
      else visit(imported.path)
    }
  }
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint === 'src/cli/main.ts')
  visit(entry ?? '')
  return { sources: [...sources], packages: [...packages] }
}

describe('the command tree loads lazily', () => {
  it('declares every command without loading the client, contract, server, store, runner or MCP', async () => {
    const { sources, packages } = await loadedAtStart()

    expect(sources).toContain('src/cli/program.ts')
    expect(sources).toContain('src/cli/commands/tasks.ts')
    // zod alone costs ~0.4 s per `hpm` start (see src/cli/choices.ts).
    expect(
      sources.filter((s) =>
        /^src\/(client|contract|config|server|db|runner|team|mcp|domain|demo)\//.test(s),
      ),
    ).toEqual([])
    expect(
      sources.filter((s) =>
        /^src\/cli\/commands\/(serve|mcp|run|team|db|init|demo|demo-scenarios)\.ts$/.test(s),
      ),
    ).toEqual([])
    expect(
      packages.filter((p) =>
        /^(zod|fastify|@fastify|kysely|better-sqlite3|pg|mysql2|@modelcontextprotocol|cli-table3|ora|execa|pino|write-file-atomic)(\/|$)/.test(
          p,
        ),
      ),
    ).toEqual([])
  })

  it('registers every command and flag on the program it returns, before any action runs', () => {
    const program = buildProgram({ setExit: () => {} })
    const leaves: string[] = []
    const walk = (command: typeof program, path: string): void => {
      if (command.commands.length === 0) leaves.push(path)
      for (const sub of command.commands) walk(sub, `${path} ${sub.name()}`)
    }
    walk(program, 'hpm')
    const byPath = (path: string) =>
      path
        .split(' ')
        .slice(1)
        .reduce((c, name) => c.commands.find((s) => s.name() === name) ?? c, program)

    expect(leaves).toHaveLength(51)
    for (const leaf of leaves) expect(byPath(leaf).description(), leaf).not.toBe('')
    expect(
      byPath('hpm tasks create').options.map((o) => [o.long, o.mandatory, o.defaultValue]),
    ).toEqual([
      ['--feature-id', true, undefined],
      ['--title', true, undefined],
      ['--description', false, undefined],
      ['--target-role', true, undefined],
      ['--difficulty', true, undefined],
      ['--complexity', false, 'major'],
      ['--branch', false, undefined],
      ['--priority', false, 0],
      ['--budget-usd', false, undefined],
      ['--agent-id', true, undefined],
    ])
    expect(byPath('hpm db import-v1').options.map((o) => o.long)).toEqual([
      '--dry-run',
      '--data-dir',
      '--database-url',
    ])
  })
})
