import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { readJsonFile, writeJsonAtomic } from './atomic-file.js'

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hpm-atomic-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

describe('writeJsonAtomic', () => {
  it('writes JSON readable by readJsonFile with mode 0600 and no temp files left', async () => {
    const dir = await tempDir()
    const file = join(dir, 'state.json')

    await writeJsonAtomic(file, { task_id: 7, note: 'ü' })

    expect(await readJsonFile(file)).toEqual({ kind: 'ok', value: { task_id: 7, note: 'ü' } })
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['state.json'])
  })

  it('replaces an existing file', async () => {
    const dir = await tempDir()
    const file = join(dir, 'state.json')
    await writeJsonAtomic(file, { n: 1 })

    await writeJsonAtomic(file, { n: 2 })

    expect(await readJsonFile(file)).toEqual({ kind: 'ok', value: { n: 2 } })
  })
})

describe('readJsonFile', () => {
  it('returns undefined when the file is missing', async () => {
    const dir = await tempDir()

    expect(await readJsonFile(join(dir, 'absent.json'))).toBeUndefined()
  })

  it.each([
    ['truncated JSON', '{"task_id": 1, "agent'],
    ['binary garbage', '\u0000\u0001\u0002'],
    ['an empty file', ''],
  ])('returns corrupt for %s', async (_name, content) => {
    const dir = await tempDir()
    const file = join(dir, 'state.json')
    await writeFile(file, content)

    const result = await readJsonFile(file)

    expect(result?.kind).toBe('corrupt')
  })

  it('returns corrupt when the path is a directory', async () => {
    const dir = await tempDir()
    await mkdir(join(dir, 'state.json'))

    expect((await readJsonFile(join(dir, 'state.json')))?.kind).toBe('corrupt')
  })
})
