import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it, onTestFinished } from 'vitest'

import { MAX_TRANSCRIPT_ENTRIES, MAX_TRANSCRIPT_TEXT, Transcript } from '../contract/index.js'
import { bounded, entryOf, redact, secretsOf, transcriptFromLog } from './transcript.js'

const KEY = 'hpm_0123456789abcdefghijkl'

describe('redact', () => {
  it.each([
    [
      'the runner key',
      `curl -H "X-API-Key: ${KEY}" localhost`,
      'curl -H "X-API-Key: [redacted]" localhost',
    ],
    [
      'an Anthropic key',
      'export ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnop',
      'export ANTHROPIC_API_KEY=[redacted]',
    ],
    ['a GitHub token', 'token ghp_abcdefghijklmnopqrstuvwxyz0123', 'token [redacted]'],
    ['a password assignment', 'DB password: hunter2hunter2', 'DB password: [redacted]'],
    [
      'a secret-named env value',
      'connecting with s3cr3t-v4lue-from-env',
      'connecting with [redacted]',
    ],
  ])('removes %s', (_what, text, expected) => {
    const secrets = secretsOf([KEY], {
      MY_SERVICE_TOKEN: 's3cr3t-v4lue-from-env',
      PATH: '/usr/bin:/bin',
      SHORT_KEY: 'abc',
    })

    expect(redact(text, secrets)).toBe(expected)
  })

  it('keeps ordinary text, and cuts long text to the transcript limit', () => {
    expect(redact('npm test', [])).toBe('npm test')
    expect(redact('x'.repeat(5000), [])).toHaveLength(MAX_TRANSCRIPT_TEXT)
  })

  it('takes only secret-named variables of 8 characters or more', () => {
    expect(
      secretsOf([undefined], {
        PATH: '/usr/local/bin:/usr/bin',
        GITHUB_TOKEN: 'ghp_1234567890',
        API_KEY: 'short',
        HOME: '/root',
      }),
    ).toEqual(['ghp_1234567890'])
  })
})

describe('entryOf and bounded', () => {
  it('turns text, tools, tool results, retries and the result into entries; skips the rest', () => {
    expect(entryOf({ type: 'text', text: 'Adding the file' }, [])).toEqual({
      kind: 'text',
      text: 'Adding the file',
    })
    expect(entryOf({ type: 'tool', name: 'Bash', summary: 'npm test' }, [])).toEqual({
      kind: 'tool',
      name: 'Bash',
      text: 'npm test',
    })
    expect(entryOf({ type: 'tool_result', isError: true, summary: '1 failing' }, [])).toEqual({
      kind: 'tool_result',
      text: '1 failing',
      is_error: true,
    })
    expect(entryOf({ type: 'init', sessionId: null, model: null, cwd: null }, [])).toBeUndefined()
  })

  it(`keeps the last ${MAX_TRANSCRIPT_ENTRIES} entries and says how many were left out`, () => {
    const entries = Array.from({ length: MAX_TRANSCRIPT_ENTRIES + 5 }, (_, i) => ({
      kind: 'text' as const,
      text: `step ${i}`,
    }))

    const kept = bounded(entries)

    expect(kept).toHaveLength(MAX_TRANSCRIPT_ENTRIES + 1)
    expect(kept[0]).toEqual({ kind: 'note', text: '5 earlier entries left out' })
    expect(kept[1]?.text).toBe('step 5')
    expect(Transcript.safeParse(kept).success).toBe(true)
  })
})

describe('transcriptFromLog', () => {
  it('reads a stream log back into entries, with secrets removed; undefined without a log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpm-transcript-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const log = join(dir, 'run.jsonl')
    const lines = [
      { type: 'system', subtype: 'init', session_id: 's', model: 'claude-sonnet-5', cwd: dir },
      {
        type: 'assistant',
        message: {
          content: [
            { type: 'text', text: 'Running the tests' },
            { type: 'tool_use', name: 'Bash', input: { command: `HPM_KEY=${KEY} npm test` } },
          ],
        },
      },
      {
        type: 'user',
        message: {
          content: [
            {
              type: 'tool_result',
              content: [{ type: 'text', text: 'all 12 passed' }],
              is_error: false,
            },
          ],
        },
      },
      {
        type: 'result',
        subtype: 'success',
        is_error: false,
        result: 'Done.',
        total_cost_usd: 0.05,
      },
    ]
    writeFileSync(log, `${lines.map((l) => JSON.stringify(l)).join('\n')}\nnot json\n`)

    const entries = await transcriptFromLog(log, [KEY])

    expect(entries).toEqual([
      { kind: 'text', text: 'Running the tests' },
      { kind: 'tool', name: 'Bash', text: 'HPM_KEY=[redacted] npm test' },
      { kind: 'tool_result', text: 'all 12 passed', is_error: false },
      { kind: 'result', text: 'success, $0.0500: Done.', is_error: false },
    ])
    expect(await transcriptFromLog(join(dir, 'missing.jsonl'), [])).toBeUndefined()
    expect(await transcriptFromLog(null, [])).toBeUndefined()
  })
})
