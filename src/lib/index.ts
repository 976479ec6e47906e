/**
 * Leaf helpers shared by server, CLI and runner. Nothing here imports another project folder.
 */
export { readJsonFile, writeJsonAtomic } from './atomic-file.js'
export type { JsonFileContent } from './atomic-file.js'
export { createLogger } from './logger.js'
export type { Logger, LoggerOptions } from './logger.js'
export { childEnv, passThroughEnv } from './child-env.js'
export type { ChildEnvOptions, PassThroughEnvOptions } from './child-env.js'
export {
  isGroupAlive,
  isProcessAlive,
  killAllChildGroups,
  reapGroup,
  signalGroup,
} from './process-group.js'
export { ProcessStartError, runProcess, spawnStreaming } from './process.js'
export type {
  KillReason,
  ProcessResult,
  ProcessStartErrorCode,
  RunProcessOptions,
  SpawnStreamingOptions,
  StreamingProcess,
} from './process.js'
export { EXIT, exitCodeOfSignal } from './exit-codes.js'
export type { ExitCode } from './exit-codes.js'
export { onStopSignals } from './shutdown.js'
export { TailBuffer } from './tail-buffer.js'
export { PACKAGE_ROOT, PACKAGE_VERSION } from './package-root.js'
