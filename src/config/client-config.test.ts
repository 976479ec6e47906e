import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { makeTempDir, writeFiles } from '../../test/fixtures/temp-repo.js'
import { findGeneratedApiKey, loadClientConfig } from './client-config.js'

// test/cli/client-config.test.ts covers the precedence of flags, environment and `.env`, v1's
// variable names and the URL forms; these cover where the generated key is found and what is reported.

describe('findGeneratedApiKey', () => {
  it('reads the key from HEADLESS_PM_DATA_DIR before the nearest .headless-pm', async () => {
    const root = await makeTempDir('hpm-client-config-')
    await writeFiles(root, {
      'data/api-key': 'hpm_from_data_dir\n',
      '.headless-pm/api-key': 'hpm_nearest\n',
    })

    const found = findGeneratedApiKey({ HEADLESS_PM_DATA_DIR: join(root, 'data') }, root)

    expect(found).toEqual({ key: 'hpm_from_data_dir', path: join(root, 'data', 'api-key') })
  })

  it('resolves a relative HEADLESS_PM_DATA_DIR against cwd', async () => {
    const root = await makeTempDir('hpm-client-config-')
    await writeFiles(root, { 'data/api-key': 'hpm_relative' })

    const found = findGeneratedApiKey({ HEADLESS_PM_DATA_DIR: 'data' }, root)

    expect(found?.key).toBe('hpm_relative')
  })

  it('finds the nearest .headless-pm/api-key in a folder above cwd', async () => {
    const root = await makeTempDir('hpm-client-config-')
    await writeFiles(root, { '.headless-pm/api-key': 'hpm_above', 'a/b/.keep': '' })

    const found = findGeneratedApiKey({}, join(root, 'a', 'b'))

    expect(found).toEqual({ key: 'hpm_above', path: join(root, '.headless-pm', 'api-key') })
  })

  it('skips an empty key file and goes on to the next place', async () => {
    const root = await makeTempDir('hpm-client-config-')
    await writeFiles(root, { 'data/api-key': '\n', '.headless-pm/api-key': 'hpm_nearest' })

    const found = findGeneratedApiKey({ HEADLESS_PM_DATA_DIR: join(root, 'data') }, root)

    expect(found?.key).toBe('hpm_nearest')
  })
})

describe('loadClientConfig', () => {
  it('reports no key and the source none when no place has one', async () => {
    const root = await makeTempDir('hpm-client-config-')

    const config = loadClientConfig({
      env: { HEADLESS_PM_DATA_DIR: join(root, 'empty') },
      cwd: root,
    })

    expect(config).toMatchObject({ apiKey: undefined, apiKeySource: 'none' })
  })

  it("takes v1's API_KEY_HEADLESS_PM from the environment as an env key", async () => {
    const root = await makeTempDir('hpm-client-config-')

    const config = loadClientConfig({ env: { API_KEY_HEADLESS_PM: 'v1-env-key' }, cwd: root })

    expect(config).toMatchObject({ apiKey: 'v1-env-key', apiKeySource: 'env' })
  })

  it('treats an empty HEADLESS_PM_API_KEY in the environment as unset', async () => {
    const root = await makeTempDir('hpm-client-config-')
    await writeFiles(root, { '.env': 'HEADLESS_PM_API_KEY=dotenv-key\n' })

    const config = loadClientConfig({ env: { HEADLESS_PM_API_KEY: '' }, cwd: root })

    expect(config).toMatchObject({ apiKey: 'dotenv-key', apiKeySource: 'dotenv' })
  })

  it('reports the .env file it read', async () => {
    const root = await makeTempDir('hpm-client-config-')
    await writeFiles(root, { '.env': 'HEADLESS_PM_API_URL=http://dotenv:1\n', 'a/.keep': '' })

    const config = loadClientConfig({ env: {}, cwd: join(root, 'a') })

    expect(config.dotEnvPath).toBe(join(root, '.env'))
  })

  it('finds the generated key in the HEADLESS_PM_DATA_DIR a .env names', async () => {
    const root = await makeTempDir('hpm-client-config-')
    await writeFiles(root, { '.env': 'HEADLESS_PM_DATA_DIR=state\n', 'state/api-key': 'hpm_k' })

    const config = loadClientConfig({ env: {}, cwd: root })

    expect(config).toMatchObject({ apiKey: 'hpm_k', apiKeySource: 'key-file' })
  })

  it('returns a frozen object', async () => {
    const root = await makeTempDir('hpm-client-config-')

    const config = loadClientConfig({ env: {}, cwd: root })

    expect(Object.isFrozen(config)).toBe(true)
  })
})
