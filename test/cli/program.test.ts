import { CommanderError } from 'commander'
import { describe, expect, it } from 'vitest'

import { UsageError } from '../../src/cli/exit-codes.js'
import { buildProgram } from '../../src/cli/program.js'

// In-process: the command tree's own checks (choices, integers, required flags, unknown names).
// test/cli/hpm.test.ts proves end to end that such errors exit 2 without a server call.

/** Parses `args` like `hpm` would; returns what was written to stderr and the error thrown. */
async function parse(args: string[]): Promise<{ stderr: string; stdout: string; error: unknown }> {
  let stderr = ''
  let stdout = ''
  const program = buildProgram({
    setExit: () => {},
    output: { writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) },
  })
  // A server that would refuse the connection: a check that let the call through would show here.
  const dead = ['--url', 'http://127.0.0.1:9', '--api-key', 'k']
  try {
    await program.parseAsync(['node', 'hpm', ...dead, ...args])
  } catch (error) {
    return { stderr, stdout, error }
  }
  return { stderr, stdout, error: undefined }
}

describe('hpm command tree', () => {
  it.each<[string, string[], RegExp]>([
    ['an unknown command', ['bogus'], /unknown command 'bogus'/],
    ['an unknown subcommand', ['tasks', 'frobnicate'], /unknown command 'frobnicate'/],
    ['an unknown flag', ['tasks', 'list', '--frob'], /unknown option '--frob'/],
    ['an extra argument', ['tasks', 'list', 'extra'], /too many arguments for 'list'/],
    [
      'an invalid role',
      ['register', '--agent-id', 'a', '--role', 'wizard', '--level', 'senior'],
      /Allowed choices are frontend_dev, backend_dev, fullstack_dev, qa, architect, pm\./,
    ],
    [
      'an invalid level',
      ['tasks', 'next', '--role', 'qa', '--level', 'guru'],
      /Allowed choices are junior, senior, principal\./,
    ],
    [
      'an invalid status',
      ['tasks', 'status', '1', '--status', 'testing', '--agent-id', 'a'],
      /Allowed choices are pending, created, under_work, dev_done, qa_done, documentation_done, committed\./,
    ],
    [
      'a legacy status as a target',
      ['tasks', 'status', '1', '--status', 'approved', '--agent-id', 'a'],
      /'approved' is invalid/,
    ],
    [
      'an invalid document type',
      ['documents', 'list', '--type', 'note'],
      /Allowed choices are standup, critical_issue, service_status, update\./,
    ],
    [
      'an invalid service status',
      [
        'services',
        'register',
        '--name',
        's',
        '--ping-url',
        'http://x/',
        '--agent-id',
        'a',
        '--status',
        'active',
      ],
      /Allowed choices are up, down, starting\./,
    ],
    [
      'an invalid complexity',
      ['tasks', 'update', '1', '--agent-id', 'a', '--complexity', 'huge'],
      /Allowed choices are minor, major\./,
    ],
    [
      'an invalid connection type',
      [
        'register',
        '--agent-id',
        'a',
        '--role',
        'qa',
        '--level',
        'senior',
        '--connection-type',
        'ws',
      ],
      /Allowed choices are client, mcp\./,
    ],
    [
      'an invalid on-stuck answer',
      ['run', '--role', 'qa', '--agent-id', 'a', '--on-stuck', 'panic'],
      /Allowed choices are retry, release, quit\./,
    ],
    [
      'a non-numeric task id',
      ['tasks', 'lock', 'abc', '--agent-id', 'a'],
      /argument 'task_id'\. must be a positive integer/,
    ],
    [
      'a zero epic id',
      ['epics', 'delete', '--epic-id', '0', '--agent-id', 'a'],
      /must be a positive integer/,
    ],
    [
      'a fractional feature id',
      ['features', 'list', '--epic-id', '1.5'],
      /must be a positive integer/,
    ],
    [
      'a priority out of range',
      ['tasks', 'update', '1', '--agent-id', 'a', '--priority', '5000'],
      /from -1000 to 1000/,
    ],
    [
      'a budget that is not a number',
      [
        'tasks',
        'create',
        '--feature-id',
        '1',
        '--title',
        't',
        '--target-role',
        'qa',
        '--difficulty',
        'junior',
        '--agent-id',
        'a',
        '--budget-usd',
        '2,5',
      ],
      /option '--budget-usd <dollars>' argument '2,5' is invalid\. must be a number of US dollars more than 0 and at most 10000, e\.g\. 2\.5/,
    ],
    [
      'a budget of zero',
      [
        'tasks',
        'create',
        '--feature-id',
        '1',
        '--title',
        't',
        '--target-role',
        'qa',
        '--difficulty',
        'junior',
        '--agent-id',
        'a',
        '--budget-usd',
        '0',
      ],
      /more than 0 and at most 10000/,
    ],
    [
      'a budget over the maximum',
      ['tasks', 'update', '1', '--agent-id', 'a', '--budget-usd', '10000.5'],
      /more than 0 and at most 10000, e\.g\. 2\.5; or none to clear it/,
    ],
    [
      'a budget in hex',
      ['tasks', 'update', '1', '--agent-id', 'a', '--budget-usd', '0x10'],
      /or none to clear it/,
    ],
    [
      'a wait that is too long',
      ['tasks', 'claim', '--agent-id', 'a', '--timeout', '9999'],
      /from 0 to 600/,
    ],
    [
      'a wait that is not a number',
      ['tasks', 'next', '--role', 'qa', '--level', 'senior', '--timeout', 'soon'],
      /from 0 to 600/,
    ],
    [
      'a port that is not a number',
      [
        'services',
        'register',
        '--name',
        's',
        '--ping-url',
        'http://x/',
        '--agent-id',
        'a',
        '--port',
        'http',
      ],
      /from 1 to 65535/,
    ],
    [
      'meta data that is not a JSON object',
      [
        'documents',
        'create',
        '--type',
        'update',
        '--title',
        't',
        '--content',
        'c',
        '--author-id',
        'a',
        '--meta-data',
        '[1]',
      ],
      /must be a JSON object/,
    ],
    [
      'an expiry without a zone',
      [
        'documents',
        'create',
        '--type',
        'update',
        '--title',
        't',
        '--content',
        'c',
        '--author-id',
        'a',
        '--expires-at',
        '2026-01-01 10:00',
      ],
      /ISO-8601 date-time with a zone/,
    ],
    [
      'a ping URL that is not http',
      ['services', 'register', '--name', 's', '--ping-url', 'ftp://x', '--agent-id', 'a'],
      /must be an http\(s\) URL/,
    ],
    [
      'a missing required flag',
      ['tasks', 'next', '--level', 'senior'],
      /required option '--role <role>' not specified/,
    ],
    [
      'a missing agent id',
      ['tasks', 'lock', '5'],
      /required option '--agent-id <id>' not specified/,
    ],
    ['a missing argument', ['tasks', 'get'], /missing required argument 'task_id'/],
  ])('rejects %s naming what is valid', async (_case, args, pattern) => {
    const { stderr, stdout, error } = await parse(args)

    expect(error).toBeInstanceOf(CommanderError)
    expect((error as CommanderError).exitCode).not.toBe(0)
    expect(stderr).toMatch(pattern)
    expect(stdout).toBe('')
  })

  it.each<[string, string[], RegExp]>([
    ['an update without fields', ['tasks', 'update', '1', '--agent-id', 'a'], /nothing to update/],
    ['a document update without fields', ['documents', 'update', '1'], /nothing to update/],
    [
      'a document with no content',
      ['documents', 'create', '--type', 'update', '--title', 't', '--author-id', 'a'],
      /--content <text>.*not specified/,
    ],
    [
      'content given twice',
      [
        'documents',
        'create',
        '--type',
        'update',
        '--title',
        't',
        '--content',
        'c',
        '--content-file',
        'f',
        '--author-id',
        'a',
      ],
      /not both/,
    ],
    ['mentions by agent and role', ['mentions', '--agent-id', 'a', '--role', 'qa'], /not both/],
    [
      'a since that is not a time',
      ['changes', '--since', 'yesterday', '--agent-id', 'a'],
      /ISO-8601 date-time .* or a Unix timestamp/,
    ],
  ])('throws UsageError before any call on %s', async (_case, args, pattern) => {
    const { error } = await parse(args)

    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message).toMatch(pattern)
  })

  it('prints help for a group with the workflow of that group', async () => {
    const { stdout, error } = await parse(['tasks', '--help'])

    expect((error as CommanderError).code).toBe('commander.helpDisplayed')
    expect(stdout).toContain('pending → created → under_work → dev_done')
    expect(stdout).toContain('--url <url>')
  })

  it('lists the v1 command names and the new ones', () => {
    const program = buildProgram({ setExit: () => {} })
    const names = program.commands.flatMap((c) => [
      c.name(),
      ...c.commands.map((s) => `${c.name()} ${s.name()}`),
    ])

    expect(names).toEqual(
      expect.arrayContaining([
        'register',
        'agents list',
        'agents delete',
        'context',
        'epics create',
        'epics list',
        'epics delete',
        'features create',
        'features list',
        'features delete',
        'tasks create',
        'tasks list',
        'tasks next',
        'tasks lock',
        'tasks status',
        'tasks comment',
        'tasks delete',
        'documents create',
        'documents list',
        'documents get',
        'documents update',
        'documents delete',
        'services register',
        'services list',
        'services heartbeat',
        'services unregister',
        'mentions',
        'mention-read',
        'changes',
        'changelog',
        'tasks get',
        'tasks claim',
        'tasks unlock',
        'tasks update',
        'runs',
        'heartbeat',
        'init',
        'serve',
        'run',
      ]),
    )
  })
})
