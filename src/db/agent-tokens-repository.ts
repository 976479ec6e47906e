import { createHash, randomBytes } from 'node:crypto'

import type { AgentRole } from '../contract/index.js'
import type { Db } from './database.js'

/** Every agent token starts so; the redaction of run transcripts knows the `hpm_` shape. */
export const AGENT_TOKEN_PREFIX = 'hpm_agent_'

export function hashAgentToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** A new token for `agentId`; only its hash is stored, so this is the one time it can be read. */
export async function issueAgentToken(
  db: Db,
  agentId: string,
  createdBy: string | null,
  now: string,
): Promise<string> {
  const token = `${AGENT_TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`
  await db
    .insertInto('agent_tokens')
    .values({
      agent_id: agentId,
      token_hash: hashAgentToken(token),
      created_at: now,
      created_by: createdBy,
    })
    .execute()
  return token
}

/** The agent a token acts as, with its registered role; undefined for an unknown or revoked token. */
export async function findTokenAgent(
  db: Db,
  tokenHash: string,
): Promise<{ agentId: string; role: AgentRole } | undefined> {
  const row = await db
    .selectFrom('agent_tokens')
    .innerJoin('agents', 'agents.agent_id', 'agent_tokens.agent_id')
    .select(['agents.agent_id', 'agents.role'])
    .where('agent_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst()
  return row ? { agentId: row.agent_id, role: row.role } : undefined
}

/** Revokes every token of `agentId`; returns how many there were. */
export async function revokeAgentTokens(db: Db, agentId: string): Promise<number> {
  const result = await db
    .deleteFrom('agent_tokens')
    .where('agent_id', '=', agentId)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
