import { describe, expect, it } from 'vitest'
import { childEnv } from './child-env.js'
import { runProcess } from './process.js'

describe('childEnv', () => {
  const base = {
    PATH: '/usr/bin',
    HOME: '/home/a',
    LC_ALL: 'C.UTF-8',
    GIT_AUTHOR_NAME: 'A',
    GIT_DIR: '/elsewhere/.git',
    DATABASE_URL: 'postgres://secret',
    HEADLESS_PM_API_KEY: 'secret',
    ANTHROPIC_API_KEY: 'sk',
    NODE_OPTIONS: '--inspect',
  }

  it('keeps allow-listed variables and drops secrets and repository pointers', () => {
    const env = childEnv({}, { base })

    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/a',
      LC_ALL: 'C.UTF-8',
      GIT_AUTHOR_NAME: 'A',
    })
  })

  it('adds extras, passes extra prefixes, and removes variables set to undefined', () => {
    const env = childEnv(
      { HEADLESS_PM_API_KEY: 'given', HOME: undefined },
      { base, passPrefixes: ['ANTHROPIC_'] },
    )

    expect(env.HEADLESS_PM_API_KEY).toBe('given')
    expect(env.ANTHROPIC_API_KEY).toBe('sk')
    expect(env.HOME).toBeUndefined()
    expect(env.DATABASE_URL).toBeUndefined()
  })

  it('is what a child of runProcess sees by default', async () => {
    const result = await runProcess('sh', ['-c', 'echo "${DATABASE_URL:-unset}"'])

    expect(result.stdout).toBe('unset\n')
  })
})
