/**
 * Configuration: the only code that reads env and `.env`. Each loader is pure and returns a frozen
 * object. docs/config.md is generated from the loaders' variable tables (`*_ENV_NAMES`) and each
 * schema field's description, `.default()`, or `.meta({ fallback })` for a default the loader
 * computes (`npm run gen`).
 */
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
export { loadRepoConfig, REPO_DEFAULTS, REPO_ENV_NAMES } from './repo-config.js'
export type { RepoConfig, RepoFlags } from './repo-config.js'
export {
  loadRunnerConfig,
  MODEL_ENV_NAMES,
  RUNNER_ENV_NAMES,
  RunnerConfigSchema,
} from './runner-config.js'
export type { RunnerConfig, RunnerFlags } from './runner-config.js'
