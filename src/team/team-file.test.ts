import { describe, expect, it } from 'vitest'

import { ConfigError } from '../config/index.js'
import { parseTeam } from './team-file.js'

const FILE = '/work/project/headless-pm.team.json'
const CWD = '/somewhere/else'

function issuesOf(raw: unknown): string[] {
  try {
    parseTeam(raw, FILE, CWD)
  } catch (error) {
    if (error instanceof ConfigError) return error.issues
    throw error
  }
  return []
}

describe('parseTeam', () => {
  it.each([
    ['no agents', {}, 'agents: Invalid input: expected array, received undefined'],
    ['an empty team', { agents: [] }, 'agents: must list at least one agent'],
    [
      'an unknown role',
      { agents: [{ role: 'tester' }] },
      'agents.0.role: Invalid option: expected one of',
    ],
    [
      'a level that does not exist',
      { agents: [{ role: 'qa', level: 'expert' }] },
      'agents.0.level: Invalid option',
    ],
    ['a count of 0', { agents: [{ role: 'qa', count: 0 }] }, 'agents.0.count: must be at least 1'],
    [
      'an id with count 2',
      { agents: [{ role: 'qa', id: 'qa_x', count: 2 }] },
      'agents.0.id: an explicit id needs count 1',
    ],
    [
      'an id unfit for a file name',
      { agents: [{ role: 'qa', id: '../qa' }] },
      'agents.0.id: must be letters, digits',
    ],
    [
      'args that set the agent id',
      { agents: [{ role: 'qa', args: ['--agent-id', 'x'] }] },
      'agents.0.args: must not set --agent-id',
    ],
    [
      'an env name with a space',
      { agents: [{ role: 'qa', env: { 'A B': '1' } }] },
      'agents.0.env.A B: must be an environment variable name',
    ],
    [
      'a server that is not http',
      { server: 'ftp://x', agents: [{ role: 'qa' }] },
      'server: must be an http(s) URL',
    ],
    [
      'an unknown field',
      { agents: [{ role: 'qa', modle: {} }] },
      'agents.0: Unrecognized key: "modle"',
    ],
    [
      'the same id twice',
      {
        agents: [
          { role: 'qa', id: 'a1' },
          { role: 'backend_dev', id: 'a1' },
        ],
      },
      'agents: agent id a1 appears twice',
    ],
  ])('reports %s as path: message', (_name, raw, expected) => {
    const issues = issuesOf(raw)

    expect(
      issues.some((issue) => issue.startsWith(expected)),
      `${JSON.stringify(issues)} should contain ${expected}`,
    ).toBe(true)
  })

  it('reports every problem at once', () => {
    const issues = issuesOf({ agents: [{ role: 'tester', count: 0 }] })

    expect(issues).toHaveLength(2)
  })

  it('numbers ids per role across entries in file order, and keeps explicit ids', () => {
    const team = parseTeam(
      {
        agents: [
          { role: 'backend_dev', count: 2 },
          { role: 'qa', id: 'qa_lead' },
          { role: 'backend_dev', level: 'junior' },
          { role: 'qa' },
        ],
      },
      FILE,
      CWD,
    )

    expect(team.agents.map((a) => a.agentId)).toEqual([
      'backend_dev_1',
      'backend_dev_2',
      'qa_lead',
      'backend_dev_3',
      'qa_1',
    ])
  })

  it('resolves repo and hooks_dir against the team file, and defaults repo to cwd', () => {
    const explicit = parseTeam(
      { repo: '../repo', agents: [{ role: 'qa', hooks_dir: 'hooks' }] },
      FILE,
      CWD,
    )
    const defaulted = parseTeam({ agents: [{ role: 'qa' }] }, FILE, CWD)

    expect(explicit.repoDir).toBe('/work/repo')
    expect(explicit.agents[0]?.hooksDir).toBe('/work/project/hooks')
    expect(defaulted.repoDir).toBe(CWD)
  })
})
