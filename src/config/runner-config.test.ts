import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { loadRunnerConfig } from './runner-config.js'

const flags = { role: 'backend_dev', agentId: 'dev_001' }
const load = (env: Record<string, string>) => loadRunnerConfig({ flags, env, cwd: tmpdir() })

describe('loadRunnerConfig: Claude environment lists', () => {
  it('are empty by default', () => {
    expect(load({})).toMatchObject({ claudeEnvDeny: [], claudeEnvPass: [] })
  })

  it('split comma-separated names and PREFIX* patterns', () => {
    const config = load({
      HEADLESS_PM_CLAUDE_ENV_DENY: ' AWS_*, JAVA_HOME ,,',
      HEADLESS_PM_CLAUDE_ENV_PASS: 'PG*',
    })

    expect(config.claudeEnvDeny).toEqual(['AWS_*', 'JAVA_HOME'])
    expect(config.claudeEnvPass).toEqual(['PG*'])
  })

  it('name the variable when an entry is not a name or pattern', () => {
    expect(() => load({ HEADLESS_PM_CLAUDE_ENV_PASS: 'A B,*X' })).toThrow(
      /HEADLESS_PM_CLAUDE_ENV_PASS: must be variable names or PREFIX\* patterns/,
    )
  })
})
