import type { RegisterServiceRequest, ServiceResponse, ServiceStatus } from '../contract/index.js'
import { AppError } from '../domain/index.js'
import type { Db, ServiceRow } from './database.js'
import { recordEvent } from './events-repository.js'
import { fromJsonText, toJsonText } from './json.js'

export function rowToService(row: ServiceRow): ServiceResponse {
  return {
    id: row.id,
    service_name: row.service_name,
    owner_agent_id: row.owner_agent_id,
    ping_url: row.ping_url,
    port: row.port,
    status: row.status,
    last_heartbeat: row.last_heartbeat,
    last_ping_at: row.last_ping_at,
    last_ping_success: row.last_ping_success === null ? null : row.last_ping_success === 1,
    meta_data: fromJsonText(row.meta_data),
    updated_at: row.updated_at,
  }
}

function eventData(row: ServiceRow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    service_name: row.service_name,
    owner_agent_id: row.owner_agent_id,
    status: row.status,
    ...extra,
  }
}

/**
 * Upsert by name. A name someone else owns is taken over only when `mayTakeOver` (the caller is a
 * pm); v1 let anyone take it. The event records the previous owner.
 */
export async function registerService(
  db: Db,
  input: Required<Pick<RegisterServiceRequest, 'status'>> & RegisterServiceRequest,
  owner: string,
  now: string,
  mayTakeOver = false,
): Promise<ServiceResponse> {
  const values = {
    owner_agent_id: owner,
    ping_url: input.ping_url,
    port: input.port ?? null,
    status: input.status,
    meta_data: toJsonText(input.meta_data),
    last_heartbeat: now,
    updated_at: now,
  }
  const find = () =>
    db
      .selectFrom('services')
      .selectAll()
      .where('service_name', '=', input.service_name)
      .executeTakeFirst()
  let existing = await find()
  if (!existing) {
    // Two first registrations of one name may race: the loser's insert does nothing and it updates instead.
    const row = await db
      .insertInto('services')
      .values({ ...values, service_name: input.service_name })
      .onConflict((oc) => oc.column('service_name').doNothing())
      .returningAll()
      .executeTakeFirst()
    if (row) {
      await recordEvent(db, 'service_registered', eventData(row), now)
      return rowToService(row)
    }
    existing = await find()
    if (!existing)
      throw new AppError(
        'conflict',
        `service ${input.service_name} changed while it was being registered; try again`,
      )
  }
  if (existing.owner_agent_id !== owner && !mayTakeOver) {
    throw new AppError(
      'forbidden',
      `service ${input.service_name} is owned by agent ${existing.owner_agent_id}; only its owner or a pm may register it again (or pick another name)`,
    )
  }
  const row = await db
    .updateTable('services')
    .set(values)
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  await recordEvent(
    db,
    'service_registered',
    eventData(row, { previous_owner: existing.owner_agent_id }),
    now,
  )
  return rowToService(row)
}

export async function listServices(db: Db): Promise<ServiceResponse[]> {
  return (await db.selectFrom('services').selectAll().orderBy('service_name').execute()).map(
    rowToService,
  )
}

async function getOwned(
  db: Db,
  name: string,
  agentId: string,
  action: string,
  mayOverride = false,
): Promise<ServiceRow> {
  const row = await db
    .selectFrom('services')
    .selectAll()
    .where('service_name', '=', name)
    .executeTakeFirst()
  if (!row) throw new AppError('not_found', 'Service not found')
  if (row.owner_agent_id !== agentId && !mayOverride)
    throw new AppError('forbidden', `Only service owner can ${action}`)
  return row
}

export async function heartbeatService(
  db: Db,
  name: string,
  agentId: string,
  now: string,
): Promise<ServiceResponse> {
  const before = await getOwned(db, name, agentId, 'send heartbeat')
  const row = await db
    .updateTable('services')
    .set({ last_heartbeat: now, updated_at: now, status: 'up' })
    .where('id', '=', before.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  if (before.status !== 'up')
    await recordEvent(
      db,
      'service_updated',
      eventData(row, { previous_status: before.status }),
      now,
    )
  return rowToService(row)
}

/** The owner unregisters its service; `byPm` lets a pm remove one whose owner is gone. */
export async function unregisterService(
  db: Db,
  name: string,
  agentId: string,
  now: string,
  byPm = false,
): Promise<void> {
  const row = await getOwned(db, name, agentId, 'unregister service', byPm)
  await db.deleteFrom('services').where('id', '=', row.id).execute()
  await recordEvent(db, 'service_unregistered', eventData(row), now)
}

/** Stores a ping result; records an event only when the status flips. Conditional on the last ping. */
export async function recordPing(db: Db, row: ServiceRow, ok: boolean, now: string): Promise<void> {
  const status: ServiceStatus = ok ? 'up' : 'down'
  let update = db
    .updateTable('services')
    .set({ status, last_ping_at: now, last_ping_success: ok ? 1 : 0, updated_at: now })
    .where('id', '=', row.id)
  update =
    row.last_ping_at === null
      ? update.where('last_ping_at', 'is', null)
      : update.where('last_ping_at', '=', row.last_ping_at)
  const result = await update.executeTakeFirst()
  if (Number(result.numUpdatedRows) > 0 && status !== row.status) {
    await recordEvent(
      db,
      'service_updated',
      eventData({ ...row, status }, { previous_status: row.status, ping_ok: ok }),
      now,
    )
  }
}

export async function listServiceRows(db: Db): Promise<ServiceRow[]> {
  return db.selectFrom('services').selectAll().where('ping_url', '!=', '').execute()
}

export async function countServices(db: Db): Promise<number> {
  const row = await db
    .selectFrom('services')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
