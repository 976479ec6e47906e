import type { Db } from './database.js'

/**
 * Takes or renews the named job lease for `holder` when it is free or already ours, in one
 * statement, so with several server instances each periodic job runs on one of them at a time.
 */
export async function tryAcquireJobLock(
  db: Db,
  name: string,
  holder: string,
  now: string,
  expiresAt: string,
): Promise<boolean> {
  const result = await db
    .insertInto('job_locks')
    .values({ name, holder, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder, expires_at: expiresAt })
        .where((eb) =>
          eb.or([eb('job_locks.expires_at', '<', now), eb('job_locks.holder', '=', holder)]),
        ),
    )
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}
