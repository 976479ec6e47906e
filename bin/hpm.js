#!/usr/bin/env node
// The package ships TypeScript sources and runs them through tsx, so `npm install && npm start`
// works on a fresh clone without a build step.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
await main(process.argv)
