import { z } from 'zod'

import { Timestamp } from './common.js'

const Name = z.string().max(200, 'must be at most 200 characters')
const Description = z.string().max(50_000, 'must be at most 50000 characters')

export const CreateEpicRequest = z.object({ name: Name, description: Description })
export type CreateEpicRequest = z.infer<typeof CreateEpicRequest>

export const EpicResponse = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  created_at: Timestamp,
  task_count: z.number().int(),
  completed_task_count: z.number().int(),
  in_progress_task_count: z.number().int(),
})
export type EpicResponse = z.infer<typeof EpicResponse>

export const CreateFeatureRequest = z.object({
  epic_id: z.number({ error: 'must be an integer' }).int('must be an integer'),
  name: Name,
  description: Description,
})
export type CreateFeatureRequest = z.infer<typeof CreateFeatureRequest>

export const FeatureResponse = z.object({
  id: z.number().int(),
  epic_id: z.number().int(),
  name: z.string(),
  description: z.string(),
})
export type FeatureResponse = z.infer<typeof FeatureResponse>
