import { join } from 'node:path'

import { PACKAGE_ROOT } from '../lib/index.js'
import type { Team, TeamAgent } from './team-file.js'

/** This package's own `hpm`, run with the same node: runners and supervisor never differ in version. */
export const HPM_BIN = join(PACKAGE_ROOT, 'bin', 'hpm.js')

/** The `hpm run` command line of one team agent (argv for node, no shell). */
export function runnerArgv(team: Team, agent: TeamAgent): string[] {
  const argv = [
    HPM_BIN,
    'run',
    '--role',
    agent.role,
    '--agent-id',
    agent.agentId,
    '--level',
    agent.level,
    '--repo',
    team.repoDir,
  ]
  if (team.server !== undefined) argv.push('--url', team.server)
  if (agent.hooksDir !== undefined) argv.push('--hooks-dir', agent.hooksDir)
  argv.push(...agent.args)
  return argv
}

/**
 * The runner's environment: the supervisor's own (as a shell would pass it: Claude needs the
 * user's credentials and toolchain), then the agent's model map and its own variables.
 */
export function runnerEnv(
  base: Readonly<Record<string, string | undefined>>,
  agent: TeamAgent,
): Record<string, string | undefined> {
  const models: Record<string, string | undefined> = {
    HEADLESS_PM_MODEL_JUNIOR: agent.models.junior,
    HEADLESS_PM_MODEL_SENIOR: agent.models.senior,
    HEADLESS_PM_MODEL_PRINCIPAL: agent.models.principal,
  }
  const env: Record<string, string | undefined> = { ...base }
  for (const [name, value] of Object.entries(models)) if (value !== undefined) env[name] = value
  return { ...env, ...agent.env }
}
