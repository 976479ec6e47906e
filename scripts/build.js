#!/usr/bin/env node
// Bundles the `hpm` entry into dist/hpm.mjs so each `hpm` start (agents call it often) skips
// compiling TypeScript at run time. bin/hpm.js uses the bundle only while it is newer than src/.
// Then builds the dashboard (web/) into dist/web, which `hpm serve` serves at `/`.
import { rmSync } from 'node:fs'

import { build } from 'esbuild'
import { build as buildWeb } from 'vite'

const EXTERNAL = [
  'better-sqlite3',
  'pg',
  'pg-native',
  'mysql2',
  'pino',
  'thread-stream',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  'write-file-atomic',
  '@fastify/static',
  '@modelcontextprotocol/sdk',
  'esbuild',
  'vite',
]

rmSync('dist', { recursive: true, force: true })

await build({
  entryPoints: { hpm: 'src/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // Commands load lazily; splitting keeps each in its own chunk so `hpm --help` loads little.
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Pure-JS dependencies are bundled: resolving and loading a package's many files (Kysely alone
  // is ~1,000) was most of a cold start. These stay outside: native code, packages that find files
  // of their own at run time (worker threads, static folders), optional drivers, and the heavy ones
  // loaded only on some paths.
  external: EXTERNAL,
  banner: {
    // Bundled CommonJS code calls require(); ESM output has none of its own.
    js: "import { createRequire as __hpmCreateRequire } from 'node:module'; const require = __hpmCreateRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
})

await buildWeb({ configFile: 'web/vite.config.ts', logLevel: 'warn' })
