// How `hpm` is bundled: scripts/build.js writes it to dist/, and test/cli/lazy-commands.test.ts
// bundles it the same way in memory to check what a start loads.

/**
 * Left out of the bundle: native code, packages that find files of their own at run time (worker
 * threads, static folders, their own package.json or __filename), optional drivers, and the heavy
 * ones loaded only on some paths. Everything else is bundled: resolving and loading a package's many
 * files (Kysely alone is ~1,000) was most of a cold start.
 */
export const EXTERNAL = [
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

/** @type {import('esbuild').BuildOptions} */
export const HPM_BUNDLE = {
  entryPoints: { hpm: 'src/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // Commands load lazily; splitting keeps each in its own chunk so `hpm --help` loads little.
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  banner: {
    // Bundled CommonJS code calls require(); ESM output has none of its own.
    js: "import { createRequire as __hpmCreateRequire } from 'node:module'; const require = __hpmCreateRequire(import.meta.url);",
  },
}
