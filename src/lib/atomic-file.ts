import { open, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import writeFileAtomic from 'write-file-atomic'

/** What `readJsonFile` found in a file that exists. */
export type JsonFileContent = { kind: 'ok'; value: unknown } | { kind: 'corrupt'; error: string }

/**
 * Writes `value` as JSON so that readers see either the old or the new file, never a mix:
 * temp file, fsync, rename, then fsync of the directory so the rename survives a power cut.
 * The file is private to the user (mode 0600).
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, fsync: true })
  await syncDirectory(dirname(path))
}

/**
 * Reads a JSON file. `undefined` when it does not exist; `{ kind: 'corrupt' }` when it is not valid
 * JSON (callers warn and move on). Throws only for I/O failures such as a permission error.
 */
export async function readJsonFile(path: string): Promise<JsonFileContent | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return undefined
    if (isErrnoCode(error, 'EISDIR')) return { kind: 'corrupt', error: `${path} is a directory` }
    throw new Error(`cannot read ${path}`, { cause: error })
  }
  try {
    return { kind: 'ok', value: JSON.parse(text) as unknown }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return { kind: 'corrupt', error: `${path} is not valid JSON: ${reason}` }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself has already happened.
  }
}

function isErrnoCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code
}
