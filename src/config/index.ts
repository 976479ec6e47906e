/** Configuration: the only code that reads env and `.env`. Each loader is pure and returns a frozen object. */
export { ConfigError, deepFreeze } from './config-error.js'
export { firstOf, mergeEnv, readDotEnv, readDotEnvIn } from './env-source.js'
export type { EnvMap } from './env-source.js'
export {
  loadServerConfig,
  SERVER_ENV_NAMES,
  ServerConfigSchema,
  sqlitePath,
} from './server-config.js'
export type { LoadServerConfigOptions, ServerConfig, ServerFlags } from './server-config.js'
export {
  API_KEY_FILE,
  CLIENT_ENV_NAMES,
  ClientConfigSchema,
  DEFAULT_API_URL,
  DEFAULT_DATA_DIR,
  findGeneratedApiKey,
  loadClientConfig,
} from './client-config.js'
export type { ClientConfig, ClientFlags, LoadClientConfigOptions } from './client-config.js'
export { loadRepoConfig } from './repo-config.js'
export type { RepoConfig, RepoFlags } from './repo-config.js'
export { loadRunnerConfig, RUNNER_ENV_NAMES, RunnerConfigSchema } from './runner-config.js'
export type { RunnerConfig, RunnerFlags } from './runner-config.js'
