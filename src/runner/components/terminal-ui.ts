import { createInterface } from 'node:readline'
import ora, { type Ora } from 'ora'
import { createColors } from 'picocolors'

/** What the operator (or, without a terminal, the configured policy) decides for a stuck task. */
export type OperatorChoice = 'retry' | 'release' | 'quit'

export interface TerminalUIOptions {
  /** Where lines go. Default: process.stdout. */
  stream?: NodeJS.WritableStream
  /**
   * Draw a spinner and ask questions. Default: whether `stream` is a usable terminal (a TTY with at
   * least one column and one row), re-checked when it is resized.
   */
  isTTY?: boolean
  /** Colour output; only ever applied on a TTY. Default: `isTTY`. */
  color?: boolean
  /** The answer to operator prompts when there is no terminal. Default `quit`. */
  onStuckPolicy?: OperatorChoice
  /** Where operator answers are read from. Default: process.stdin. */
  input?: NodeJS.ReadableStream
  /** Without a TTY, print the progress line at most this often. Default 30 s. */
  progressIntervalMs?: number
  /** Clock for timestamps and elapsed time. */
  now?: () => Date
}

type Level = 'info' | 'success' | 'warn' | 'error'

const GLYPHS: Record<Level, string> = { info: '•', success: '✓', warn: '!', error: '✗' }

/**
 * The runner's human output: timestamped lines, a spinner with elapsed time and Claude's current
 * tool, and blocking operator prompts. Renders only; it decides nothing. Output failures are
 * swallowed so a closed terminal never stops the runner.
 */
export class TerminalUI {
  readonly #stream: NodeJS.WritableStream
  #isTTY: boolean
  readonly #isColorWanted: boolean
  #colors: ReturnType<typeof createColors>
  readonly #policy: OperatorChoice
  readonly #input: NodeJS.ReadableStream
  readonly #progressIntervalMs: number
  readonly #now: () => Date
  #spinner: Ora | undefined
  #spinLabel = ''
  #spinStartedAt = 0
  #activity = ''
  #ticker: NodeJS.Timeout | undefined
  #lastProgressAt = 0

  constructor(options: TerminalUIOptions = {}) {
    this.#stream = options.stream ?? process.stdout
    this.#isTTY = options.isTTY ?? isUsableTerminal(this.#stream)
    this.#isColorWanted = options.color ?? true
    this.#colors = createColors(this.#isTTY && this.#isColorWanted)
    if (options.isTTY === undefined) this.#stream.on?.('resize', () => this.#onResize())
    this.#policy = options.onStuckPolicy ?? 'quit'
    this.#input = options.input ?? process.stdin
    this.#progressIntervalMs = options.progressIntervalMs ?? 30_000
    this.#now = options.now ?? (() => new Date())
    // An 'error' event without a listener would crash the process (EPIPE on a closed terminal).
    this.#stream.on?.('error', () => {})
  }

  info(message: string): void {
    this.#line('info', message)
  }

  success(message: string): void {
    this.#line('success', message)
  }

  warn(message: string): void {
    this.#line('warn', message)
  }

  error(message: string): void {
    this.#line('error', message)
  }

  /** Shows `label` with elapsed time until `stopSpinner`; replaces a running spinner. */
  startSpinner(label: string): void {
    this.stopSpinner()
    this.#spinLabel = label
    this.#activity = ''
    this.#spinStartedAt = this.#now().getTime()
    this.#showProgress()
  }

  /** What Claude is doing now, e.g. `Bash: npm test`. */
  setActivity(activity: string): void {
    this.#activity = activity
    if (this.#isTTY) this.#refresh()
    else this.#progress()
  }

  stopSpinner(): void {
    clearInterval(this.#ticker)
    this.#ticker = undefined
    this.#guard(() => this.#spinner?.stop())
    this.#spinner = undefined
  }

  /**
   * Asks the operator to pick one of `options` by number and blocks until a valid answer.
   * Without a TTY, or when input ends, answers with the configured policy and says so.
   */
  /** Asks on a TTY (else answers by policy). `signal` (a stop) ends the question unanswered: `quit`. */
  async promptOperator<T extends string>(
    message: string,
    options: readonly T[],
    signal?: AbortSignal,
  ): Promise<T> {
    const fallback = (options as readonly string[]).includes(this.#policy)
      ? (this.#policy as T)
      : (options.at(-1) as T)
    if (!this.#isTTY) {
      this.warn(`${message} (no terminal: answering "${fallback}" by policy)`)
      return fallback
    }
    const hadSpinner = this.#spinner !== undefined
    const label = this.#spinLabel
    this.stopSpinner()
    const menu = options.map((option, index) => `  ${index + 1}. ${option}`).join('\n')
    this.#write(
      `\n${this.#colors.yellow(this.#colors.bold('Operator decision needed'))}\n${message}\n${menu}\n`,
    )
    const choice = await this.#ask(options, fallback, signal)
    this.info(`operator chose: ${choice}`)
    if (hadSpinner) this.startSpinner(label)
    return choice
  }

  #ask<T extends string>(options: readonly T[], fallback: T, signal?: AbortSignal): Promise<T> {
    const question = `Choose 1-${options.length}: `
    return new Promise((resolve) => {
      const reader = createInterface({ input: this.#input, terminal: false })
      let answer: T | undefined
      // Ctrl-C while the question waits stops the runner at once, like anywhere else.
      const onAbort = () => {
        answer = (options as readonly string[]).includes('quit') ? ('quit' as T) : fallback
        reader.close()
      }
      if (signal?.aborted) queueMicrotask(onAbort)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#write(question)
      reader.on('line', (line) => {
        const index = Number(line.trim()) - 1
        const picked = Number.isInteger(index) ? options[index] : undefined
        const named = options.find((option) => option === line.trim())
        answer = picked ?? named
        if (answer !== undefined) return reader.close()
        this.#write(`"${line.trim()}" is not an option. ${question}`)
      })
      reader.once('close', () => {
        signal?.removeEventListener('abort', onAbort)
        if (answer === undefined)
          this.warn(`no answer (input closed): answering "${fallback}" by policy`)
        resolve(answer ?? fallback)
      })
    })
  }

  #line(level: Level, message: string): void {
    const paint = {
      info: this.#colors.blue,
      success: this.#colors.green,
      warn: this.#colors.yellow,
      error: this.#colors.red,
    }[level]
    const text = `${this.#colors.dim(this.#stamp())} ${paint(GLYPHS[level])} ${level === 'error' ? paint(message) : message}\n`
    if (this.#spinner) {
      // Clear, print above, redraw: a log line must not be glued to the spinner's frame.
      this.#guard(() => this.#spinner?.clear())
      this.#write(text)
      this.#guard(() => this.#spinner?.render())
    } else {
      this.#write(text)
    }
  }

  // On a terminal, a spinner redrawn every second; otherwise a line now and then every interval.
  #showProgress(): void {
    if (this.#isTTY) {
      this.#guard(() => {
        this.#spinner = ora({
          text: this.#statusText(),
          stream: this.#stream,
          isEnabled: true,
          discardStdin: false,
          color: this.#colors.isColorSupported ? 'cyan' : false,
        }).start()
      })
      this.#ticker = setInterval(() => this.#refresh(), 1000)
    } else {
      this.#lastProgressAt = this.#now().getTime()
      this.#write(`${this.#stamp()} … ${this.#statusText()}\n`)
      this.#ticker = setInterval(() => this.#progress(), this.#progressIntervalMs)
    }
    this.#ticker.unref()
  }

  // A terminal shrunk to no size is no terminal any more (at 0 columns the spinner's line count is
  // infinite): the spinner goes before its next frame and progress goes on as plain lines.
  #onResize(): void {
    const isTTY = isUsableTerminal(this.#stream)
    if (isTTY === this.#isTTY) return
    const isShowingProgress = this.#ticker !== undefined
    this.stopSpinner()
    this.#isTTY = isTTY
    this.#colors = createColors(isTTY && this.#isColorWanted)
    if (isShowingProgress) this.#showProgress()
  }

  #refresh(): void {
    const spinner = this.#spinner
    if (spinner) this.#guard(() => (spinner.text = this.#statusText()))
  }

  #progress(): void {
    const now = this.#now().getTime()
    if (this.#ticker === undefined || now - this.#lastProgressAt < this.#progressIntervalMs) return
    this.#lastProgressAt = now
    this.#write(`${this.#stamp()} … ${this.#statusText()}\n`)
  }

  #statusText(): string {
    const elapsed = formatElapsed(this.#now().getTime() - this.#spinStartedAt)
    const parts = [
      this.#spinLabel,
      this.#colors.dim(elapsed),
      this.#activity && this.#colors.cyan(this.#activity),
    ]
    return parts.filter(Boolean).join(' · ')
  }

  #stamp(): string {
    const time = this.#now()
    const pad = (value: number): string => String(value).padStart(2, '0')
    return `[${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}]`
  }

  #write(text: string): void {
    this.#guard(() => this.#stream.write(text))
  }

  #guard(action: () => unknown): void {
    try {
      action()
    } catch {
      // Output is best effort: the terminal may be gone while the runner still has work to finish.
    }
  }
}

/**
 * A terminal a spinner can be drawn on: a TTY that reports a size. `script -qc` and some CI runners
 * give a TTY of 0×0, on which a spinner never finishes clearing its lines.
 */
export function isUsableTerminal(stream: NodeJS.WritableStream): boolean {
  const { isTTY, columns, rows } = stream as { isTTY?: boolean; columns?: number; rows?: number }
  return isTTY === true && (columns ?? 0) > 0 && rows !== 0
}

/** `42s`, `3m05s`, `1h02m`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}
