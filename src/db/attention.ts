import { SKILL_LEVELS } from '../contract/index.js'
import type { AttentionItem, SkillLevel } from '../contract/index.js'
import { mayTakeLevel } from '../domain/index.js'
import type { Db } from './database.js'

/** At most this many items per reason: the list is for a person to read. */
const ATTENTION_LIMIT = 100

/**
 * What needs a person because no agent will ever act on it: `dev_done` tasks no registered QA
 * may review (none registered, or HPM_QA_LEVEL_STRICT and none of a high enough level).
 */
export async function listAttention(db: Db, qaLevelStrict: boolean): Promise<AttentionItem[]> {
  const qaLevels = (await db.selectFrom('agents').select('level').distinct().where('role', '=', 'qa').execute()).map((r) => r.level)
  const unreviewable = SKILL_LEVELS.filter(
    (difficulty) => !qaLevels.some((level) => mayTakeLevel({ role: 'qa', level }, { status: 'dev_done', difficulty }, qaLevelStrict)),
  )
  if (unreviewable.length === 0) return []
  const tasks = await db
    .selectFrom('tasks')
    .select(['id', 'title', 'difficulty'])
    .where('status', '=', 'dev_done')
    .where('difficulty', 'in', unreviewable)
    .orderBy('updated_at', 'asc')
    .orderBy('id', 'asc')
    .limit(ATTENTION_LIMIT)
    .execute()
  return tasks.map((t) => ({ reason: 'no_qa_can_review' as const, task_id: t.id, title: t.title, detail: whyNoReviewer(t.difficulty, qaLevels) }))
}

function whyNoReviewer(difficulty: SkillLevel, qaLevels: readonly SkillLevel[]): string {
  if (qaLevels.length === 0) return `waits for review, and no QA agent is registered: register one (role qa)`
  return `${difficulty} work waits for review, and HPM_QA_LEVEL_STRICT lets only a ${difficulty} QA or higher take it (registered QA levels: ${qaLevels.join(', ')})`
}
