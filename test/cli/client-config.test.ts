import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { ConfigError, loadClientConfig } from '../../src/config/index.js'
import { tempDir } from './run-hpm.js'

/** A project folder with a `.env` and a nested folder to run from. */
async function makeProject(
  dotEnv?: string,
  keyFile?: string,
): Promise<{ root: string; nested: string }> {
  const root = await tempDir('hpm-config-')
  const nested = join(root, 'a', 'b')
  mkdirSync(nested, { recursive: true })
  if (dotEnv !== undefined) writeFileSync(join(root, '.env'), dotEnv)
  if (keyFile !== undefined) {
    mkdirSync(join(root, '.headless-pm'))
    writeFileSync(join(root, '.headless-pm', 'api-key'), keyFile)
  }
  return { root, nested }
}

describe('loadClientConfig', () => {
  it('uses flags over the environment over the nearest .env', async () => {
    const { nested } = await makeProject(
      'HEADLESS_PM_API_URL=http://dotenv:1\nHEADLESS_PM_API_KEY=dotenv-key\n',
    )

    const fromFlags = loadClientConfig({
      flags: { url: 'http://flag:1', apiKey: 'flag-key' },
      env: { HEADLESS_PM_API_URL: 'http://env:1', HEADLESS_PM_API_KEY: 'env-key' },
      cwd: nested,
    })
    const fromEnv = loadClientConfig({
      env: { HEADLESS_PM_API_URL: 'http://env:1', HEADLESS_PM_API_KEY: 'env-key' },
      cwd: nested,
    })
    const fromDotEnv = loadClientConfig({ env: {}, cwd: nested })

    expect(fromFlags).toMatchObject({
      apiUrl: 'http://flag:1',
      apiKey: 'flag-key',
      apiKeySource: 'flag',
    })
    expect(fromEnv).toMatchObject({
      apiUrl: 'http://env:1',
      apiKey: 'env-key',
      apiKeySource: 'env',
    })
    expect(fromDotEnv).toMatchObject({
      apiUrl: 'http://dotenv:1',
      apiKey: 'dotenv-key',
      apiKeySource: 'dotenv',
    })
  })

  it("never sends the environment's generic API_KEY (another tool's secret), but takes v1's API_KEY line from a .env", async () => {
    const { nested } = await makeProject('API_KEY=v1-dotenv-key\n')
    const bare = await tempDir('hpm-config-')

    const withDotEnv = loadClientConfig({ env: { API_KEY: 'someone-elses-secret' }, cwd: nested })
    const withoutDotEnv = loadClientConfig({
      env: { API_KEY: 'someone-elses-secret', HEADLESS_PM_DATA_DIR: join(bare, 'none') },
      cwd: bare,
    })

    expect(withDotEnv).toMatchObject({ apiKey: 'v1-dotenv-key', apiKeySource: 'dotenv' })
    expect(withoutDotEnv.apiKey).toBeUndefined()
  })

  it.each([
    [{ HEADLESS_PM_URL: 'http://v1:1' }, 'http://v1:1'],
    [{ HEADLESS_PM_API_URL: 'http://new:1', HEADLESS_PM_URL: 'http://v1:1' }, 'http://new:1'],
    [{ HEADLESS_PM_API_URL: 'http://h:1/api/v1/' }, 'http://h:1'],
    [{}, 'http://127.0.0.1:6969'],
  ])('reads the URL from %o as %s', async (env, url) => {
    const { nested } = await makeProject()

    expect(loadClientConfig({ env, cwd: nested }).apiUrl).toBe(url)
  })

  it.each([
    [{ API_KEY_HEADLESS_PM: 'b', API_KEY: 'c' }, 'b'],
    [{ API_KEY: 'c' }, 'c'],
    [{ HEADLESS_PM_API_KEY: 'a', API_KEY: 'c' }, 'a'],
  ])('takes the key names in v1 order from a .env holding %o', async (lines, key) => {
    const { nested } = await makeProject(
      Object.entries(lines)
        .map(([name, value]) => `${name}=${value}\n`)
        .join(''),
    )

    expect(loadClientConfig({ env: {}, cwd: nested }).apiKey).toBe(key)
  })

  it('falls back to the key `hpm serve` generated in .headless-pm/api-key', async () => {
    const { nested } = await makeProject(undefined, 'hpm_generated\n')

    expect(loadClientConfig({ env: {}, cwd: nested })).toMatchObject({
      apiKey: 'hpm_generated',
      apiKeySource: 'key-file',
    })
  })

  it('throws ConfigError naming the flag when the URL is not http(s)', async () => {
    const { nested } = await makeProject()

    expect(() =>
      loadClientConfig({ flags: { url: 'localhost:6969' }, env: {}, cwd: nested }),
    ).toThrow(ConfigError)
    expect(() => loadClientConfig({ flags: { url: 'ftp://x' }, env: {}, cwd: nested })).toThrow(
      '--url / HEADLESS_PM_API_URL: must be an http(s) URL',
    )
  })
})
