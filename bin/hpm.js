#!/usr/bin/env node
// Runs the prebuilt bundle (dist/hpm.mjs, made by `npm install` / `npm run build`) when it is
// newer than every source file; otherwise the TypeScript sources through tsx, so an edit is never
// run stale and a fresh clone works before any build.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bundle = join(root, 'dist', 'hpm.mjs')

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs
    if (mtime > newest) newest = mtime
  }
  return newest
}

let main
if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestMtime(join(root, 'src'))) {
  ;({ main } = await import(bundle))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../src/cli/main.ts'))
}
await main(process.argv)
