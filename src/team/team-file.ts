import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'

import { z } from 'zod'

import { ConfigError } from '../config/index.js'
import { AgentRole, SkillLevel } from '../contract/index.js'

/** The file `hpm team` reads when none is named. */
export const DEFAULT_TEAM_FILE = 'headless-pm.team.json'

// Agent ids name pid and log files, so they stay within what is safe in a file name.
const TeamAgentId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    'must be letters, digits, ".", "_" or "-" (at most 100), starting with a letter or digit',
  )

// The team sets these itself; a second copy in `args` would make the runner's identity ambiguous.
const RESERVED_ARGS = ['--agent-id', '--role', '--level', '--repo', '--url']

const AgentEntry = z
  .strictObject({
    role: AgentRole,
    level: SkillLevel.default('senior'),
    count: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(50, 'must be at most 50')
      .default(1),
    id: TeamAgentId.optional().describe('the agent id, only with count 1; default <role>_<n>'),
    models: z
      .strictObject({
        junior: z.string().min(1).optional(),
        senior: z.string().min(1).optional(),
        principal: z.string().min(1).optional(),
      })
      .optional()
      .describe('model per task difficulty, as HEADLESS_PM_MODEL_*'),
    args: z
      .array(z.string())
      .default([])
      .refine(
        (args) => !args.some((a) => RESERVED_ARGS.includes(a.split('=')[0] ?? a)),
        `must not set ${RESERVED_ARGS.join(', ')}: the team file does`,
      )
      .describe('more `hpm run` arguments, e.g. ["--on-stuck", "quit"]'),
    hooks_dir: z.string().min(1).optional().describe('--hooks-dir; relative to the team file'),
    env: z
      .record(z.string(), z.string())
      .superRefine((env, ctx) => {
        for (const name of Object.keys(env)) {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: 'must be an environment variable name',
            })
        }
      })
      .default({})
      .describe('extra environment for this runner'),
  })
  .refine((entry) => entry.id === undefined || entry.count === 1, {
    path: ['id'],
    message: 'an explicit id needs count 1',
  })

const TeamFileSchema = z.strictObject({
  server: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:6969' })
    .optional(),
  repo: z.string().min(1).optional(),
  stop_grace_seconds: z
    .number()
    .min(1, 'must be at least 1')
    .max(600, 'must be at most 600')
    .default(30),
  agents: z.array(AgentEntry).min(1, 'must list at least one agent'),
})
export type TeamFileInput = z.input<typeof TeamFileSchema>

/** One runner of the team, with its id decided. */
export interface TeamAgent {
  agentId: string
  role: AgentRole
  level: SkillLevel
  /** `HEADLESS_PM_MODEL_*` overrides. */
  models: { junior?: string; senior?: string; principal?: string }
  args: readonly string[]
  /** Absolute, when set. */
  hooksDir: string | undefined
  env: Readonly<Record<string, string>>
}

/** A validated team file, paths resolved. */
export interface Team {
  /** The team file's absolute path. */
  file: string
  /** Unset: the runners (and `hpm team status`) use the usual client configuration. */
  server: string | undefined
  /** Absolute repository directory. */
  repoDir: string
  stopGraceMs: number
  agents: readonly TeamAgent[]
}

/**
 * Reads and validates a team file. Relative paths in it are relative to the file; `repo` defaults
 * to `cwd`. Throws ConfigError with every problem as `path: message`.
 */
export async function loadTeamFile(path: string, cwd: string): Promise<Team> {
  const file = isAbsolute(path) ? path : resolve(cwd, path)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message
    throw new ConfigError([`${file}: ${reason} (create it, or name another team file)`])
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new ConfigError([`${file}: not valid JSON (${(error as Error).message})`])
  }
  return parseTeam(raw, file, cwd)
}

/** Validates a parsed team file; pure. `file` anchors relative paths. */
export function parseTeam(raw: unknown, file: string, cwd: string): Team {
  const parsed = TeamFileSchema.safeParse(raw)
  if (!parsed.success) throw ConfigError.fromZod(parsed.error)
  const base = dirname(file)
  const agents = expandAgents(parsed.data.agents, base)
  const seen = new Map<string, number>()
  const issues: string[] = []
  agents.forEach(({ agentId }, i) => {
    const first = seen.get(agentId)
    if (first !== undefined)
      issues.push(`agents: agent id ${agentId} appears twice (entries ${first} and ${i})`)
    else seen.set(agentId, i)
  })
  if (issues.length > 0) throw new ConfigError(issues)
  return {
    file,
    server: parsed.data.server?.replace(/\/+$/, ''),
    repoDir: parsed.data.repo === undefined ? cwd : resolve(base, parsed.data.repo),
    stopGraceMs: parsed.data.stop_grace_seconds * 1000,
    agents,
  }
}

/**
 * Ids are `<role>_<n>`, numbered per role in file order across entries, so they stay the same from
 * one start to the next as long as the file does (the lock files and the server know agents by id).
 */
function expandAgents(entries: z.infer<typeof AgentEntry>[], base: string): TeamAgent[] {
  const nextNumber = new Map<string, number>()
  return entries.flatMap((entry) =>
    Array.from({ length: entry.count }, () => {
      let agentId = entry.id
      if (agentId === undefined) {
        const n = nextNumber.get(entry.role) ?? 1
        nextNumber.set(entry.role, n + 1)
        agentId = `${entry.role}_${n}`
      }
      return {
        agentId,
        role: entry.role,
        level: entry.level,
        models: entry.models ?? {},
        args: entry.args,
        hooksDir: entry.hooks_dir === undefined ? undefined : resolve(base, entry.hooks_dir),
        env: entry.env,
      }
    }),
  )
}
