import { z } from 'zod'

/** A yes/no setting as env files write it: true/false, 1/0, yes/no. */
export const BoolText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes')
