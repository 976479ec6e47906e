import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { findGitRepo, initProject, mergeDotEnvText } from '../../src/cli/commands/init.js'
import { tempDir } from './run-hpm.js'

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@example.test',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@example.test',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, env: gitEnv, stdio: 'ignore' })
}

describe('mergeDotEnvText', () => {
  const values = { HEADLESS_PM_API_URL: 'http://h:1', HEADLESS_PM_API_KEY: 'k1' }

  it.each([
    [
      'an empty file',
      '',
      '# Headless PM: where agents find the coordination server (written by `hpm init`)\nHEADLESS_PM_API_URL=http://h:1\nHEADLESS_PM_API_KEY=k1\n',
    ],
    [
      'a file with other lines and no trailing newline',
      'A=1\n# note',
      'A=1\n# note\n\n# Headless PM: where agents find the coordination server (written by `hpm init`)\nHEADLESS_PM_API_URL=http://h:1\nHEADLESS_PM_API_KEY=k1\n',
    ],
    [
      'assignments already there (in place, export kept)',
      'export HEADLESS_PM_API_URL=old\nB=2\nHEADLESS_PM_API_KEY = "old"\n',
      'export HEADLESS_PM_API_URL=http://h:1\nB=2\nHEADLESS_PM_API_KEY=k1\n',
    ],
    [
      'one of the two there',
      'HEADLESS_PM_API_KEY=old\n',
      'HEADLESS_PM_API_KEY=k1\n\n# Headless PM: where agents find the coordination server (written by `hpm init`)\nHEADLESS_PM_API_URL=http://h:1\n',
    ],
  ])('sets the values in %s and keeps every other line', (_case, input, expected) => {
    expect(mergeDotEnvText(input, values)).toBe(expected)
  })

  it('quotes a value with spaces or #', () => {
    expect(mergeDotEnvText('', { K: 'a b#c"d' })).toContain('K="a b#c\\"d"\n')
  })
})

describe('initProject', () => {
  it("writes the key from the environment over the server's key file", async () => {
    const repo = await tempDir('hpm-init-')
    git(repo, 'init', '-q')
    mkdirSync(join(repo, '.headless-pm'))
    writeFileSync(join(repo, '.headless-pm', 'api-key'), 'from-key-file\n')

    const result = await initProject({ env: { HEADLESS_PM_API_KEY: 'from-env-123' }, cwd: repo })

    expect(result).toMatchObject({
      api_key: 'written',
      api_key_source: 'env',
      api_url: 'http://127.0.0.1:6969',
    })
    expect(readFileSync(join(repo, '.env'), 'utf8')).toContain('HEADLESS_PM_API_KEY=from-env-123\n')
  })

  it('writes only the URL and returns a hint when no key is found anywhere', async () => {
    const repo = await tempDir('hpm-init-')
    git(repo, 'init', '-q')

    const result = await initProject({
      env: { HEADLESS_PM_DATA_DIR: join(repo, 'none') },
      cwd: repo,
    })

    expect(result.api_key).toBe('missing')
    expect(result.hints[0]).toContain('hpm serve')
    expect(readFileSync(join(repo, '.env'), 'utf8')).not.toContain('HEADLESS_PM_API_KEY')
  })

  it("adds the excludes to the main repository's info/exclude when run in a worktree", async () => {
    const repo = await tempDir('hpm-init-')
    git(repo, 'init', '-q')
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'root')
    const worktree = join(repo, '.worktrees', 'task-1')
    git(repo, 'worktree', 'add', '-q', '-b', 'feature/task-1', worktree)

    const found = await findGitRepo(join(worktree))
    const result = await initProject({ env: { HEADLESS_PM_API_KEY: 'k-12345678' }, cwd: worktree })

    expect(found).toEqual({ root: worktree, commonDir: join(repo, '.git') })
    expect(result.project_dir).toBe(worktree)
    expect(readFileSync(join(repo, '.git', 'info', 'exclude'), 'utf8')).toContain('.worktrees/\n')
  })

  it('changes nothing on a second run and keeps role prompts that were edited', async () => {
    const repo = await tempDir('hpm-init-')
    git(repo, 'init', '-q')
    const options = {
      dir: repo,
      url: 'http://h:1',
      apiKey: 'key-123456',
      withRoles: true,
      env: {},
      cwd: repo,
    }
    await initProject(options)
    writeFileSync(join(repo, 'headless-pm', 'team_roles', 'pm.md'), 'my own pm prompt')
    const envBefore = readFileSync(join(repo, '.env'), 'utf8')
    const excludeBefore = readFileSync(join(repo, '.git', 'info', 'exclude'), 'utf8')

    const again = await initProject(options)

    expect(again).toMatchObject({
      api_key: 'unchanged',
      api_key_source: 'flag',
      exclude_added: [],
      roles_copied: [],
    })
    expect(again.roles_skipped).toContain('pm.md')
    expect(readFileSync(join(repo, '.env'), 'utf8')).toBe(envBefore)
    expect(readFileSync(join(repo, '.git', 'info', 'exclude'), 'utf8')).toBe(excludeBefore)
    expect(readFileSync(join(repo, 'headless-pm', 'team_roles', 'pm.md'), 'utf8')).toBe(
      'my own pm prompt',
    )
  })

  it('overwrites role prompts with --force', async () => {
    const repo = await tempDir('hpm-init-')
    git(repo, 'init', '-q')
    await initProject({ withRoles: true, env: {}, cwd: repo })
    writeFileSync(join(repo, 'headless-pm', 'team_roles', 'qa.md'), 'stale')

    const result = await initProject({ withRoles: true, force: true, env: {}, cwd: repo })

    expect(result.roles_copied).toContain('qa.md')
    expect(readFileSync(join(repo, 'headless-pm', 'team_roles', 'qa.md'), 'utf8')).toContain(
      'hpm tasks claim',
    )
  })

  it('rejects a --url that is not http(s)', async () => {
    const repo = await tempDir('hpm-init-')
    git(repo, 'init', '-q')

    await expect(initProject({ url: 'ftp://x', env: {}, cwd: repo })).rejects.toThrow(
      'must be an http(s) URL',
    )
  })
})
