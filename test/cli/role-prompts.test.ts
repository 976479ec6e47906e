import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'

import {
  AGENT_ROLES,
  DOCUMENT_TYPES,
  FLOW_STATUSES,
  SKILL_LEVELS,
  TASK_STATUSES,
} from '../../src/cli/choices.js'
import * as help from '../../src/cli/help.js'
import { buildProgram } from '../../src/cli/program.js'

const ROLES_DIR = resolve(import.meta.dirname, '../../agents/team_roles')
const ROLE_FILES = readdirSync(ROLES_DIR)
  .filter((f) => f.endsWith('.md'))
  .sort()
const DOCS_FILE = resolve(import.meta.dirname, '../../docs/cli.md')

const program = buildProgram({ setExit: () => {} })

/** Commands DESIGN.md plans that are not wired yet (MCP); texts may already name them. */
const PLANNED_COMMANDS = ['mcp']

/** Every `hpm ...` invocation in a text: inline code, indented code and help example lines. */
function invocations(text: string): string[] {
  const found: string[] = []
  for (const match of text.matchAll(/`(hpm [^`]+)`/g)) found.push(match[1] ?? '')
  for (const line of text.split('\n')) {
    const code = /^\s+(hpm .+)$/.exec(line)?.[1]
    if (code) found.push(code.replace(/\\$/, ''))
  }
  return found.map((s) => s.replace(/\s+/g, ' ').trim())
}

/** The command an invocation names, and the flags it passes with their values. */
function resolveInvocation(invocation: string): {
  command: Command | undefined
  path: string
  flags: Array<[string, string | undefined]>
} {
  const words = invocation.split(' ').slice(1)
  let command: Command = program
  const path: string[] = []
  for (const word of words) {
    const sub = command.commands.find((c) => c.name() === word)
    if (!sub) break
    command = sub
    path.push(word)
  }
  const flags: Array<[string, string | undefined]> = []
  words.forEach((word, i) => {
    if (word.replace(/^\[/, '').startsWith('--'))
      flags.push([word.replace(/[[\]]/g, ''), words[i + 1]])
  })
  return {
    command:
      path.length > 0 || words.length === 0 || words[0]?.startsWith('-') ? command : undefined,
    path: path.join(' '),
    flags,
  }
}

function knownFlags(command: Command): Set<string> {
  const names = new Set<string>(['--help', '--url', '--api-key', '--json'])
  for (const option of command.options) if (option.long) names.add(option.long)
  return names
}

const VALUE_CHECKS: Record<string, readonly string[]> = {
  '--status': [...FLOW_STATUSES, 'up', 'down', 'starting'],
  '--type': DOCUMENT_TYPES,
  '--role': AGENT_ROLES,
  '--target-role': AGENT_ROLES,
  '--level': SKILL_LEVELS,
  '--difficulty': SKILL_LEVELS,
}

function problemsIn(text: string): string[] {
  const problems: string[] = []
  for (const invocation of invocations(text)) {
    const first = invocation.split(' ')[1] ?? ''
    if (first.startsWith('<') || PLANNED_COMMANDS.includes(first)) continue
    const { command, flags } = resolveInvocation(invocation)
    if (!command) {
      problems.push(`unknown command: ${invocation}`)
      continue
    }
    const known = knownFlags(command)
    for (const [flag, value] of flags) {
      if (!known.has(flag)) problems.push(`unknown flag ${flag} in: ${invocation}`)
      const allowed = VALUE_CHECKS[flag]
      const isPlaceholder = value === undefined || /^[<$[-]/.test(value) || value.includes('|')
      if (allowed && !isPlaceholder && !allowed.includes(value)) {
        problems.push(`invalid ${flag} ${value} in: ${invocation}`)
      }
    }
  }
  // Backticked single words that look like a status must be real ones.
  for (const match of text.matchAll(
    /`([a-z]+_[a-z_]+|pending|created|committed|testing|approved)`/g,
  )) {
    const word = match[1] ?? ''
    const isKnown =
      ([...TASK_STATUSES, ...AGENT_ROLES, ...DOCUMENT_TYPES] as string[]).includes(word) ||
      /_(senior|junior|principal)_\d+$/.test(word)
    if (
      !isKnown &&
      ![
        'task_id',
        'agent_id',
        'mention_id',
        'next_task',
        'last_timestamp',
        'last_event_id',
        'document_id',
        'service_name',
        'api_key',
        'connection_failed',
        'hooks_dir',
        'stop_grace_seconds',
      ].includes(word)
    ) {
      problems.push(`unknown value \`${word}\``)
    }
  }
  for (const match of text.matchAll(/(?<![\w.])@([a-z_]+)\b/g)) {
    const name = match[1] ?? ''
    if (/_(senior|junior|principal)_\d+$/.test(name) || /^(dev|qa|pm)_\d+$/.test(name)) continue
    if (!(AGENT_ROLES as readonly string[]).includes(name))
      problems.push(`@${name} is neither a role nor an example agent id`)
  }
  return problems
}

describe('agents/team_roles prompts', () => {
  it('has one prompt per role', () => {
    expect(ROLE_FILES).toEqual(AGENT_ROLES.map((r) => `${r}.md`).sort())
  })

  it.each(ROLE_FILES)(
    '%s names only real commands, flags, statuses, roles and document types',
    (file) => {
      const text = readFileSync(join(ROLES_DIR, file), 'utf8')

      expect(problemsIn(text)).toEqual([])
      expect(text).toContain(`--role ${file.replace('.md', '')}`)
    },
  )
})

describe('hpm help texts', () => {
  it.each(Object.keys(help))('%s names only real commands, flags and values', (name) => {
    expect(problemsIn((help as Record<string, string>)[name] ?? '')).toEqual([])
  })

  it('docs/cli.md names only real commands, flags and values', () => {
    expect(problemsIn(readFileSync(DOCS_FILE, 'utf8'))).toEqual([])
  })
})
