import { SKILL_LEVELS } from '../contract/index.js'
import type { AgentRole, AttentionItem, SkillLevel } from '../contract/index.js'
import { mayTakeLevel } from '../domain/index.js'
import type { Db } from './database.js'

/** At most this many items per reason: the list is for a person to read. */
const ATTENTION_LIMIT = 100

export interface AttentionRules {
  /** HPM_QA_LEVEL_STRICT. */
  qaLevelStrict: boolean
  /** HPM_TASK_MAX_FAILURES; 0 = no budget. */
  maxFailures: number
  /** ISO time: an agent not seen since then is away (HPM_AGENT_ACTIVE_SECONDS). */
  activeSince: string
}

/**
 * What needs a person because no agent will act on it, oldest first within each reason:
 * - `failure_budget_spent`: runner attempts kept failing and the server sent the task back to pending;
 * - `awaiting_merge`: passed QA and waits at qa_done (a major task's human review, or a minor task
 *   whose merge the runner could not make);
 * - `holder_away`: held by an agent not seen for a while (its lease has not lapsed yet);
 * - `no_qa_can_review`: dev_done, and no registered QA may review it;
 * - `no_agent_for_role`: ready for work, and no agent of its role is registered.
 */
export async function listAttention(db: Db, rules: AttentionRules): Promise<AttentionItem[]> {
  const parts = await Promise.all([
    spentBudgets(db, rules.maxFailures),
    awaitingMerge(db),
    holdersAway(db, rules.activeSince),
    unreviewable(db, rules.qaLevelStrict),
    withoutAgents(db),
  ])
  return parts.flat()
}

async function spentBudgets(db: Db, maxFailures: number): Promise<AttentionItem[]> {
  if (maxFailures <= 0) return []
  const tasks = await db
    .selectFrom('tasks')
    .select(['id', 'title', 'failures', 'updated_at'])
    .where('status', '=', 'pending')
    .where('failures', '>=', maxFailures)
    .orderBy('updated_at', 'asc')
    .limit(ATTENTION_LIMIT)
    .execute()
  if (tasks.length === 0) return []
  // The last failed run of each task, in one query.
  const lastFailed = await db
    .selectFrom('task_runs')
    .select(['task_id', 'verdict_reason'])
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('task_runs')
        .select((inner) => inner.fn.max('id').as('id'))
        .where('verdict', '=', 'failed')
        .where(
          'task_id',
          'in',
          tasks.map((t) => t.id),
        )
        .groupBy('task_id'),
    )
    .execute()
  const reasons = new Map(lastFailed.map((r) => [r.task_id, r.verdict_reason]))
  return tasks.map((t) => {
    const reason = reasons.get(t.id)
    const why = reason ? `; the last: ${reason}` : ''
    return {
      reason: 'failure_budget_spent' as const,
      task_id: t.id,
      title: t.title,
      detail: `${t.failures} runner attempts failed, so it went back to pending${why}. Fix the task, then approve it (created) to try again`,
    }
  })
}

async function awaitingMerge(db: Db): Promise<AttentionItem[]> {
  const tasks = await db
    .selectFrom('tasks')
    .select(['id', 'title', 'complexity', 'work_branch'])
    .where('status', '=', 'qa_done')
    .orderBy('updated_at', 'asc')
    .limit(ATTENTION_LIMIT)
    .execute()
  return tasks.map((t) => ({
    reason: 'awaiting_merge' as const,
    task_id: t.id,
    title: t.title,
    detail:
      t.complexity === 'major'
        ? `a major task passed QA and waits for your review and merge${t.work_branch ? ` (branch ${t.work_branch})` : ''}; mark it committed once merged`
        : `passed QA, but the runner could not merge it (see its comments); merge it with hpm tasks merge ${t.id}, or mark it committed`,
  }))
}

async function holdersAway(db: Db, activeSince: string): Promise<AttentionItem[]> {
  const tasks = await db
    .selectFrom('tasks')
    .innerJoin('agents', 'agents.agent_id', 'tasks.locked_by')
    .select([
      'tasks.id',
      'tasks.title',
      'tasks.locked_by',
      'tasks.lease_expires_at',
      'agents.last_seen',
    ])
    .where('tasks.locked_by', 'is not', null)
    .where('agents.last_seen', '<', activeSince)
    .orderBy('agents.last_seen', 'asc')
    .limit(ATTENTION_LIMIT)
    .execute()
  return tasks.map((t) => ({
    reason: 'holder_away' as const,
    task_id: t.id,
    title: t.title,
    detail: `held by ${t.locked_by}, last seen ${t.last_seen}; the lease runs until ${t.lease_expires_at ?? '-'}. Unlock it to let another agent take it`,
  }))
}

async function unreviewable(db: Db, qaLevelStrict: boolean): Promise<AttentionItem[]> {
  const qaLevels = (
    await db.selectFrom('agents').select('level').distinct().where('role', '=', 'qa').execute()
  ).map((r) => r.level)
  const levels = SKILL_LEVELS.filter(
    (difficulty) =>
      !qaLevels.some((level) =>
        mayTakeLevel({ role: 'qa', level }, { status: 'dev_done', difficulty }, qaLevelStrict),
      ),
  )
  if (levels.length === 0) return []
  const tasks = await db
    .selectFrom('tasks')
    .select(['id', 'title', 'difficulty'])
    .where('status', '=', 'dev_done')
    .where('difficulty', 'in', levels)
    .orderBy('updated_at', 'asc')
    .orderBy('id', 'asc')
    .limit(ATTENTION_LIMIT)
    .execute()
  return tasks.map((t) => ({
    reason: 'no_qa_can_review' as const,
    task_id: t.id,
    title: t.title,
    detail: whyNoReviewer(t.difficulty, qaLevels),
  }))
}

function whyNoReviewer(difficulty: SkillLevel, qaLevels: readonly SkillLevel[]): string {
  if (qaLevels.length === 0)
    return `waits for review, and no QA agent is registered: register one (role qa)`
  return `${difficulty} work waits for review, and HPM_QA_LEVEL_STRICT lets only a ${difficulty} QA or higher take it (registered QA levels: ${qaLevels.join(', ')})`
}

async function withoutAgents(db: Db): Promise<AttentionItem[]> {
  const roles = new Set<AgentRole>(
    (await db.selectFrom('agents').select('role').distinct().execute()).map((r) => r.role),
  )
  const tasks = await db
    .selectFrom('tasks')
    .select(['id', 'title', 'target_role'])
    .where('status', 'in', ['created', 'approved'])
    .where('locked_by', 'is', null)
    .orderBy('created_at', 'asc')
    .limit(ATTENTION_LIMIT * 10)
    .execute()
  return tasks
    .filter((t) => !roles.has(t.target_role))
    .slice(0, ATTENTION_LIMIT)
    .map((t) => ({
      reason: 'no_agent_for_role' as const,
      task_id: t.id,
      title: t.title,
      detail: `ready for a ${t.target_role}, and no ${t.target_role} agent is registered: start one, or give the task another role`,
    }))
}
