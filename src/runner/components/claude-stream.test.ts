import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseStreamLine, summarizeToolInput } from './claude-stream.js'

async function captureLines(name: string): Promise<string[]> {
  const text = await readFile(resolve('test/fixtures/claude-captures', name), 'utf8')
  return text.trim().split('\n')
}

describe('parseStreamLine', () => {
  it('reads init, the auth error tag and the failed result from the real not-logged-in capture', async () => {
    const [init, assistant, result] = (await captureLines('not-logged-in.stream.jsonl')).map(
      (line) => parseStreamLine(line),
    )

    expect(init?.events).toEqual([
      {
        type: 'init',
        sessionId: 'af7d43b3-5ac9-424b-b1f4-9232bf92127c',
        model: 'claude-sonnet-5',
        cwd: '/srv/repo/.worktrees/task-7',
      },
    ])
    expect(assistant?.errorTag).toBe('authentication_failed')
    expect(result?.events).toEqual([
      {
        type: 'result',
        isError: true,
        subtype: 'success',
        text: 'Not logged in · Please run /login',
        sessionId: 'af7d43b3-5ac9-424b-b1f4-9232bf92127c',
        numTurns: 1,
        durationMs: 194,
        costUsd: 0,
        usage: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 },
      },
    ])
  })

  it('reads api_retry events from the real capture', async () => {
    const lines = await captureLines('api-retry.stream.jsonl')

    const parsed = parseStreamLine(lines[1] as string)

    expect(parsed.events).toEqual([
      {
        type: 'api_retry',
        attempt: 1,
        maxRetries: 10,
        retryDelayMs: 550.2537622033641,
        error: 'unknown',
      },
    ])
    expect(parsed.sessionId).toBe('cf782483-f5bf-4103-8016-17c7ed052aed')
  })

  it('turns each content block of an assistant message into an event', () => {
    const line = JSON.stringify({
      type: 'assistant',
      session_id: 's1',
      message: {
        content: [
          { type: 'text', text: 'Running tests' },
          { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'npm test' } },
          { type: 'thinking', thinking: '...' },
        ],
      },
    })

    expect(parseStreamLine(line).events).toEqual([
      { type: 'text', text: 'Running tests' },
      { type: 'tool', name: 'Bash', summary: 'npm test' },
    ])
  })

  it.each([
    [
      'plain text',
      'Warning: config ignored',
      [{ type: 'invalid_line', line: 'Warning: config ignored' }],
    ],
    ['a JSON array', '[1,2]', [{ type: 'invalid_line', line: '[1,2]' }]],
    ['an unknown event type', '{"type":"stream_event","event":{}}', []],
    [
      'a result without fields',
      '{"type":"result"}',
      [
        {
          type: 'result',
          isError: false,
          subtype: 'unknown',
          text: null,
          sessionId: null,
          numTurns: null,
          durationMs: null,
          costUsd: null,
          usage: null,
        },
      ],
    ],
    ['an empty line', '   ', []],
  ])('handles %s without throwing', (_name, line, events) => {
    expect(parseStreamLine(line).events).toEqual(events)
  })
})

describe('summarizeToolInput', () => {
  it.each([
    ['Bash', { command: 'npm test -- --run' }, 'npm test -- --run'],
    ['Edit', { file_path: '/work/wt/src/app.ts', old_string: 'a' }, 'src/app.ts'],
    ['Read', { file_path: '/etc/hosts' }, '/etc/hosts'],
    ['WebFetch', { url: 'https://example.com' }, 'https://example.com'],
    ['TodoWrite', { todos: [{}, {}] }, '2 todos'],
    ['Bash', { command: 'echo a\necho b' }, 'echo a …'],
    ['Mystery', { anything: 'first string' }, 'first string'],
    ['Bash', 'not an object', ''],
  ])('summarizes %s %j as %s', (name, input, summary) => {
    expect(summarizeToolInput(name, input, '/work/wt')).toBe(summary)
  })

  it('cuts long summaries to 80 characters', () => {
    expect(summarizeToolInput('Bash', { command: 'x'.repeat(200) })).toHaveLength(80)
  })
})
