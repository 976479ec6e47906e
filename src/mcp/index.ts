export { createMcpServer, TOOLS } from './create-server.js'
export type { AgentIdentity, McpSession } from './session.js'
export { DEFAULT_CLAIM_WAIT_SECONDS } from './tools-work.js'
