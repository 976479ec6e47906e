/**
 * What the MCP server costs an agent, against `hpm serve` in a child process on loopback:
 * - stdio start-up: spawning `hpm mcp` until the MCP handshake (initialize) has answered, median of 5;
 * - per call: `get_task` through `hpm mcp` (stdio) and through the server's `/mcp` (Streamable HTTP,
 *   a fresh stateless server per request), against the same call made with plain REST, median of 200.
 *
 * `npx tsx bench/mcp-latency.ts` (BENCH_MCP_CALLS overrides the call count, at most 2000).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

import {
  bounded,
  apiCaller,
  BENCH_API_KEY,
  HPM_BIN,
  log,
  machine,
  markdownTable,
  ok,
  printReport,
  seedFeature,
  startServerChild,
  summarize,
} from './bench-kit.js'
import type { Summary } from './bench-kit.js'

const CALLS = bounded('BENCH_MCP_CALLS', 200, 2000)

export interface McpLatencyResult {
  stdioStartMs: Summary
  restCallMs: Summary
  stdioCallMs: Summary
  httpCallMs: Summary
}

function stdioTransport(url: string): StdioClientTransport {
  return new StdioClientTransport({
    command: process.execPath,
    args: [HPM_BIN, 'mcp', '--agent-id', 'bench_001'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: tmpdir(),
      HEADLESS_PM_API_URL: url,
      HEADLESS_PM_API_KEY: BENCH_API_KEY,
    },
    stderr: 'ignore',
  })
}

async function timeCalls(call: () => Promise<unknown>): Promise<Summary> {
  const samples: number[] = []
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now()
    await call()
    samples.push(performance.now() - started)
  }
  return summarize(samples)
}

export async function benchMcpLatency(): Promise<McpLatencyResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hpm-bench-mcp-'))
  const server = await startServerChild({ dataDir, timeoutMs: 10 * 60_000 })
  try {
    const api = apiCaller(server.url, BENCH_API_KEY)
    const feature = await seedFeature(api, 'pm_b')
    const task = ok(
      await api('POST', '/api/v1/tasks/create?agent_id=pm_b', {
        feature_id: feature.id,
        title: 't',
        description: 'd',
        target_role: 'backend_dev',
        difficulty: 'junior',
        branch: 'b',
      }),
      'task',
    )

    const starts: number[] = []
    for (let i = 0; i < 5; i++) {
      const started = performance.now()
      const client = new Client({ name: 'bench', version: '1' })
      await client.connect(stdioTransport(server.url))
      starts.push(performance.now() - started)
      await client.close()
    }

    const restCallMs = await timeCalls(async () =>
      ok(await api('GET', `/api/v1/tasks/${task.id}`), 'get task'),
    )
    const stdio = new Client({ name: 'bench', version: '1' })
    await stdio.connect(stdioTransport(server.url))
    const stdioCallMs = await timeCalls(() =>
      stdio.callTool({ name: 'get_task', arguments: { task_id: task.id } }),
    )
    await stdio.close()
    const http = new Client({ name: 'bench', version: '1' })
    await http.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
        requestInit: { headers: { 'X-API-Key': BENCH_API_KEY } },
      }),
    )
    const httpCallMs = await timeCalls(() =>
      http.callTool({ name: 'get_task', arguments: { task_id: task.id } }),
    )
    await http.close()
    return { stdioStartMs: summarize(starts), restCallMs, stdioCallMs, httpCallMs }
  } finally {
    await server.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

export function mcpLatencyTable(result: McpLatencyResult): string {
  const row = (name: string, s: Summary) => [name, s.n, s.median, s.p95, s.max]
  return markdownTable(
    ['what', 'n', 'median ms', 'p95 ms', 'max ms'],
    [
      row('hpm mcp start-up (spawn → initialize answered)', result.stdioStartMs),
      row('get_task over REST (baseline)', result.restCallMs),
      row('get_task tool over stdio (hpm mcp)', result.stdioCallMs),
      row('get_task tool over HTTP (/mcp)', result.httpCallMs),
    ],
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  log(`machine: ${JSON.stringify(machine())}`)
  const result = await benchMcpLatency()
  printReport('MCP latency', { machine: machine(), ...result }, mcpLatencyTable(result))
}
