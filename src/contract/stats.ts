import { z } from 'zod'

const Day = z.string().describe('UTC day, YYYY-MM-DD')
const Cost = z.number().describe('US dollars, summed over runner attempts')

/** `GET /stats`: the numbers behind the dashboard's overview, one request. */
export const StatsResponse = z.object({
  tasks_by_status: z.record(z.string(), z.number().int()),
  committed_per_day: z.array(z.object({ day: Day, tasks: z.number().int() })),
  cost_per_day: z.array(z.object({ day: Day, cost_usd: Cost, runs: z.number().int() })),
  cost_by_epic: z.array(
    z.object({
      epic_id: z.number().int(),
      name: z.string(),
      cost_usd: Cost,
      runs: z.number().int(),
    }),
  ),
  cost_by_agent: z.array(
    z.object({ agent_id: z.string(), cost_usd: Cost, runs: z.number().int() }),
  ),
  cost_by_model: z.array(z.object({ model: z.string(), cost_usd: Cost, runs: z.number().int() })),
  /** Status changes each agent made that finished a piece of work: dev_done (development), qa_done (review). */
  done_by_agent: z.array(
    z.object({ agent_id: z.string(), dev_done: z.number().int(), qa_done: z.number().int() }),
  ),
  /** Median seconds from a task's creation to its (last) move to committed; null before any commit. */
  median_created_to_committed_seconds: z.number().nullable(),
})
export type StatsResponse = z.infer<typeof StatsResponse>
