import { z } from 'zod'

/**
 * Every error code the API returns, with its HTTP status. The one place a status is chosen;
 * docs/errors.md documents each code and a test keeps the two in step.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  missing_parameter: 400,
  content_too_long: 400,
  self_delete: 400,
  unauthorized: 401,
  forbidden: 403,
  not_lock_holder: 403,
  not_eligible: 403,
  not_found: 404,
  agent_not_found: 404,
  task_not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  task_locked: 409,
  invalid_transition: 409,
  agent_busy: 409,
  not_locked: 409,
  lease_expired: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  headers_too_large: 431,
  schema_too_new: 500,
  foreign_schema: 500,
  internal: 500,
  unavailable: 503,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[]

/** Error body: v1 clients print `detail`, new clients branch on `code`. Validation errors carry a list. */
export const ErrorResponse = z.object({
  detail: z.union([z.string(), z.array(z.string())]),
  code: z.string(),
  request_id: z.string().optional(),
})
export type ErrorResponse = z.infer<typeof ErrorResponse>
