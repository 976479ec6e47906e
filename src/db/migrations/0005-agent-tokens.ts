import type { Kysely } from 'kysely'

import { dialectOf, idColumn } from '../dialect.js'

/**
 * Per-agent tokens: a call made with one acts as that agent only. Only the SHA-256 of a token is
 * kept (a stolen database gives no working token); deleting the agent deletes its tokens.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = idColumn(dialectOf(db))
  await db.schema
    .createTable('agent_tokens')
    .addColumn('id', id.type, id.build)
    .addColumn('agent_id', 'varchar(100)', (c) =>
      c.notNull().references('agents.agent_id').onDelete('cascade'),
    )
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(100)')
    .execute()
  await db.schema
    .createIndex('agent_tokens_agent_idx')
    .on('agent_tokens')
    .column('agent_id')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('agent_tokens').execute()
}
