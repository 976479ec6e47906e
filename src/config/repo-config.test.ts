import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { makeTempDir, writeFiles } from '../../test/fixtures/temp-repo.js'
import { loadRepoConfig, repoDirOf } from './repo-config.js'

describe('repoDirOf', () => {
  it('is cwd when --repo is not given', () => {
    expect(repoDirOf({}, '/work/project')).toBe('/work/project')
  })

  it('resolves a relative --repo against cwd', () => {
    expect(repoDirOf({ repo: '../other' }, '/work/project')).toBe('/work/other')
  })

  it('keeps an absolute --repo', () => {
    expect(repoDirOf({ repo: '/srv/repo' }, '/work/project')).toBe('/srv/repo')
  })
})

describe('loadRepoConfig', () => {
  it('puts worktrees and runner state inside the repository by default', async () => {
    const repo = await makeTempDir('hpm-repo-config-')

    const config = loadRepoConfig({ flags: {}, env: {}, cwd: repo })

    expect(config).toMatchObject({
      repoDir: repo,
      worktreeBase: join(repo, '.worktrees'),
      stateDir: join(repo, '.headless-pm', 'runner'),
      baseBranch: undefined,
      remote: undefined,
    })
  })

  it('resolves relative places from the environment against the repository, not cwd', async () => {
    const cwd = await makeTempDir('hpm-repo-config-')
    const repo = join(cwd, 'repo')
    await writeFiles(repo, { '.keep': '' })

    const config = loadRepoConfig({
      flags: { repo: 'repo' },
      env: { HEADLESS_PM_WORKTREE_BASE: '../trees', HEADLESS_PM_STATE_DIR: 'state' },
      cwd,
    })

    expect(config).toMatchObject({
      worktreeBase: join(cwd, 'trees'),
      stateDir: join(repo, 'state'),
    })
  })

  it('takes flags over the environment', async () => {
    const repo = await makeTempDir('hpm-repo-config-')
    const env = {
      HEADLESS_PM_WORKTREE_BASE: '/env/trees',
      HEADLESS_PM_BASE_BRANCH: 'env-base',
      HEADLESS_PM_GIT_REMOTE: 'env-remote',
    }

    const config = loadRepoConfig({
      flags: { worktreeBase: '/flag/trees', baseBranch: 'main', remote: 'origin' },
      env,
      cwd: repo,
    })

    expect(config).toMatchObject({
      worktreeBase: '/flag/trees',
      baseBranch: 'main',
      remote: 'origin',
    })
  })

  it("reads the repository's .env, with the real environment winning", async () => {
    const repo = await makeTempDir('hpm-repo-config-')
    await writeFiles(repo, {
      '.env': 'HEADLESS_PM_BASE_BRANCH=develop\nHEADLESS_PM_GIT_REMOTE=upstream\n',
    })

    const config = loadRepoConfig({
      flags: {},
      env: { HEADLESS_PM_GIT_REMOTE: 'origin' },
      cwd: repo,
    })

    expect(config).toMatchObject({ baseBranch: 'develop', remote: 'origin' })
  })

  it("looks up the server settings from the repository's .env, not cwd's", async () => {
    const cwd = await makeTempDir('hpm-repo-config-')
    const repo = await makeTempDir('hpm-repo-config-')
    await writeFiles(cwd, { '.env': 'HEADLESS_PM_API_URL=http://cwd:1\n' })
    await writeFiles(repo, { '.env': 'HEADLESS_PM_API_URL=http://repo:1\n' })

    const config = loadRepoConfig({ flags: { repo }, env: {}, cwd })

    expect(config.client.apiUrl).toBe('http://repo:1')
  })

  it('passes --url and --api-key to the server settings', async () => {
    const repo = await makeTempDir('hpm-repo-config-')

    const config = loadRepoConfig({
      flags: { url: 'http://flag:1', apiKey: 'flag-key' },
      env: {},
      cwd: repo,
    })

    expect(config.client).toMatchObject({
      apiUrl: 'http://flag:1',
      apiKey: 'flag-key',
      apiKeySource: 'flag',
    })
  })

  it('returns a frozen object, server settings included', async () => {
    const repo = await makeTempDir('hpm-repo-config-')

    const config = loadRepoConfig({ flags: {}, env: {}, cwd: repo })

    expect(Object.isFrozen(config) && Object.isFrozen(config.client)).toBe(true)
  })
})
