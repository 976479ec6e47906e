/** `hpm team`: a team file, a supervisor of its runners, and the views and controls around it. */
export {
  acquireAgentLock,
  agentLockPath,
  isLockLive,
  readAgentLock,
  releaseAgentLock,
} from './agent-lock.js'
export type { AcquireResult, AgentLockRecord } from './agent-lock.js'
export {
  describeExit,
  MAX_RESTART_DELAY_MS,
  nextCrashCount,
  ON_PURPOSE_EXITS,
  onPurposeReason,
  restartDelayMs,
  STABLE_RUN_MS,
} from './restart-policy.js'
export { HPM_BIN, runnerArgv, runnerEnv } from './runner-launch.js'
export { reportTeam, signalTeamDown } from './team-control.js'
export type { TeamAgentReport, TeamDownResult } from './team-control.js'
export { DEFAULT_TEAM_FILE, loadTeamFile, parseTeam } from './team-file.js'
export type { Team, TeamAgent, TeamFileInput } from './team-file.js'
export { TeamSupervisor } from './team-supervisor.js'
export type {
  AgentRunState,
  AgentStatus,
  TeamEvent,
  TeamSupervisorOptions,
} from './team-supervisor.js'
export { formatElapsed, renderTeamTable, TeamServerPoller } from './team-view.js'
export type { AgentServerView } from './team-view.js'
