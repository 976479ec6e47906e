import type { Command } from 'commander'

import type { HeadlessPMClient } from '../../client/index.js'
import type { MessageResponse, ServiceResponse, ServiceStatus } from '../../contract/index.js'
import { SERVICES_HELP } from '../help.js'
import { intIn, parseHttpUrl, parseJsonObject, serviceStatusOption } from '../options.js'
import type { CommandKit } from '../program.js'

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

/** `hpm services ...`, with their flags. */
export function addServiceCommands(program: Command, { run }: CommandKit): void {
  const services = program
    .command('services')
    .description('register and find services agents run')
    .addHelpText('after', SERVICES_HELP)
  services
    .command('register')
    .description('register (or update) a service you run')
    .requiredOption('--name <name>', 'service name')
    .requiredOption('--ping-url <url>', 'URL the server pings for health', parseHttpUrl)
    .requiredOption('--agent-id <id>', 'your agent id (the owner)')
    .option('--port <port>', 'port it listens on', intIn(1, 65_535))
    .addOption(serviceStatusOption())
    .option('--meta-data <json>', 'JSON object of extra data', parseJsonObject)
    .action((opts: RegisterServiceOptions, command: Command) =>
      run(command, (c) => registerService(c, opts), 'service'),
    )
  services
    .command('list')
    .description('list services with their health')
    .action((_opts: unknown, command: Command) => run(command, (c) => listServices(c), 'services'))
  services
    .command('heartbeat')
    .description('tell the server your service is alive (owner only)')
    .argument('<service_name>', 'service name')
    .requiredOption('--agent-id <id>', 'your agent id (the owner)')
    .action((serviceName: string, opts: { agentId: string }, command: Command) =>
      run(command, (c) => heartbeatService(c, { serviceName, ...opts }), 'service'),
    )
  services
    .command('unregister')
    .description('remove your service (owner only)')
    .argument('<service_name>', 'service name')
    .requiredOption('--agent-id <id>', 'your agent id (the owner)')
    .action((serviceName: string, opts: { agentId: string }, command: Command) =>
      run(command, (c) => unregisterService(c, { serviceName, ...opts }), 'message'),
    )
}
