import type { HeadlessPMClient } from '../../client/index.js'
import type { EpicResponse, FeatureResponse, MessageResponse } from '../../contract/index.js'

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
