import { z } from 'zod'

import { AgentId, AgentRole, SkillLevel } from '../contract/index.js'

// Argument schemas shared by several tools. The request bodies come from src/contract; these are
// the path and query parameters, typed as JSON (numbers and booleans) instead of query strings.

export const AgentArg = AgentId.optional().describe(
  'your agent id; default: the agent this session registered or was started as',
)
export const RoleArg = AgentRole.optional().describe("the agent's role; default: this session's")
export const LevelArg = SkillLevel.optional().describe("the agent's level; default: this session's")

export const positiveId = (what: string) =>
  z
    .number({ error: 'must be a positive integer' })
    .int('must be a positive integer')
    .positive('must be a positive integer')
    .describe(what)

export const LimitArg = (defaultLimit: number) =>
  z
    .number({ error: 'must be an integer' })
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe(`at most this many (default ${defaultLimit})`)
