import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

function findOnPath(name: string): string | undefined {
  const explicit = process.env.HPM_TEST_CLAUDE_BIN
  if (explicit) return explicit
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name)
    if (dir && existsSync(candidate)) return candidate
  }
  return undefined
}

/** The real Claude Code CLI for the real-claude lane: HPM_TEST_CLAUDE_BIN, else `claude` on PATH. */
export const REAL_CLAUDE = findOnPath('claude')

/** CI (HPM_REQUIRE_ALL_LANES=1) fails a lane instead of skipping it. */
export const MUST_RUN_ALL_LANES = process.env.HPM_REQUIRE_ALL_LANES === '1'

/** Says plainly that the lane is skipped (or required and missing); true when its tests should be declared. */
export function realClaudeLane(what: string): boolean {
  if (!REAL_CLAUDE) {
    process.stdout.write(
      `real-claude lane (${what}) ${MUST_RUN_ALL_LANES ? 'REQUIRED but' : ''} skipped: no \`claude\` on PATH (npm i -g @anthropic-ai/claude-code, or set HPM_TEST_CLAUDE_BIN)\n`,
    )
  }
  return Boolean(REAL_CLAUDE) || MUST_RUN_ALL_LANES
}
