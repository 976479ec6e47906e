import { describe, expect, it } from 'vitest'

import type { AgentStatus } from './team-supervisor.js'
import { formatElapsed, renderTeamTable } from './team-view.js'

const NOW = Date.parse('2026-11-30T12:00:00.000Z')

function status(overrides: Partial<AgentStatus>): AgentStatus {
  return {
    agentId: 'dev_1',
    role: 'backend_dev',
    level: 'senior',
    state: 'running',
    pid: 4242,
    startedAtMs: NOW - 5000,
    restarts: 0,
    lastExit: null,
    ...overrides,
  }
}

describe('renderTeamTable', () => {
  it('shows the task, phase, tool, elapsed and cost the server reports for a running agent', () => {
    const server = new Map([
      [
        'dev_1',
        {
          activity: {
            task_id: 12,
            phase: 'claude',
            tool: 'Bash',
            detail: 'npm test',
            since: '2026-11-30T11:58:55.000Z',
          },
          costUsd: 0.4,
        },
      ],
    ])

    const lines = renderTeamTable([status({})], server, NOW)

    expect(lines[0]).toMatch(/^agent\s+state\s+pid\s+task\s+phase\s+tool\s+elapsed\s+cost$/)
    expect(lines[1]).toMatch(
      /^dev_1\s+running\s+4242\s+#12\s+claude\s+Bash npm test\s+1 m 05 s\s+\$0\.40$/,
    )
  })

  it('shows how a stopped agent ended and how often it was restarted, without server data', () => {
    const lines = renderTeamTable(
      [
        status({
          state: 'stopped',
          pid: null,
          startedAtMs: null,
          restarts: 2,
          lastExit: 'exit 1: stopped itself',
        }),
      ],
      new Map(),
      NOW,
    )

    expect(lines[1]).toBe('dev_1  stopped: exit 1 (2 restarts)')
  })
})

describe('formatElapsed', () => {
  it.each([
    [42_000, '42 s'],
    [185_000, '3 m 05 s'],
    [7_620_000, '2 h 07 m'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text)
  })
})
