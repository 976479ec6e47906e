const ACTING_AGENT_STORAGE = 'hpm.actingAgent'

export function findStoredActingAgent(): string | undefined {
  try {
    return window.localStorage.getItem(ACTING_AGENT_STORAGE) ?? undefined
  } catch {
    return undefined
  }
}

export function storeActingAgent(agentId: string): void {
  try {
    window.localStorage.setItem(ACTING_AGENT_STORAGE, agentId)
  } catch {
    // Without storage the choice lasts for this page only.
  }
}
