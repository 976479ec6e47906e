import { chmod, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isRunning, waitFor } from '../../../test/fixtures/process-probe.js'
import { git, makeTempDir, makeTempRepo, writeFiles } from '../../../test/fixtures/temp-repo.js'
import { HookRunner, type HookName } from './hook-runner.js'

const SHIPPED_HOOKS = resolve('hooks')
const CLAUDE_FAKE_DIR = resolve('test/fixtures/fake-claude')
const task = { id: 12, status: 'under_work', title: 'Say hello' }

async function hooksDir(hooks: Record<string, string>, mode = 0o755): Promise<string> {
  const dir = await makeTempDir('hpm-hooks-')
  for (const [name, body] of Object.entries(hooks)) {
    await writeFile(join(dir, name), body)
    await chmod(join(dir, name), mode)
  }
  return dir
}

function runner(dir: string, env: Record<string, string> = {}, timeoutMs = 10_000): HookRunner {
  return new HookRunner({ hooksDir: dir, timeoutMs, agentId: 'dev_001', env, killGraceMs: 500 })
}

describe('HookRunner', () => {
  it('reports ran false and ok true when the hook does not exist', async () => {
    const dir = await hooksDir({})

    const result = await runner(dir).runPreTask({ cwd: dir, task })

    expect(result).toMatchObject({ hook: 'pre_task', ran: false, ok: true, path: null })
  })

  it('treats a missing hooks directory like missing hooks', async () => {
    const result = await runner('/nonexistent/hooks').runHealthCheck({ cwd: '/' })

    expect(result).toMatchObject({ ran: false, ok: true })
  })

  it('fails with a clear message when the hook is not executable', async () => {
    const dir = await hooksDir({ pre_task: '#!/bin/sh\nexit 0\n' }, 0o644)

    const result = await runner(dir).runPreTask({ cwd: dir, task })

    expect(result).toMatchObject({ ran: false, ok: false })
    expect(result.message).toMatch(/not executable/)
  })

  it('fails when pre_task exits non-zero and says why', async () => {
    const dir = await hooksDir({ pre_task: '#!/bin/sh\necho "disk is full" >&2\nexit 3\n' })

    const result = await runner(dir).runPreTask({ cwd: dir, task })

    expect(result).toMatchObject({ ran: true, ok: false, exitCode: 3, timedOut: false })
    expect(result.message).toBe('hook pre_task exited with code 3: disk is full')
  })

  it('kills a hook that runs past its timeout, with its children', async () => {
    const dir = await hooksDir({
      health_check: '#!/bin/sh\nsleep 1000 &\necho $! > grandchild.pid\nwait\n',
    })

    const result = await runner(dir, {}, 1000).runHealthCheck({ cwd: dir })

    const pid = Number((await readFile(join(dir, 'grandchild.pid'), 'utf8')).trim())
    expect(result).toMatchObject({ ran: true, ok: false, timedOut: true })
    expect(result.message).toMatch(/timed out after 1000 ms/)
    expect(await waitFor(() => !isRunning(pid), 5000)).toBe(true)
  })

  it('gives post_task the task and result on stdin and the context in its environment', async () => {
    const dir = await hooksDir({
      'post_task.sh': '#!/bin/sh\ncat > payload.json\nenv | grep ^HEADLESS_PM_ | sort > env.txt\n',
    })
    const cwd = await makeTempDir()

    const result = await runner(dir, { HEADLESS_PM_EXTRA: 'yes' }).runPostTask(
      { cwd, task },
      { outcome: 'succeeded' },
    )

    expect(result).toMatchObject({ hook: 'post_task', ran: true, ok: true, exitCode: 0 })
    expect(JSON.parse(await readFile(join(cwd, 'payload.json'), 'utf8'))).toEqual({
      task,
      result: { outcome: 'succeeded' },
    })
    expect((await readFile(join(cwd, 'env.txt'), 'utf8')).split('\n')).toEqual([
      'HEADLESS_PM_AGENT_ID=dev_001',
      'HEADLESS_PM_EXTRA=yes',
      'HEADLESS_PM_HOOK=post_task',
      'HEADLESS_PM_TASK_ID=12',
      'HEADLESS_PM_TASK_STATUS=under_work',
      `HEADLESS_PM_WORKTREE=${cwd}`,
      '',
    ])
  })

  it('picks the executable hook with an extension and ignores sample files', async () => {
    const dir = await hooksDir({
      'pre_task.sample': '#!/bin/sh\nexit 1\n',
      'pre_task.js': '#!/usr/bin/env node\nconsole.log("from js")\n',
    })

    const result = await runner(dir).runPreTask({ cwd: dir, task })

    expect(result).toMatchObject({ ok: true, stdout: 'from js\n', path: join(dir, 'pre_task.js') })
  })
})

describe('shipped example hooks', () => {
  const fakeClaudeEnv = { PATH: `${CLAUDE_FAKE_DIR}:${process.env.PATH ?? ''}` }

  async function run(hook: HookName, cwd: string, env: Record<string, string> = fakeClaudeEnv) {
    return runner(SHIPPED_HOOKS, env, 20_000).run(
      hook,
      { cwd, task },
      hook === 'post_task' ? { task, result: { outcome: 'succeeded' } } : task,
    )
  }

  it('pass in a clean git worktree with claude on PATH', async () => {
    const repo = await makeTempRepo()

    const results = [
      await run('pre_task', repo),
      await run('post_task', repo),
      await run('health_check', repo),
    ]

    for (const result of results)
      expect(result, `${result.hook}: ${result.stderr}`).toMatchObject({ ran: true, ok: true })
  })

  it('pre_task fails when the claude binary is missing', async () => {
    const repo = await makeTempRepo()

    const result = await run('pre_task', repo, { HEADLESS_PM_CLAUDE_BIN: '/nonexistent/claude' })

    expect(result.ok).toBe(false)
    expect(result.stderr).toMatch(/claude binary not found: \/nonexistent\/claude/)
  })

  it('pre_task fails while a merge is in progress', async () => {
    const repo = await makeTempRepo({ 'a.txt': 'base\n' })
    await git(repo, 'checkout', '--quiet', '-b', 'other')
    await writeFiles(repo, { 'a.txt': 'other\n' })
    await git(repo, 'commit', '--quiet', '-am', 'other')
    await git(repo, 'checkout', '--quiet', 'main')
    await writeFiles(repo, { 'a.txt': 'main\n' })
    await git(repo, 'commit', '--quiet', '-am', 'main')
    await git(repo, 'merge', 'other').catch(() => undefined)

    const result = await run('pre_task', repo)

    expect(result.ok).toBe(false)
    expect(result.stderr).toMatch(/merge is in progress/)
  })

  it('health_check and pre_task fail when the disk is nearly full (HEADLESS_PM_MIN_FREE_MB)', async () => {
    const repo = await makeTempRepo()
    const env = { ...fakeClaudeEnv, HEADLESS_PM_MIN_FREE_MB: '999999999' }

    const results = [await run('health_check', repo, env), await run('pre_task', repo, env)]

    for (const result of results) {
      expect(result.ok, result.hook).toBe(false)
      expect(result.stderr).toMatch(/low disk space: \d+ MB free.*need 999999999 MB/)
    }
  })

  it('pre_task fails outside a git worktree, naming the folder', async () => {
    const dir = await makeTempDir('hpm-not-a-repo-')

    const result = await run('pre_task', dir)

    expect(result.ok).toBe(false)
    expect(result.stderr).toContain(`${dir} is not a git worktree`)
  })

  it('post_task removes debris at any depth, ignored or not, and nothing else', async () => {
    const repo = await makeTempRepo({ '.gitignore': '*.orig\nbuild/\n' })
    await writeFiles(repo, {
      'deep/er/a.ts.orig': 'x',
      'deep/b.txt~': 'x',
      'deep/.#lock': 'x',
      '#scratch#': 'x',
      'build/kept.rej': 'in an ignored folder: left alone',
      'deep/notes.orig.txt': 'keep',
      'deep/has space.rej': 'x',
    })

    const result = await run('post_task', repo)

    expect(result.ok).toBe(true)
    expect(
      result.stdout
        .split('\n')
        .filter((l) => l.startsWith('post_task: removed'))
        .sort(),
    ).toEqual([
      'post_task: removed #scratch#',
      'post_task: removed deep/.#lock',
      'post_task: removed deep/b.txt~',
      'post_task: removed deep/er/a.ts.orig',
      'post_task: removed deep/has space.rej',
    ])
    expect(await git(repo, 'status', '--porcelain', '--untracked-files=all', '--ignored')).toBe(
      ['?? deep/notes.orig.txt', '!! build/kept.rej'].join('\n'),
    )
    expect(result.stdout).toContain(`post_task: task ${task.id} done (succeeded)`)
  })

  it('post_task removes untracked merge debris and warns about uncommitted changes', async () => {
    const repo = await makeTempRepo()
    await writeFiles(repo, { 'src/app.ts.orig': 'x', 'patch.rej': 'x', 'notes.txt': 'keep' })

    const result = await run('post_task', repo)

    expect(result.ok).toBe(true)
    expect(await git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe('?? notes.txt')
    expect(result.stderr).toMatch(/1 uncommitted change/)
  })
})
