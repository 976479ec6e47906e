#!/usr/bin/env node
// The `claude` that `hpm demo` gives its runners (HEADLESS_PM_CLAUDE_BIN): plays the script in
// CLAUDE_FAKE_SCENARIO (the demo's are in hello-task.ts) the way print-mode Claude would report
// real work, so the demo needs no Claude account.
import { loadScript, startPrintMode } from './scripted-claude.js'

const claude = startPrintMode(process.argv.slice(2))
const script = loadScript(process.env.CLAUDE_FAKE_SCENARIO, 'CLAUDE_FAKE_SCENARIO')
await claude.play(claude.substitute(script))
