import { AGENT_ROLES } from '../contract/index.js'
import type { AgentRole } from '../contract/index.js'

// `@` must not follow a word character, so `a@example.com` is an address, not a mention of `example`.
const MENTION = /(?<![A-Za-z0-9_.+-])@([A-Za-z0-9_]+)/g

/** The distinct ids mentioned in `text` (`@name`), in order of first appearance. */
export function extractMentions(text: string): string[] {
  const seen = new Set<string>()
  for (const match of text.matchAll(MENTION)) {
    const id = match[1]
    if (id !== undefined) seen.add(id)
  }
  return [...seen]
}

/** Whether a mentioned id names a role (`@qa`), which notifies every agent of that role. */
export function mentionedRole(id: string): AgentRole | undefined {
  return (AGENT_ROLES as readonly string[]).includes(id) ? (id as AgentRole) : undefined
}
