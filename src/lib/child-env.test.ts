import { describe, expect, it } from 'vitest'
import { childEnv, passThroughEnv } from './child-env.js'
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

describe('passThroughEnv', () => {
  const base = {
    PATH: '/usr/bin',
    HOME: '/home/a',
    AWS_REGION: 'eu-west-1',
    AWS_PROFILE: 'bedrock',
    CLOUD_ML_REGION: 'us-east5',
    GOOGLE_APPLICATION_CREDENTIALS: '/home/a/gcp.json',
    NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem',
    JAVA_HOME: '/opt/jdk',
    ANTHROPIC_API_KEY: 'sk',
    CLAUDE_CODE_USE_BEDROCK: '1',
    GIT_AUTHOR_NAME: 'A',
    HEADLESS_PM_API_KEY: 'runner-key',
    HEADLESS_PM_API_URL: 'http://runner',
    HEADLESS_PM_STATE_DIR: '/state',
    API_KEY_HEADLESS_PM: 'k2',
    API_KEY: 'k3',
    DATABASE_URL: 'postgres://secret',
    HPM_TEST_PG_URL: 'postgres://test',
    HPM_LOG_LEVEL: 'debug',
    PGPASSWORD: 'pw',
    PGHOST: 'db',
    GIT_DIR: '/elsewhere/.git',
    GIT_WORK_TREE: '/elsewhere',
    GIT_INDEX_FILE: '/elsewhere/.git/index',
    GIT_COMMON_DIR: '/elsewhere/.git',
    GIT_OBJECT_DIRECTORY: '/elsewhere/.git/objects',
    GIT_PREFIX: 'sub/',
  }

  it('passes the user environment but not server secrets, settings or repository pointers', () => {
    const env = passThroughEnv({}, { base })

    expect(Object.keys(env).sort()).toEqual([
      'ANTHROPIC_API_KEY',
      'AWS_PROFILE',
      'AWS_REGION',
      'CLAUDE_CODE_USE_BEDROCK',
      'CLOUD_ML_REGION',
      'GIT_AUTHOR_NAME',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'HOME',
      'JAVA_HOME',
      'NODE_EXTRA_CA_CERTS',
      'PATH',
    ])
  })

  it('takes extras unfiltered, and removes variables set to undefined', () => {
    const env = passThroughEnv(
      {
        HEADLESS_PM_API_KEY: 'agent-key',
        HEADLESS_PM_API_URL: 'http://agent',
        JAVA_HOME: undefined,
      },
      { base },
    )

    expect(env.HEADLESS_PM_API_KEY).toBe('agent-key')
    expect(env.HEADLESS_PM_API_URL).toBe('http://agent')
    expect(env.JAVA_HOME).toBeUndefined()
    expect(env.HEADLESS_PM_STATE_DIR).toBeUndefined()
  })

  it('denies more names and PREFIX* patterns', () => {
    const env = passThroughEnv({}, { base, deny: ['AWS_*', 'JAVA_HOME'] })

    expect(env.AWS_REGION).toBeUndefined()
    expect(env.AWS_PROFILE).toBeUndefined()
    expect(env.JAVA_HOME).toBeUndefined()
    expect(env.CLOUD_ML_REGION).toBe('us-east5')
  })

  it('passes denied names listed in pass, but never the repository pointers', () => {
    const env = passThroughEnv(
      {},
      { base, deny: ['AWS_*'], pass: ['PG*', 'AWS_REGION', 'GIT_*', 'GIT_DIR', 'HPM_LOG_LEVEL'] },
    )

    expect(env).toMatchObject({
      PGPASSWORD: 'pw',
      PGHOST: 'db',
      AWS_REGION: 'eu-west-1',
      HPM_LOG_LEVEL: 'debug',
    })
    expect(env.AWS_PROFILE).toBeUndefined()
    expect(env.HPM_TEST_PG_URL).toBeUndefined()
    expect(Object.keys(env).filter((name) => name.startsWith('GIT_'))).toEqual(['GIT_AUTHOR_NAME'])
  })

  it('with deny "*" becomes an allow-list of pass', () => {
    const env = passThroughEnv(
      { HEADLESS_PM_API_KEY: 'agent-key' },
      { base, deny: ['*'], pass: ['PATH', 'AWS_*'] },
    )

    expect(env).toEqual({
      PATH: '/usr/bin',
      AWS_REGION: 'eu-west-1',
      AWS_PROFILE: 'bedrock',
      HEADLESS_PM_API_KEY: 'agent-key',
    })
  })
})
