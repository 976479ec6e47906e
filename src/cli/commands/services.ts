import type { HeadlessPMClient } from '../../client/index.js'
import type { MessageResponse, ServiceResponse, ServiceStatus } from '../../contract/index.js'

export interface RegisterServiceOptions {
  name: string
  pingUrl: string
  agentId: string
  port?: number
  status: ServiceStatus
  metaData?: Record<string, unknown>
}

/** `hpm services register`: registers (or updates) a service the agent runs; the server pings its URL. */
export function registerService(
  client: HeadlessPMClient,
  options: RegisterServiceOptions,
): Promise<ServiceResponse> {
  return client.registerService(
    {
      service_name: options.name,
      ping_url: options.pingUrl,
      port: options.port,
      status: options.status,
      meta_data: options.metaData,
    },
    options.agentId,
  )
}

/** `hpm services list`. */
export function listServices(client: HeadlessPMClient): Promise<ServiceResponse[]> {
  return client.listServices()
}

/** `hpm services heartbeat <name>`: owner only. */
export function heartbeatService(
  client: HeadlessPMClient,
  options: { serviceName: string; agentId: string },
): Promise<ServiceResponse> {
  return client.heartbeatService(options.serviceName, options.agentId)
}

/** `hpm services unregister <name>`: owner only. */
export function unregisterService(
  client: HeadlessPMClient,
  options: { serviceName: string; agentId: string },
): Promise<MessageResponse> {
  return client.unregisterService(options.serviceName, options.agentId)
}
