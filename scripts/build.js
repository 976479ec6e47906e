#!/usr/bin/env node
// Bundles the `hpm` entry into dist/hpm.mjs so each `hpm` start (agents call it often) skips
// compiling TypeScript at run time. bin/hpm.js uses the bundle only while it is newer than src/.
// Then builds the dashboard (web/) into dist/web, which `hpm serve` serves at `/`.
import { rmSync } from 'node:fs'

import { build } from 'esbuild'
import { build as buildWeb } from 'vite'

import { HPM_BUNDLE } from './bundle-options.js'

rmSync('dist', { recursive: true, force: true })

await build({ ...HPM_BUNDLE, sourcemap: true, logLevel: 'warning' })

await buildWeb({ configFile: 'web/vite.config.ts', logLevel: 'warn' })
