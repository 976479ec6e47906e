import { describe, expect, it } from 'vitest'

import { AGENT_ROLES, SKILL_LEVELS, TASK_STATUSES } from '../../../src/contract/index.js'
import type { AgentRole, SkillLevel, TaskStatus } from '../../../src/contract/index.js'
import type { Db } from '../../../src/db/database.js'
import { pickupId, sortedPickup } from '../../../src/db/task-matching.js'
import type { MatchCriteria } from '../../../src/db/task-matching.js'
import { seedProject } from '../../helpers/fixtures.js'
import { startTestServer } from '../../helpers/test-server.js'

/** A small deterministic generator, so a failing board can be rebuilt from its seed. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
}

function pick<T>(next: () => number, values: readonly T[]): T {
  return values[Math.floor(next() * values.length)]!
}

const AGENTS = ['agent_a', 'agent_b', 'agent_c']
// Few distinct values, so ties on priority and creation time are common and the id must decide.
const TIMES = ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']

/** `count` tasks with every field pickup reads drawn at random; about a third locked. */
async function randomBoard(db: Db, featureId: number, seed: number, count: number) {
  const next = random(seed)
  const releasedShare = seed % 2 === 0 ? 0.8 : 0.3
  let lockedCount = 0
  const rows = Array.from({ length: count }, (_, n) => {
    const locked = next() < 0.3
    const released = next() < releasedShare
    return {
      feature_id: featureId,
      title: `task ${n}`,
      description: '',
      created_by: 'pm',
      target_role: pick(next, AGENT_ROLES),
      difficulty: pick(next, SKILL_LEVELS),
      complexity: 'minor' as const,
      attempts: 0,
      branch: '',
      // Mostly the statuses pickup offers, so most seeds have several candidates.
      status: pick<TaskStatus>(next, [
        'created',
        'approved',
        'dev_done',
        'created',
        'approved',
        'dev_done',
        ...TASK_STATUSES,
      ]),
      // An agent holds at most one task (a unique index), so each lock gets its own holder.
      locked_by: locked ? `holder_${lockedCount++}` : null,
      priority: pick(next, [0, 0, 1, 2]),
      created_at: pick(next, TIMES),
      updated_at: TIMES[0]!,
      last_released_by: released ? pick(next, AGENTS) : null,
      last_released_at: released ? pick(next, TIMES) : null,
    }
  })
  for (let i = 0; i < rows.length; i += 100)
    await db
      .insertInto('tasks')
      .values(rows.slice(i, i + 100))
      .execute()
  return db.selectFrom('tasks').select('id').execute()
}

function randomCriteria(next: () => number, ids: readonly number[]): MatchCriteria {
  const some = (chance: number) => ids.filter(() => next() < chance)
  return {
    role: pick<AgentRole>(next, AGENT_ROLES),
    level: pick<SkillLevel>(next, SKILL_LEVELS),
    qaLevelStrict: next() < 0.5,
    cooldown: next() < 0.7 ? { agentId: pick(next, AGENTS), since: pick(next, TIMES) } : undefined,
    // Sometimes nearly every task is held, so the order among held and cooling tasks decides.
    heldIds: next() < 0.6 ? some(pick(next, [0.2, 0.8, 0.95])) : undefined,
    excludeIds: next() < 0.3 ? some(0.1) : undefined,
  }
}

describe.concurrent('pickup order', () => {
  it('picks the task the full sort picks, for random boards and askers (held, cooling, excluded)', async ({
    onTestFinished,
  }) => {
    const server = await startTestServer()
    onTestFinished(() => server.close())
    const { featureId } = await seedProject(server.api)
    const db = server.running.connection.db
    let found = 0
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      await db.deleteFrom('tasks').execute()
      const ids = (await randomBoard(db, featureId, seed, 40 + seed * 30)).map((r) => r.id)
      const next = random(seed * 7919)
      for (let round = 0; round < 60; round++) {
        const criteria = randomCriteria(next, ids)
        const expected = (await sortedPickup(db, criteria).executeTakeFirst())?.id
        expect(await pickupId(db, criteria), `seed ${seed}, ${JSON.stringify(criteria)}`).toBe(
          expected,
        )
        if (expected !== undefined) found++
      }
    }
    // Most askers must find something, or the comparison above proves little.
    expect(found).toBeGreaterThan(150)
  })
})
