import type { AgentResponse } from '../../../src/contract/index.js'
import { resolveActingAgent } from '../dashboard-state.js'
import { useDashboard } from './use-session.js'

/** The agent the dashboard acts as (the header's "Acting as"), once the agents are loaded. */
export function useActingAgent(): AgentResponse | undefined {
  const agents = useDashboard((s) => s.agents)
  const choice = useDashboard((s) => s.actingAgentChoice)
  const agentId = resolveActingAgent(agents, choice)
  return agents?.find((a) => a.agent_id === agentId)
}
