import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

import { PACKAGE_ROOT } from '../lib/index.js'

const ROLE_NAME = /^[a-z][a-z_]*$/

function readFileIfPresent(file: string): string | undefined {
  return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined
}

/**
 * The runner-mode role prompt for `role`: written for an agent that does one task the runner has
 * already claimed, reports it once and ends its session. First found wins:
 *
 * 1. `<repoDir>/headless-pm/runner_roles/<role>.md`: the project's own runner prompt;
 * 2. `agents/runner_roles/<role>.md` in this package;
 * 3. a one-line fallback.
 *
 * `<repoDir>/headless-pm/team_roles/` is deliberately not read: it holds the interactive prompts
 * (`hpm init --with-roles` copies them there), which loop, claim tasks and change statuses
 * themselves, and would contradict the runner's single reporting instruction (issue 8).
 */
export function readRunnerRolePrompt(repoDir: string, role: string): string {
  if (ROLE_NAME.test(role)) {
    for (const dir of [
      join(repoDir, 'headless-pm', 'runner_roles'),
      join(PACKAGE_ROOT, 'agents', 'runner_roles'),
    ]) {
      const text = readFileIfPresent(join(dir, `${role}.md`))
      if (text !== undefined) return text
    }
  }
  return `You are a ${role} agent in a team coordinated by Headless PM.`
}
