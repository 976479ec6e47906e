import { z } from 'zod'

import { MetaData, StoredMetaData, Timestamp } from './common.js'
import { ServiceStatus } from './enums.js'

export const ServiceName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')

export const RegisterServiceRequest = z.object({
  service_name: ServiceName,
  ping_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  port: z.number().int().min(1).max(65_535).nullish(),
  status: ServiceStatus.default('up'),
  meta_data: MetaData.nullish(),
})
export type RegisterServiceRequest = z.input<typeof RegisterServiceRequest>

export const ServiceResponse = z.object({
  id: z.number().int(),
  service_name: z.string(),
  owner_agent_id: z.string(),
  ping_url: z.string(),
  port: z.number().int().nullable(),
  status: ServiceStatus,
  last_heartbeat: Timestamp.nullable(),
  last_ping_at: Timestamp.nullable(),
  last_ping_success: z.boolean().nullable(),
  meta_data: StoredMetaData.nullable(),
  updated_at: Timestamp,
})
export type ServiceResponse = z.infer<typeof ServiceResponse>

export const ServiceNameParams = z.object({ service_name: ServiceName })
