import { mkdir, symlink } from 'node:fs/promises'
import { delimiter, dirname, join, resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { PACKAGE_VERSION, runProcess } from '../../src/lib/index.js'
import { tempDir } from './run-hpm.js'

// The README's ways to get `hpm` on PATH after the quick start, each run for real.
const REPO_ROOT = resolve(import.meta.dirname, '../..')
/** The directory under test first, then only where `node` and `sh` live. */
const pathWith = (dir: string): string =>
  [dir, dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter)

async function runIn(cwd: string, command: string, args: string[], path: string) {
  const result = await runProcess(command, args, {
    cwd,
    env: { PATH: path, HOME: process.env.HOME ?? cwd, NO_COLOR: '1' },
    timeoutMs: 60_000,
  })
  return { ...result, output: `${result.stdout}${result.stderr}` }
}

describe('hpm on PATH from a clone', () => {
  it('`npm link` puts this clone on PATH: a link to bin/hpm.js runs it from any directory', async () => {
    // What `npm link` makes (<prefix>/bin/hpm → <clone>/bin/hpm.js), without touching the real prefix.
    const prefixBin = join(await tempDir('hpm-link-'), 'bin')
    await mkdir(prefixBin)
    await symlink(join(REPO_ROOT, 'bin', 'hpm.js'), join(prefixBin, 'hpm'))
    const elsewhere = await tempDir('hpm-project-')

    const run = await runIn(elsewhere, 'hpm', ['--version'], pathWith(prefixBin))

    expect(run.exitCode, run.output).toBe(0)
    expect(run.stdout.trim()).toBe(PACKAGE_VERSION)
  })

  it('`export PATH="$PWD/bin:$PATH"` in the clone works from any directory', async () => {
    const elsewhere = await tempDir('hpm-project-')

    const run = await runIn(elsewhere, 'hpm', ['--version'], pathWith(join(REPO_ROOT, 'bin')))

    expect(run.exitCode, run.output).toBe(0)
    expect(run.stdout.trim()).toBe(PACKAGE_VERSION)
  })

  it('`npx hpm` inside the clone runs this package, offline, installing nothing', async () => {
    for (const cwd of [REPO_ROOT, join(REPO_ROOT, 'docs')]) {
      const args = ['--no', '--offline', 'hpm', '--version']
      const run = await runIn(cwd, 'npx', args, process.env.PATH ?? '')

      expect(run.exitCode, run.output).toBe(0)
      expect(run.stdout.trim()).toBe(PACKAGE_VERSION)
    }
  })
})
