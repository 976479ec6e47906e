import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { describe, expect, it, onTestFinished } from 'vitest'

import { makeTask } from '../../test/fixtures/make-task.js'
import { AGENT_ROLES } from '../contract/index.js'
import type { AgentRole, TaskResponse } from '../contract/index.js'
import { buildPrompt } from './prompt.js'
import type { PromptMode } from './prompt.js'
import { readRunnerRolePrompt } from './role-prompt.js'

const AGENTS_DIR = resolve(import.meta.dirname, '../../agents')
const TASK_ID = 4242
const SHA = '0123abcd4567ef890123abcd4567ef890123abcd'

/** Real ids may look like the examples; the checks must tell the real one apart. */
function agentIdFor(role: AgentRole): string {
  return `${role}_senior_007`
}

function task(overrides: Partial<TaskResponse> = {}): TaskResponse {
  return makeTask({
    id: TASK_ID,
    title: 'Add the login endpoint',
    description: 'POST /login. Done when it answers 200.',
    created_by: 'someone',
    difficulty: 'senior',
    locked_by: null,
    ...overrides,
  })
}

function assemble(
  role: AgentRole,
  mode: PromptMode,
  rolePrompt: string,
  attempt = 1,
  reportVia: 'hpm' | 'mcp' = 'hpm',
  pushRemote?: string,
): string {
  return buildPrompt({
    reportVia,
    rolePrompt,
    task: task(),
    agentId: agentIdFor(role),
    role,
    mode,
    worktreePath: `/repo/.worktrees/task-${TASK_ID}${mode === 'review' ? '-qa' : ''}`,
    branch: `feature/task-${TASK_ID}`,
    baseBranch: 'main',
    ...(mode === 'review' ? { reviewedCommit: SHA } : {}),
    mentions: [],
    attempt,
    ...(attempt > 1 ? { previousFailure: 'claude exited with code 1' } : {}),
    ...(pushRemote === undefined ? {} : { pushRemote }),
  })
}

const LOOPING = [
  /do not end (the|your|this) session/i,
  /keep (it )?going/i,
  /never stop/i,
  /go back to step/i,
  /run it again/i,
  /pick up another task/i,
  /next_task/i,
  /\bheartbeat\b/i,
]
const STATUS_BANS = [/do not change the status/i, /change the status of tasks yourself/i]
const CLAIMING = /\bhpm\s+(tasks\s+(next|claim|lock|unlock)|register)\b/gi
const EXAMPLE_IDS = [
  /\b[a-z]+(?:_[a-z]+)*_\d{3}\b/g,
  /<[^<>\n]*agent[ _-]?id[^<>\n]*>/gi,
  /\byour[-_]agent[-_]id\b/gi,
  /<you>/gi,
]
const HANDS_OFF = [/open a pull request/i, /push the branch/i]

/** Every `hpm` invocation in a text, up to the end of its line or inline code span. */
function hpmCommands(text: string): string[] {
  return [...text.matchAll(/(?<![\w./-])hpm\s+[a-z][^\n`]*/g)].map((m) => m[0].trim())
}

/** What is wrong with a runner prompt, each problem prefixed with its check's name; [] when clean. */
function problemsIn(prompt: string, agentId: string, mode: PromptMode): string[] {
  const problems: string[] = []
  for (const pattern of LOOPING) if (pattern.test(prompt)) problems.push(`looping: ${pattern}`)
  for (const pattern of STATUS_BANS)
    if (pattern.test(prompt)) problems.push(`status ban: ${pattern}`)
  for (const pattern of HANDS_OFF)
    if (pattern.test(prompt)) problems.push(`runner's job: ${pattern}`)
  for (const match of prompt.matchAll(CLAIMING)) problems.push(`claiming: ${match[0]}`)
  for (const pattern of EXAMPLE_IDS) {
    for (const match of prompt.matchAll(pattern))
      if (match[0] !== agentId) problems.push(`example id: ${match[0]}`)
  }
  for (const match of prompt.matchAll(/--(?:agent|author)-id[ =]+([^\s`"]+)/g)) {
    if (match[1] !== agentId) problems.push(`foreign agent id: ${match[0]}`)
  }

  const headings = prompt.match(/^## How to report\s*$/gm) ?? []
  if (headings.length !== 1)
    problems.push(`report heading: ${headings.length} "## How to report" headings`)
  for (const command of hpmCommands(prompt)) {
    const hasIds =
      new RegExp(`\\b${TASK_ID}\\b`).test(command) &&
      new RegExp(`--agent-id ${agentId}(\\s|$)`).test(command)
    if (!hasIds) problems.push(`command ids: ${command}`)
  }
  const statuses = hpmCommands(prompt)
    .filter((c) => /^hpm\s+tasks\s+status\b/.test(c))
    .map((c) => /--status\s+(\w+)/.exec(c)?.[1] ?? '?')
  const expected = mode === 'review' ? ['qa_done', 'created'] : ['dev_done']
  if (statuses.join() !== expected.join())
    problems.push(`status commands: [${statuses.join()}], expected [${expected.join()}]`)
  return problems
}

function categories(problems: readonly string[]): string[] {
  return [...new Set(problems.map((p) => p.slice(0, p.indexOf(':'))))]
}

const CASES: Array<[AgentRole, PromptMode]> = [
  ...AGENT_ROLES.map((r): [AgentRole, PromptMode] => [r, 'work']),
  ['qa', 'review'],
]

describe('buildPrompt with readRunnerRolePrompt', () => {
  it.each(CASES)(
    'gives %s in %s mode one way to report with the real ids and nothing of the interactive loop',
    (role, mode) => {
      const prompt = assemble(role, mode, readRunnerRolePrompt('/nonexistent-repo', role))

      expect(problemsIn(prompt, agentIdFor(role), mode)).toEqual([])
      expect(prompt.match(/^Task ID: .*$/gm)).toEqual([`Task ID: ${TASK_ID}`])
      expect(prompt.match(/^Agent ID: .*$/gm)).toEqual([`Agent ID: ${agentIdFor(role)}`])
    },
  )

  it.each(CASES)(
    'fails every check family on the interactive team_roles prompt for %s in %s mode',
    (role, mode) => {
      const interactive = readFileSync(join(AGENTS_DIR, 'team_roles', `${role}.md`), 'utf8')

      const found = categories(
        problemsIn(assemble(role, mode, interactive), agentIdFor(role), mode),
      )

      expect(found).toEqual(
        expect.arrayContaining([
          'looping',
          'status ban',
          'claiming',
          'example id',
          'foreign agent id',
          'command ids',
          'status commands',
        ]),
      )
    },
  )

  it.each([
    ['a second reporting heading', '## How to report\nReport when done.', 'report heading'],
    [
      'another status command',
      `hpm tasks status ${TASK_ID} --status dev_done --agent-id backend_dev_senior_007`,
      'status commands',
    ],
    [
      'a command without the agent id',
      `hpm tasks comment ${TASK_ID} --comment "hi"`,
      'command ids',
    ],
    [
      'a command for another task',
      'hpm tasks get 12 --agent-id backend_dev_senior_007',
      'command ids',
    ],
    ['a loop instruction', 'Keep going until no task is left.', 'looping'],
    ['an example agent id', 'Ask dev_001 if unsure.', 'example id'],
    ['a placeholder agent id', 'Mention @<their agent_id>.', 'example id'],
  ])('reports %s', (_name, extra, category) => {
    const prompt = assemble(
      'backend_dev',
      'work',
      `${readRunnerRolePrompt('/nonexistent-repo', 'backend_dev')}\n${extra}\n`,
    )

    expect(categories(problemsIn(prompt, agentIdFor('backend_dev'), 'work'))).toEqual([category])
  })

  it('names the reviewed commit and branch, and the QA verdict protocol, in review mode', () => {
    const prompt = assemble('qa', 'review', readRunnerRolePrompt('/nonexistent-repo', 'qa'))

    expect(prompt).toContain(
      `checked out (detached) at commit ${SHA} of branch feature/task-${TASK_ID}`,
    )
    expect(prompt).toContain('Test the work at the reviewed commit')
    expect(prompt).toMatch(
      /fail: `created`, with a QA report as the notes: what fails, how to reproduce it/,
    )
  })

  it('says what ended the previous attempt when attempt > 1', () => {
    const prompt = assemble(
      'backend_dev',
      'work',
      readRunnerRolePrompt('/nonexistent-repo', 'backend_dev'),
      2,
    )

    expect(prompt).toContain('## Note: this is attempt 2')
    expect(prompt).toContain('The previous attempt ended with: claude exited with code 1.')
  })
})

describe('buildPrompt when the agent reports through the MCP tools', () => {
  /** Every tool call line: `mcp__headless-pm__<tool> {json arguments}`. */
  function toolCalls(text: string): Array<{ tool: string; args: Record<string, unknown> }> {
    return [...text.matchAll(/mcp__headless-pm__(\w+) (\{.*\})$/gm)].map((m) => ({
      tool: m[1]!,
      args: JSON.parse(m[2]!) as Record<string, unknown>,
    }))
  }

  it.each(CASES)(
    'gives %s in %s mode tool calls with the real task id and no hpm command',
    (role, mode) => {
      const prompt = assemble(role, mode, readRunnerRolePrompt('/nonexistent-repo', role), 1, 'mcp')

      const calls = toolCalls(prompt)
      expect(hpmCommands(prompt)).toEqual([])
      expect(calls.every((c) => c.args.task_id === TASK_ID)).toBe(true)
      expect(
        calls.filter((c) => c.tool === 'update_task_status').map((c) => c.args.status),
      ).toEqual(mode === 'review' ? ['qa_done', 'created'] : ['dev_done'])
      expect(calls.filter((c) => c.tool === 'add_comment')).toHaveLength(mode === 'review' ? 0 : 1)
      expect(prompt).toContain(
        `they act as your agent id, ${agentIdFor(role)}; this task is ${TASK_ID}`,
      )
    },
  )
})

describe('readRunnerRolePrompt', () => {
  function tempRepo(): string {
    const dir = mkdtempSync(join(tmpdir(), 'hpm-role-prompt-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    return dir
  }

  it('has a runner prompt in agents/runner_roles for every role', () => {
    const files = readdirSync(join(AGENTS_DIR, 'runner_roles'))
      .filter((f) => f.endsWith('.md'))
      .sort()

    expect(files).toEqual(AGENT_ROLES.map((r) => `${r}.md`).sort())
  })

  it('returns the project override from headless-pm/runner_roles when there is one', () => {
    const repo = tempRepo()
    mkdirSync(join(repo, 'headless-pm', 'runner_roles'), { recursive: true })
    writeFileSync(join(repo, 'headless-pm', 'runner_roles', 'qa.md'), 'Project QA rules.\n')

    expect(readRunnerRolePrompt(repo, 'qa')).toBe('Project QA rules.\n')
  })

  it('returns the package prompt when the project only has interactive headless-pm/team_roles', () => {
    const repo = tempRepo()
    mkdirSync(join(repo, 'headless-pm', 'team_roles'), { recursive: true })
    writeFileSync(join(repo, 'headless-pm', 'team_roles', 'qa.md'), 'Interactive QA prompt.\n')

    expect(readRunnerRolePrompt(repo, 'qa')).toBe(
      readFileSync(join(AGENTS_DIR, 'runner_roles', 'qa.md'), 'utf8'),
    )
  })

  it.each(['reviewer', '../team_roles/qa'])(
    'returns the one-line fallback when role %s has no prompt',
    (role) => {
      expect(readRunnerRolePrompt(tempRepo(), role)).toBe(
        `You are a ${role} agent in a team coordinated by Headless PM.`,
      )
    },
  )
})

describe('buildPrompt in git remote mode', () => {
  function remotePrompt(mode: PromptMode, reportVia: 'hpm' | 'mcp' = 'hpm'): string {
    const role: AgentRole = mode === 'review' ? 'qa' : 'backend_dev'
    return assemble(
      role,
      mode,
      readRunnerRolePrompt('/nonexistent-repo', role),
      1,
      reportVia,
      'origin',
    )
  }

  it.each(['hpm', 'mcp'] as const)(
    'leaves dev_done to the runner, which pushes first, when reporting via %s',
    (reportVia) => {
      const prompt = remotePrompt('work', reportVia)

      expect(prompt).not.toMatch(/dev_done[" ]*(--notes|,)/)
      expect(prompt).not.toMatch(/--status dev_done|"status": "dev_done"/)
      expect(prompt).toContain(
        `the runner pushes branch feature/task-${TASK_ID} to origin and then reports dev_done`,
      )
      // The one check that fails is the one this mode changes on purpose: no status command at all.
      expect(problemsIn(prompt, agentIdFor('backend_dev'), 'work')).toEqual([
        'status commands: [], expected [dev_done]',
      ])
    },
  )

  it('gives a reviewer the same one verdict as without a remote', () => {
    const prompt = remotePrompt('review')

    expect(problemsIn(prompt, agentIdFor('qa'), 'review')).toEqual([])
  })
})
