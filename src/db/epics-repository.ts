import type {
  CreateEpicRequest,
  CreateFeatureRequest,
  EpicResponse,
  FeatureResponse,
} from '../contract/index.js'
import { AppError } from '../domain/index.js'
import type { Db, FeatureRow } from './database.js'
import { recordEvent } from './events-repository.js'

const IN_PROGRESS = ['under_work', 'dev_done', 'qa_done', 'documentation_done'] as const

export function rowToFeature(row: FeatureRow): FeatureResponse {
  return { id: row.id, epic_id: row.epic_id, name: row.name, description: row.description }
}

/** Epics with v1's task counters, in creation order. */
export async function listEpics(db: Db, epicId?: number): Promise<EpicResponse[]> {
  let q = db
    .selectFrom('epics')
    .leftJoin('features', 'features.epic_id', 'epics.id')
    .leftJoin('tasks', 'tasks.feature_id', 'features.id')
    .select((eb) => [
      'epics.id',
      'epics.name',
      'epics.description',
      'epics.created_at',
      eb.fn.count<number>('tasks.id').as('task_count'),
      eb.fn
        .sum<number>(eb.case().when('tasks.status', '=', 'committed').then(1).else(0).end())
        .as('completed_task_count'),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when('tasks.status', 'in', [...IN_PROGRESS])
            .then(1)
            .else(0)
            .end(),
        )
        .as('in_progress_task_count'),
    ])
    .groupBy(['epics.id', 'epics.name', 'epics.description', 'epics.created_at'])
    .orderBy('epics.id', 'asc')
  if (epicId !== undefined) q = q.where('epics.id', '=', epicId)
  const rows = await q.execute()
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    created_at: r.created_at,
    task_count: Number(r.task_count),
    completed_task_count: Number(r.completed_task_count ?? 0),
    in_progress_task_count: Number(r.in_progress_task_count ?? 0),
  }))
}

export async function createEpic(
  db: Db,
  input: CreateEpicRequest,
  actor: string,
  now: string,
): Promise<EpicResponse> {
  const row = await db
    .insertInto('epics')
    .values({ ...input, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow()
  await recordEvent(
    db,
    'epic_created',
    { epic_id: row.id, name: input.name, created_by: actor },
    now,
  )
  const [epic] = await listEpics(db, row.id)
  if (!epic) throw new AppError('internal', `epic ${row.id} vanished after insert`)
  return epic
}

export async function deleteEpic(
  db: Db,
  epicId: number,
  actor: string,
  now: string,
): Promise<void> {
  const result = await db.deleteFrom('epics').where('id', '=', epicId).executeTakeFirst()
  if (Number(result.numDeletedRows) === 0) throw new AppError('not_found', 'Epic not found')
  await recordEvent(db, 'epic_deleted', { epic_id: epicId, deleted_by: actor }, now)
}

export async function createFeature(
  db: Db,
  input: CreateFeatureRequest,
  actor: string,
  now: string,
): Promise<FeatureResponse> {
  const epic = await db
    .selectFrom('epics')
    .select('id')
    .where('id', '=', input.epic_id)
    .executeTakeFirst()
  if (!epic) throw new AppError('not_found', 'Epic not found')
  const row = await db
    .insertInto('features')
    .values({ ...input, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow()
  await recordEvent(
    db,
    'feature_created',
    { feature_id: row.id, epic_id: row.epic_id, name: row.name, created_by: actor },
    now,
  )
  return rowToFeature(row)
}

export async function findFeature(db: Db, featureId: number): Promise<FeatureRow | undefined> {
  return db.selectFrom('features').selectAll().where('id', '=', featureId).executeTakeFirst()
}

export async function listFeatures(db: Db, epicId?: number): Promise<FeatureResponse[]> {
  let q = db.selectFrom('features').selectAll().orderBy('id', 'asc')
  if (epicId !== undefined) q = q.where('epic_id', '=', epicId)
  return (await q.execute()).map(rowToFeature)
}

export async function deleteFeature(
  db: Db,
  featureId: number,
  actor: string,
  now: string,
): Promise<void> {
  const result = await db.deleteFrom('features').where('id', '=', featureId).executeTakeFirst()
  if (Number(result.numDeletedRows) === 0) throw new AppError('not_found', 'Feature not found')
  await recordEvent(db, 'feature_deleted', { feature_id: featureId, deleted_by: actor }, now)
}
