// The print mode of the `claude` CLI (Claude Code 2.1.x) with a script in place of the model: the
// same flags and refusals, the same stream-json events, scripted work in its working directory.
// `hpm demo` runs it through claude.js beside this file; the test fake (test/fixtures/fake-claude)
// builds its misbehaviours on it. Plain JavaScript because it runs as its own process on Node 20,
// where TypeScript needs a compile step; that is also why it spawns its `run` steps itself rather
// than through src/lib.
//
// A script: { "steps": [...], "result": "text", "isError": true, "exitCode": n, "costUsd": n,
// "usage": {...} }, every field optional. Steps: { "text" }, { "write": { "path", "content" } },
// { "append": { "path", "content" } }, { "delete": "path" }, { "run": [argv], "timeoutMs" },
// { "sleep": ms }. Strings may hold {task_id} and {agent_id} (from the prompt's `Task ID:` and
// `Agent ID:` lines), {session_id} and {cwd}.
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

export const CLAUDE_VERSION = '2.1.197'
const ROOT_REFUSAL =
  '--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons\n'
const MODELS = { sonnet: 'claude-sonnet-5', opus: 'claude-opus-4-8', haiku: 'claude-haiku-4-5' }
const VALUE_FLAGS = {
  '--model': 'model',
  '--output-format': 'outputFormat',
  '--resume': 'resume',
  '-r': 'resume',
  '--session-id': 'sessionId',
  '--max-turns': 'maxTurns',
  '--append-system-prompt': 'appendSystemPrompt',
  '--permission-mode': 'permissionMode',
  '--max-budget-usd': 'maxBudgetUsd',
  '--mcp-config': 'mcpConfig',
}
const BOOLEAN_FLAGS = {
  '-p': 'print',
  '--print': 'print',
  '--verbose': 'verbose',
  '--dangerously-skip-permissions': 'skipPermissions',
  '--strict-mcp-config': 'strictMcpConfig',
  '-v': 'version',
  '--version': 'version',
}
const DEFAULT_COST_USD = 0.0123
const RUN_STEP_TIMEOUT_MS = 120_000

/** Writes `text` on stderr and exits with `code`, as the real CLI does on input it refuses. */
export function fail(text, code) {
  process.stderr.write(text)
  process.exit(code)
}

/** `claude auth status` as the real CLI answers it: JSON, exit 1 when logged out. */
export function authStatus(isLoggedIn) {
  const status = isLoggedIn
    ? {
        loggedIn: true,
        authMethod: 'api_key',
        apiProvider: 'firstParty',
        apiKeySource: 'ANTHROPIC_API_KEY',
      }
    : { loggedIn: false, authMethod: 'none', apiProvider: 'firstParty' }
  process.stdout.write(`${JSON.stringify(status, null, 2)}\n`)
  process.exit(isLoggedIn ? 0 : 1)
}

/**
 * The script in `source` (inline JSON when it starts with `{`, else a JSON file's path), or one that
 * answers "Nothing to do." when there is none. `name` names the source in the error for bad JSON.
 */
export function loadScript(source, name) {
  const text = source?.trim()
  if (!text) return { steps: [{ text: 'Nothing to do.' }], result: 'Nothing to do.' }
  try {
    return JSON.parse(text.startsWith('{') ? text : readFileSync(text, 'utf8'))
  } catch (error) {
    return fail(`scripted claude: bad ${name}: ${error.message}\n`, 3)
  }
}

export function zeroUsage() {
  return {
    input_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 0,
  }
}

/**
 * Starts a print-mode run from `argv` (without node and the script): answers `--version` and
 * `auth status`, and refuses what the real CLI refuses, before any event, with its exit codes.
 */
export function startPrintMode(argv, { isLoggedIn = true } = {}) {
  const startedAt = Date.now()
  if (argv[0] === 'auth' && argv[1] === 'status') authStatus(isLoggedIn)
  const options = parseArgs(argv)
  if (options.version) {
    process.stdout.write(`${CLAUDE_VERSION} (Claude Code)\n`)
    process.exit(0)
  }
  if (process.getuid?.() === 0 && options.skipPermissions && process.env.IS_SANDBOX !== '1') {
    fail(ROOT_REFUSAL, 1)
  }
  if (!options.print) fail('scripted claude supports only print mode (-p)\n', 1)
  const format = options.outputFormat ?? 'text'
  if (!['text', 'json', 'stream-json'].includes(format)) {
    fail(`error: option '--output-format <format>' argument '${format}' is invalid.\n`, 1)
  }
  if (format === 'stream-json' && !options.verbose) {
    fail('Error: When using --print, --output-format=stream-json requires --verbose\n', 1)
  }
  if (
    options.sessionId &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(options.sessionId)
  ) {
    fail('Error: Invalid session ID. Must be a valid UUID.\n', 1)
  }
  const prompt = options.prompt ?? readFileSync(0, 'utf8')
  if (!prompt.trim()) {
    fail(
      'Error: Input must be provided either through stdin or as a prompt argument when using --print\n',
      1,
    )
  }
  const mcpServers = options.mcpConfig === undefined ? {} : loadMcpConfig(options.mcpConfig)
  return new PrintModeRun({ startedAt, options, format, prompt, mcpServers })
}

function parseArgs(argv) {
  const parsed = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg]
    if (flag in BOOLEAN_FLAGS) parsed[BOOLEAN_FLAGS[flag]] = true
    else if (flag in VALUE_FLAGS) {
      const value = inline ?? argv[++i]
      if (value === undefined) fail(`error: option '${flag}' argument missing\n`, 1)
      parsed[VALUE_FLAGS[flag]] = value
    } else if (flag.startsWith('-')) fail(`error: unknown option '${flag}'\n`, 1)
    else parsed.prompt = arg
  }
  return parsed
}

// `--mcp-config` takes a JSON file or a JSON string. The real CLI refuses a config it cannot use
// before doing anything; so does this one, for the shapes our runner writes (stdio servers).
function loadMcpConfig(source) {
  let config
  try {
    config = JSON.parse(source.trim().startsWith('{') ? source : readFileSync(source, 'utf8'))
  } catch (error) {
    return fail(`Error: Invalid MCP configuration: ${error.message}\n`, 1)
  }
  const servers = config?.mcpServers
  if (!servers || typeof servers !== 'object')
    fail('Error: Invalid MCP configuration: mcpServers: Required\n', 1)
  for (const [name, server] of Object.entries(servers)) {
    const isStdio = (server.type ?? 'stdio') === 'stdio'
    if (isStdio && (typeof server.command !== 'string' || !Array.isArray(server.args ?? []))) {
      fail(
        `Error: Invalid MCP configuration: mcpServers.${name}: command must be a string, args an array\n`,
        1,
      )
    }
  }
  return servers
}

/** One print-mode run past its checks: its session, the events it prints, the script it plays. */
class PrintModeRun {
  turns = 0

  constructor({ startedAt, options, format, prompt, mcpServers }) {
    this.startedAt = startedAt
    this.options = options
    this.format = format
    this.prompt = prompt
    this.mcpServers = mcpServers
    this.sessionId = options.resume ?? options.sessionId ?? randomUUID()
    this.model = MODELS[options.model] ?? options.model ?? MODELS.sonnet
    this.vars = {
      task_id: /^\s*Task ID:\s*(\S+)/im.exec(prompt)?.[1] ?? '',
      agent_id: /^\s*Agent ID:\s*(\S+)/im.exec(prompt)?.[1] ?? '',
      session_id: this.sessionId,
      cwd: process.cwd(),
    }
  }

  /** Fills the placeholders in every string of `value`; unknown ones stay as written. */
  substitute(value) {
    if (typeof value === 'string')
      return value.replace(/\{(\w+)\}/g, (all, name) => this.vars[name] ?? all)
    if (Array.isArray(value)) return value.map((item) => this.substitute(item))
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, this.substitute(item)]),
      )
    }
    return value
  }

  /** The init event, then the steps and the result of `script`. */
  async play(script) {
    this.emit(this.initEvent())
    await this.playSteps(script)
  }

  /**
   * The steps of `script`, then its result and exit. `extraStep(step)` may run a step this file does
   * not know and return true; any other unknown step is an error (exit 3).
   */
  async playSteps(script, extraStep) {
    for (const step of script.steps ?? []) {
      if (this.options.maxTurns && this.turns >= Number(this.options.maxTurns))
        return this.finish(script, 'error_max_turns')
      // The real CLI stops once the spend passes --max-budget-usd: the rest of the script is not done.
      if (this.#isOverBudget(script)) return this.finish(script, 'success')
      await this.#runStep(step, extraStep)
    }
    return this.finish(script, script.isError ? 'error_during_execution' : 'success')
  }

  async #runStep(step, extraStep) {
    if (step.text !== undefined) return this.assistant([{ type: 'text', text: step.text }])
    if (step.sleep !== undefined) return new Promise((done) => setTimeout(done, step.sleep))
    if (step.write || step.append) {
      const { path, content = '' } = step.write ?? step.append
      const file = resolve(path)
      const id = this.toolUse(step.write ? 'Write' : 'Edit', { file_path: file, content })
      mkdirSync(dirname(file), { recursive: true })
      if (step.write) writeFileSync(file, content)
      else appendFileSync(file, content)
      return this.toolResult(
        id,
        `File ${step.write ? 'created' : 'updated'} successfully at: ${file}`,
        false,
      )
    }
    if (step.delete) {
      const id = this.toolUse('Bash', { command: `rm -f ${quote(step.delete)}` })
      rmSync(resolve(step.delete), { force: true })
      return this.toolResult(id, '', false)
    }
    if (step.run) {
      const [command, ...args] = step.run
      const id = this.toolUse('Bash', { command: step.run.map(quote).join(' ') })
      const ran = spawnSync(command, args, {
        encoding: 'utf8',
        env: process.env,
        timeout: step.timeoutMs ?? RUN_STEP_TIMEOUT_MS,
      })
      const output = ran.error ? `${command}: ${ran.error.message}` : `${ran.stdout}${ran.stderr}`
      return this.toolResult(id, output.slice(-4000), Boolean(ran.error) || ran.status !== 0)
    }
    if (await extraStep?.(step)) return undefined
    return fail(`scripted claude: unknown step ${JSON.stringify(step)}\n`, 3)
  }

  #isOverBudget(script) {
    return (
      this.options.maxBudgetUsd !== undefined &&
      (script.costUsd ?? DEFAULT_COST_USD) > Number(this.options.maxBudgetUsd)
    )
  }

  /** Prints the result (as the output format wants it) and exits. */
  finish(script, requested) {
    const overBudget = this.#isOverBudget(script)
    const subtype = overBudget ? 'error_max_budget_usd' : requested
    const isError = subtype !== 'success'
    const text = overBudget
      ? `Reached maximum budget ($${this.options.maxBudgetUsd})`
      : (script.result ?? (isError ? 'Task failed.' : 'Done.'))
    const result = this.resultEvent({
      subtype,
      isError,
      text,
      costUsd: script.costUsd ?? DEFAULT_COST_USD,
      usage: script.usage,
    })
    this.emit(result)
    if (this.format === 'json') process.stdout.write(`${JSON.stringify(result)}\n`)
    if (this.format === 'text') process.stdout.write(`${text}\n`)
    process.exit(script.exitCode ?? (isError ? 1 : 0))
  }

  /** Prints `event` as a stream-json line; the other output formats print only the result. */
  emit(event) {
    if (this.format === 'stream-json') process.stdout.write(`${JSON.stringify(event)}\n`)
  }

  initEvent() {
    return {
      type: 'system',
      subtype: 'init',
      cwd: process.cwd(),
      session_id: this.sessionId,
      tools: ['Task', 'Bash', 'Edit', 'Read', 'Write', 'WebFetch', 'WebSearch'],
      mcp_servers: Object.keys(this.mcpServers).map((name) => ({ name, status: 'connected' })),
      model: this.model,
      permissionMode: this.options.skipPermissions
        ? 'bypassPermissions'
        : (this.options.permissionMode ?? 'default'),
      slash_commands: ['clear', 'compact', 'review'],
      apiKeySource: process.env.ANTHROPIC_API_KEY ? 'ANTHROPIC_API_KEY' : 'none',
      claude_code_version: CLAUDE_VERSION,
      output_style: 'default',
      agents: ['general-purpose'],
      skills: [],
      plugins: [],
      uuid: randomUUID(),
    }
  }

  /** An assistant message (one turn); `model` and `error` as the real CLI tags a synthetic one. */
  assistant(content, { model = this.model, error } = {}) {
    this.turns++
    this.emit({
      type: 'assistant',
      message: message(content, model),
      parent_tool_use_id: null,
      session_id: this.sessionId,
      uuid: randomUUID(),
      ...(error === undefined ? {} : { error }),
    })
  }

  /** An assistant turn that calls tool `name`; returns the tool_use id for its result. */
  toolUse(name, input) {
    const id = `toolu_${randomUUID().replace(/-/g, '').slice(0, 24)}`
    this.assistant([{ type: 'tool_use', id, name, input }])
    return id
  }

  toolResult(toolUseId, content, isError) {
    this.emit({
      type: 'user',
      message: {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: toolUseId, content, is_error: isError }],
      },
      parent_tool_use_id: null,
      session_id: this.sessionId,
      uuid: randomUUID(),
    })
  }

  resultEvent({ subtype, isError, text, costUsd, usage }) {
    const turns = Math.max(this.turns, 1)
    return {
      type: 'result',
      subtype,
      is_error: isError,
      api_error_status: null,
      duration_ms: Date.now() - this.startedAt,
      duration_api_ms: Math.round((Date.now() - this.startedAt) / 2),
      num_turns: turns,
      result: text,
      stop_reason: isError ? 'stop_sequence' : 'end_turn',
      session_id: this.sessionId,
      total_cost_usd: costUsd,
      usage: usage ?? {
        input_tokens: 120 * turns,
        cache_creation_input_tokens: 2048,
        cache_read_input_tokens: 900 * turns,
        output_tokens: 40 * turns,
        service_tier: 'standard',
      },
      modelUsage: {},
      permission_denials: [],
      terminal_reason: 'completed',
      uuid: randomUUID(),
    }
  }
}

function message(content, model) {
  return {
    id: `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: null,
    stop_sequence: null,
    usage: {
      input_tokens: 120,
      output_tokens: 40,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 900,
    },
  }
}

function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${String(arg).replace(/'/g, `'\\''`)}'`
}
