import { join } from 'node:path'

import { PACKAGE_ROOT } from '../lib/index.js'

/**
 * The demo's stand-in `claude` (claude.js beside this file), for HEADLESS_PM_CLAUDE_BIN: it plays
 * the `ClaudeScript` given as JSON in CLAUDE_FAKE_SCENARIO. Found from the package root because it
 * runs as its own process, outside the dist bundle.
 */
export const SCRIPTED_CLAUDE_BIN = join(PACKAGE_ROOT, 'src', 'demo', 'claude.js')

/** One step of a script; scripted-claude.js says what each does and which events it prints. */
export type ClaudeStep =
  | { text: string }
  | { write: { path: string; content: string } }
  | { append: { path: string; content: string } }
  | { delete: string }
  | { run: string[]; timeoutMs?: number }
  | { sleep: number }

/**
 * What the scripted Claude does in one run. Strings may hold `{task_id}` and `{agent_id}` (from the
 * prompt), `{session_id}` and `{cwd}`.
 */
export interface ClaudeScript {
  steps: ClaudeStep[]
  /** The result text; defaults to "Done.". */
  result?: string
}

/** The step by which an agent reports `status` for its task (the prompt's), through `hpm`. */
export function reportStatusStep(status: string, notes: string): ClaudeStep {
  return {
    run: [
      'hpm',
      'tasks',
      'status',
      '{task_id}',
      '--status',
      status,
      '--agent-id',
      '{agent_id}',
      '--notes',
      notes,
    ],
  }
}
