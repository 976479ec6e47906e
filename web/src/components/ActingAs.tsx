import { humanize } from '../format.js'
import { useActingAgent } from '../hooks/use-acting-agent.js'

/** Roles the server lets plan work: create epics and features, create tasks as `created`, approve. */
const PLANNER_ROLES: readonly string[] = ['pm', 'architect']

export interface ActingAsProps {
  /** What the form does, for the note shown when the acting agent is no planner. */
  plannerOnly?: string
}

/** Says which agent a form acts as, and when the server will probably refuse it. */
export function ActingAs({ plannerOnly }: ActingAsProps) {
  const agent = useActingAgent()
  if (agent === undefined) return <p className="form-note">No agent to act as yet.</p>
  const isPlanner = PLANNER_ROLES.includes(agent.role)
  return (
    <p className="form-note">
      As <strong className="mono">{agent.agent_id}</strong> ({humanize(agent.role)})
      {!isPlanner && plannerOnly !== undefined && (
        <span className="warn-text"> · {plannerOnly}</span>
      )}
    </p>
  )
}
