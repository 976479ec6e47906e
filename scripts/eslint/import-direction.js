// The import direction of CONTRIBUTING.md's "Where things live" table, as a lint rule. This table is
// the one the rule enforces; test/docs/import-direction.test.ts checks CONTRIBUTING says the same.
import path from 'node:path'

/** Which folders of src/ each folder may import (its own is always allowed). */
export const LAYERS = {
  contract: [],
  domain: ['contract'],
  config: ['contract'],
  lib: [],
  db: ['domain', 'contract'],
  server: ['db', 'domain', 'contract', 'config', 'lib', 'mcp', 'client'],
  client: ['contract'],
  cli: ['client', 'contract', 'config', 'lib', 'runner', 'mcp', 'team', 'demo'],
  runner: ['client', 'contract', 'config', 'lib'],
  mcp: ['client', 'contract', 'config', 'lib'],
  team: ['client', 'contract', 'config', 'lib'],
  demo: ['contract', 'lib'],
}

/**
 * Files that reach further by design: `hpm serve`, `hpm demo` and `hpm db` run the server and the
 * store in-process, and `main` reports the errors those raise.
 */
export const EXCEPTIONS = {
  'src/cli/commands/serve.ts': ['server', 'db', 'domain'],
  'src/cli/commands/demo.ts': ['server', 'db', 'domain'],
  'src/cli/commands/db.ts': ['server', 'db', 'domain'],
  'src/cli/main.ts': ['domain'],
}

const root = path.resolve(import.meta.dirname, '..', '..')

function layerOf(file) {
  const relative = path.relative(root, file).split(path.sep)
  if (relative[0] !== 'src') return { inSrc: false }
  return {
    inSrc: true,
    layer: relative.length > 2 ? relative[1] : undefined,
    relative: relative.join('/'),
  }
}

/** @type {import('eslint').Rule.RuleModule} */
export const importDirection = {
  meta: {
    type: 'problem',
    docs: { description: "imports follow CONTRIBUTING's folder table" },
    schema: [],
    messages: {
      upward:
        "src/{{from}} may not import src/{{to}} (CONTRIBUTING.md, 'Where things live'); it may import: {{allowed}}",
      outside: 'shipped code under src/ may not import {{target}}, which is outside src/',
      unknown:
        'src/{{from}} is not in the folder table of scripts/eslint/import-direction.js; add it there and to CONTRIBUTING.md',
    },
  },
  create(context) {
    const from = layerOf(context.filename)
    if (!from.inSrc || from.layer === undefined) return {}
    const allowed = LAYERS[from.layer]
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return
      if (allowed === undefined) {
        context.report({ node, messageId: 'unknown', data: { from: from.layer } })
        return
      }
      const to = layerOf(path.resolve(path.dirname(context.filename), source))
      // Tests live beside the code but do not ship: they may use test/ fixtures.
      if (!to.inSrc && !context.filename.endsWith('.test.ts')) {
        context.report({ node, messageId: 'outside', data: { target: source } })
        return
      }
      if (
        !to.inSrc ||
        to.layer === undefined ||
        to.layer === from.layer ||
        allowed.includes(to.layer)
      )
        return
      if (EXCEPTIONS[from.relative]?.includes(to.layer)) return
      context.report({
        node,
        messageId: 'upward',
        data: {
          from: from.layer,
          to: to.layer,
          allowed: allowed.length > 0 ? allowed.join(', ') : 'nothing of ours',
        },
      })
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    }
  },
}
