import { EventEmitter } from 'node:events'
import { clearLine, cursorTo, moveCursor } from 'node:readline'
import { PassThrough, Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import {
  formatElapsed,
  isUsableTerminal,
  TerminalUI,
  type TerminalUIOptions,
} from './terminal-ui.js'

const ANSI = /\u001b\[/
const SPINNER_FRAME = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/
const NOW = new Date(2026, 0, 2, 9, 5, 7)

function capture(options: TerminalUIOptions = {}) {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString())
      done()
    },
  })
  let clock = new Date(2026, 0, 2, 9, 5, 7).getTime()
  const ui = new TerminalUI({ stream, now: () => new Date(clock), ...options })
  return {
    ui,
    output: () => chunks.join(''),
    advance: (ms: number) => {
      clock += ms
    },
  }
}

describe('TerminalUI', () => {
  it('prints plain timestamped lines without ANSI codes when not a TTY', () => {
    const { ui, output } = capture({ isTTY: false, color: true })

    ui.info('task 12 claimed')
    ui.success('task 12 done')
    ui.warn('hook slow')
    ui.error('claude crashed')
    ui.startSpinner('claude working')
    ui.setActivity('Bash: npm test')
    ui.stopSpinner()

    expect(output()).not.toMatch(ANSI)
    expect(output().split('\n').slice(0, 5)).toEqual([
      '[09:05:07] • task 12 claimed',
      '[09:05:07] ✓ task 12 done',
      '[09:05:07] ! hook slow',
      '[09:05:07] ✗ claude crashed',
      '[09:05:07] … claude working · 0s',
    ])
  })

  it('prints the non-TTY progress line at most once per interval', () => {
    const { ui, output, advance } = capture({ isTTY: false, progressIntervalMs: 10_000 })
    ui.startSpinner('claude working')

    ui.setActivity('Read: a.ts')
    ui.setActivity('Read: b.ts')
    advance(12_000)
    ui.setActivity('Bash: npm test')
    ui.setActivity('Edit: c.ts')
    ui.stopSpinner()

    expect(output().trim().split('\n')).toEqual([
      '[09:05:07] … claude working · 0s',
      '[09:05:19] … claude working · 12s · Bash: npm test',
    ])
  })

  it('colours output on a TTY', () => {
    const { ui, output } = capture({ isTTY: true, color: true })

    ui.error('claude crashed')

    expect(output()).toMatch(ANSI)
  })

  it('draws a spinner with the current activity on a TTY and keeps log lines intact', () => {
    const { ui, output } = capture({ isTTY: true, color: false })

    ui.startSpinner('claude working')
    ui.setActivity('Bash: npm test')
    ui.info('event between frames')
    ui.stopSpinner()

    expect(output()).toContain('claude working · 0s · Bash: npm test')
    expect(output()).toContain('[09:05:07] • event between frames\n')
  })

  it('returns the option whose number the operator types', async () => {
    const input = new PassThrough()
    const { ui, output } = capture({ isTTY: true, color: false, input })

    const answer = ui.promptOperator('task 12 failed 3 times', ['retry', 'release', 'quit'])
    input.write('2\n')

    expect(await answer).toBe('release')
    expect(output()).toContain('task 12 failed 3 times\n  1. retry\n  2. release\n  3. quit\n')
  })

  it('asks again after input that is not an option', async () => {
    const input = new PassThrough()
    const { ui, output } = capture({ isTTY: true, color: false, input })

    const answer = ui.promptOperator('stuck', ['retry', 'release', 'quit'])
    input.write('abc\n9\n\n3\n')

    expect(await answer).toBe('quit')
    expect(output().match(/is not an option/g)).toHaveLength(3)
  })

  it('answers with the policy when input closes before an answer', async () => {
    const input = new PassThrough()
    const { ui } = capture({ isTTY: true, color: false, input, onStuckPolicy: 'retry' })

    const answer = ui.promptOperator('stuck', ['retry', 'release', 'quit'])
    input.end()

    expect(await answer).toBe('retry')
  })

  it('stops waiting for an answer with quit when the runner is told to stop (Ctrl-C)', async () => {
    const input = new PassThrough()
    const { ui } = capture({ isTTY: true, color: false, input, onStuckPolicy: 'retry' })
    const stop = new AbortController()

    const answer = ui.promptOperator('stuck', ['retry', 'release', 'quit'], stop.signal)
    stop.abort()

    expect(await answer).toBe('quit')
  })

  it('answers with the configured policy without a TTY and says so', async () => {
    const { ui, output } = capture({ isTTY: false, onStuckPolicy: 'release' })

    const answer = await ui.promptOperator('task 12 failed 3 times', ['retry', 'release', 'quit'])

    expect(answer).toBe('release')
    expect(output()).toContain(
      'task 12 failed 3 times (no terminal: answering "release" by policy)',
    )
  })

  it('never throws when the output stream fails', () => {
    const broken = new Writable({
      write(_chunk, _encoding, done) {
        done(new Error('EPIPE'))
      },
    })
    const throwing = {
      write: () => {
        throw new Error('closed')
      },
      on: () => undefined,
    } as unknown as NodeJS.WritableStream

    for (const stream of [broken, throwing]) {
      const ui = new TerminalUI({ stream, isTTY: false })
      expect(() => {
        ui.info('a')
        ui.info('b')
        ui.startSpinner('x')
        ui.setActivity('y')
        ui.stopSpinner()
      }).not.toThrow()
    }
  })
})

describe('TerminalUI on a terminal without a size', () => {
  // A spinner at 0 columns loops forever clearing lines; failing the write ends that loop, so a
  // regression fails the test instead of hanging it.
  const record = (chunks: string[], chunk: string | Uint8Array): boolean => {
    if (chunks.length > 10_000) throw new Error('runaway terminal output')
    chunks.push(String(chunk))
    return true
  }

  // What `script -qc` gives: a TTY of 0×0. A spinner there never finishes clearing its lines
  // (an infinite line count), so it is no terminal: plain lines, and prompts answered by policy.
  it.each([
    { columns: 0, rows: 0 },
    { columns: undefined, rows: 24 },
    { columns: 80, rows: 0 },
  ])('prints plain lines and answers by policy at $columns×$rows', async ({ columns, rows }) => {
    const chunks: string[] = []
    const stream = {
      isTTY: true,
      columns,
      rows,
      write: (chunk: string | Uint8Array) => record(chunks, chunk),
    } as unknown as NodeJS.WritableStream
    // Were it taken for a terminal, the prompt would read this (closed) input instead of the policy.
    const input = new PassThrough()
    input.end()
    const ui = new TerminalUI({ stream, input, onStuckPolicy: 'release', now: () => NOW })

    ui.info('task 12 claimed')
    ui.startSpinner('claude working')
    ui.setActivity('Bash: npm test')
    const answer = await ui.promptOperator('task 12 failed 3 times', ['retry', 'release', 'quit'])
    ui.stopSpinner()

    const output = chunks.join('')
    expect(answer).toBe('release')
    expect(output).not.toMatch(/\u001b/)
    expect(output).not.toMatch(SPINNER_FRAME)
    expect(output.split('\n')).toEqual([
      '[09:05:07] • task 12 claimed',
      '[09:05:07] … claude working · 0s',
      '[09:05:07] ! task 12 failed 3 times (no terminal: answering "release" by policy)',
      '',
    ])
  })

  it('stops the spinner and goes on in plain lines when the terminal shrinks to 0×0', () => {
    const chunks: string[] = []
    const terminal = Object.assign(new EventEmitter(), {
      isTTY: true,
      columns: 80,
      rows: 24,
      write: (chunk: string | Uint8Array) => record(chunks, chunk),
      cursorTo: (x: number) => cursorTo(terminal as unknown as NodeJS.WritableStream, x),
      moveCursor: (dx: number, dy: number) =>
        moveCursor(terminal as unknown as NodeJS.WritableStream, dx, dy),
      clearLine: (dir: -1 | 0 | 1) => clearLine(terminal as unknown as NodeJS.WritableStream, dir),
    })
    const stream = terminal as unknown as NodeJS.WritableStream
    const ui = new TerminalUI({ stream, color: false, now: () => NOW })

    ui.startSpinner('claude working')
    expect(chunks.join('')).toMatch(SPINNER_FRAME)
    terminal.columns = 0
    terminal.rows = 0
    terminal.emit('resize')
    const mark = chunks.length
    ui.setActivity('Bash: npm test')
    ui.warn('hook slow')
    ui.stopSpinner()

    expect(chunks.slice(0, mark).join('')).toMatch(/\[09:05:07\] … claude working · 0s\n$/)
    expect(chunks.slice(mark).join('')).toBe('[09:05:07] ! hook slow\n')
  })
})

describe('isUsableTerminal', () => {
  it.each([
    [{ isTTY: true, columns: 80, rows: 24 }, true],
    [{ isTTY: true, columns: 0, rows: 0 }, false],
    [{ isTTY: true, columns: 80, rows: 0 }, false],
    [{ isTTY: true }, false],
    [{ isTTY: false, columns: 80, rows: 24 }, false],
  ])('%o → %s', (stream, expected) => {
    expect(isUsableTerminal(stream as unknown as NodeJS.WritableStream)).toBe(expected)
  })
})

describe('formatElapsed', () => {
  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [185_000, '3m05s'],
    [3_720_000, '1h02m'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text)
  })
})
