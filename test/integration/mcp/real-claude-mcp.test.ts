import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { RunnerConfig } from '../../../src/config/index.js'
import { runProcess } from '../../../src/lib/index.js'
import { writeMcpConfig } from '../../../src/runner/mcp-config.js'
import { REAL_CLAUDE, realClaudeLane } from '../../helpers/real-claude.js'
import { startTestServer } from '../../helpers/test-server.js'
import type { TestServer } from '../../helpers/test-server.js'

// What Claude Code itself makes of our MCP server, without credentials: `claude mcp list` starts
// every configured server and reports whether it completed the MCP handshake; `claude -p` reads
// the runner's --mcp-config file with its own parser before it finds it is not logged in.

describe.runIf(realClaudeLane('MCP'))('the real Claude Code CLI and our MCP server', () => {
  let server: TestServer
  let home: string

  beforeAll(async () => {
    server = await startTestServer()
    home = await mkdtemp(join(tmpdir(), 'hpm-claude-mcp-'))
  })
  afterAll(async () => {
    await server?.close()
    await rm(home, { recursive: true, force: true })
  })

  const claude = (...args: string[]) =>
    runProcess(REAL_CLAUDE!, args, {
      cwd: home,
      timeoutMs: 120_000,
      env: { PATH: process.env.PATH ?? '', HOME: home },
    })

  async function runnerMcpConfig(): Promise<string> {
    const config = {
      stateDir: join(home, 'state'),
      agentId: 'dev_real_001',
      role: 'backend_dev',
      level: 'senior',
      client: { apiUrl: server.url, apiKey: server.apiKey },
    } as unknown as RunnerConfig
    return writeMcpConfig(config, server.apiKey)
  }

  it("connects to `hpm mcp` as the runner's --mcp-config describes it (stdio)", async () => {
    expect(REAL_CLAUDE, 'a real claude binary is required in this run').toBeDefined()
    const file = await runnerMcpConfig()
    const entry = JSON.parse(await readFile(file, 'utf8')).mcpServers['headless-pm']

    const added = await claude(
      'mcp',
      'add-json',
      '--scope',
      'user',
      'headless-pm-stdio',
      JSON.stringify(entry),
    )
    const listed = await claude('mcp', 'list')

    expect(added.exitCode, added.stderr).toBe(0)
    expect(listed.stdout).toMatch(
      /headless-pm-stdio: .*hpm\.js mcp --agent-id dev_real_001 .*Connected/,
    )
  })

  it("connects to the server's /mcp over HTTP with the key header, as the README says to add it", async () => {
    expect(REAL_CLAUDE, 'a real claude binary is required in this run').toBeDefined()

    const added = await claude(
      'mcp',
      'add',
      '--scope',
      'user',
      '--transport',
      'http',
      'headless-pm-http',
      `${server.url}/mcp`,
      '--header',
      `X-API-Key: ${server.apiKey}`,
    )
    const listed = await claude('mcp', 'list')

    expect(added.exitCode, added.stderr).toBe(0)
    expect(listed.stdout).toMatch(/headless-pm-http: .*\/mcp .*Connected/)
  })

  it("accepts the runner's --mcp-config file in print mode and lists the server", async () => {
    expect(REAL_CLAUDE, 'a real claude binary is required in this run').toBeDefined()
    const file = await runnerMcpConfig()

    const run = await claude(
      '-p',
      '--mcp-config',
      file,
      '--output-format',
      'stream-json',
      '--verbose',
      'Say hello.',
    )

    const init = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .find((e) => e.type === 'system' && e.subtype === 'init')
    expect(run.stderr).not.toMatch(/Invalid MCP configuration/)
    expect(init?.mcp_servers).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'headless-pm' })]),
    )
  })
})
