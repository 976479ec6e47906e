import type { Command } from 'commander'

import type { HeadlessPMClient } from '../../client/index.js'
import type { EpicResponse, FeatureResponse, MessageResponse } from '../../contract/index.js'
import { PLANNING_HELP } from '../help.js'
import { parseId } from '../options.js'
import type { CommandKit } from '../program.js'

export interface CreateEpicOptions {
  name: string
  description: string
  agentId: string
}

/** `hpm epics create`: pm or architect. */
export function createEpic(
  client: HeadlessPMClient,
  options: CreateEpicOptions,
): Promise<EpicResponse> {
  return client.createEpic(
    { name: options.name, description: options.description },
    options.agentId,
  )
}

/** `hpm epics list`. */
export function listEpics(client: HeadlessPMClient): Promise<EpicResponse[]> {
  return client.listEpics()
}

/** `hpm epics delete`: pm only; its features and tasks go too. */
export function deleteEpic(
  client: HeadlessPMClient,
  options: { epicId: number; agentId: string },
): Promise<MessageResponse> {
  return client.deleteEpic(options.epicId, options.agentId)
}

export interface CreateFeatureOptions {
  epicId: number
  name: string
  description: string
  agentId: string
}

/** `hpm features create`: pm or architect. */
export function createFeature(
  client: HeadlessPMClient,
  options: CreateFeatureOptions,
): Promise<FeatureResponse> {
  return client.createFeature(
    { epic_id: options.epicId, name: options.name, description: options.description },
    options.agentId,
  )
}

/** `hpm features list [--epic-id]`. */
export function listFeatures(
  client: HeadlessPMClient,
  options: { epicId?: number },
): Promise<FeatureResponse[]> {
  return client.listFeatures(options.epicId)
}

/** `hpm features delete`: pm only; its tasks go too. */
export function deleteFeature(
  client: HeadlessPMClient,
  options: { featureId: number; agentId: string },
): Promise<MessageResponse> {
  return client.deleteFeature(options.featureId, options.agentId)
}

/** `hpm epics ...` and `hpm features ...`, with their flags. */
export function addPlanningCommands(program: Command, { run }: CommandKit): void {
  const epics = program
    .command('epics')
    .description('create, list and delete epics (pm, architect)')
    .addHelpText('after', PLANNING_HELP)
  epics
    .command('create')
    .description('create an epic (pm or architect)')
    .requiredOption('--name <name>', 'epic name')
    .requiredOption('--description <text>', 'what the epic is about')
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((opts: CreateEpicOptions, command: Command) =>
      run(command, (c) => createEpic(c, opts), 'epic'),
    )
  epics
    .command('list')
    .description('list epics with task counts')
    .action((_opts: unknown, command: Command) => run(command, (c) => listEpics(c), 'epics'))
  epics
    .command('delete')
    .description('delete an epic with its features and tasks (pm only)')
    .requiredOption('--epic-id <id>', 'epic id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((opts: { epicId: number; agentId: string }, command: Command) =>
      run(command, (c) => deleteEpic(c, opts), 'message'),
    )

  const features = program
    .command('features')
    .description('create, list and delete features (pm, architect)')
    .addHelpText('after', PLANNING_HELP)
  features
    .command('create')
    .description('create a feature in an epic (pm or architect)')
    .requiredOption('--epic-id <id>', 'epic id', parseId)
    .requiredOption('--name <name>', 'feature name')
    .requiredOption('--description <text>', 'what the feature is about')
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((opts: CreateFeatureOptions, command: Command) =>
      run(command, (c) => createFeature(c, opts), 'feature'),
    )
  features
    .command('list')
    .description("list features (all, or one epic's)")
    .option('--epic-id <id>', 'only this epic', parseId)
    .action((opts: { epicId?: number }, command: Command) =>
      run(command, (c) => listFeatures(c, opts), 'features'),
    )
  features
    .command('delete')
    .description('delete a feature with its tasks (pm only)')
    .requiredOption('--feature-id <id>', 'feature id', parseId)
    .requiredOption('--agent-id <id>', 'your agent id')
    .action((opts: { featureId: number; agentId: string }, command: Command) =>
      run(command, (c) => deleteFeature(c, opts), 'message'),
    )
}
