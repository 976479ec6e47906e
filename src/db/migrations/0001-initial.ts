import type { Kysely } from 'kysely'

import { dialectOf, idColumn } from '../dialect.js'

export async function up(db: Kysely<any>): Promise<void> {
  const id = idColumn(dialectOf(db))

  await db.schema
    .createTable('agents')
    .addColumn('id', id.type, id.build)
    .addColumn('agent_id', 'varchar(100)', (c) => c.notNull().unique())
    .addColumn('role', 'varchar(32)', (c) => c.notNull())
    .addColumn('level', 'varchar(32)', (c) => c.notNull())
    .addColumn('connection_type', 'varchar(32)')
    .addColumn('last_seen', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('epics')
    .addColumn('id', id.type, id.build)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('features')
    .addColumn('id', id.type, id.build)
    .addColumn('epic_id', 'integer', (c) => c.notNull().references('epics.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('features_epic_idx').on('features').column('epic_id').execute()

  await db.schema
    .createTable('tasks')
    .addColumn('id', id.type, id.build)
    .addColumn('feature_id', 'integer', (c) =>
      c.notNull().references('features.id').onDelete('cascade'),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_by', 'varchar(100)', (c) => c.notNull())
    .addColumn('target_role', 'varchar(32)', (c) => c.notNull())
    .addColumn('difficulty', 'varchar(32)', (c) => c.notNull())
    .addColumn('complexity', 'varchar(32)', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('locked_by', 'varchar(100)')
    .addColumn('locked_at', 'varchar(32)')
    .addColumn('lease_expires_at', 'varchar(32)')
    .addColumn('claimed_from', 'varchar(32)')
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('notes', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('tasks_pickup_idx')
    .on('tasks')
    .columns(['status', 'target_role'])
    .execute()
  await db.schema.createIndex('tasks_locked_by_idx').on('tasks').column('locked_by').execute()
  await db.schema.createIndex('tasks_lease_idx').on('tasks').column('lease_expires_at').execute()
  await db.schema.createIndex('tasks_feature_idx').on('tasks').column('feature_id').execute()

  await db.schema
    .createTable('task_comments')
    .addColumn('id', id.type, id.build)
    .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('author_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('task_comments_task_idx')
    .on('task_comments')
    .column('task_id')
    .execute()

  await db.schema
    .createTable('changelog')
    .addColumn('id', id.type, id.build)
    .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('old_status', 'varchar(32)')
    .addColumn('new_status', 'varchar(32)')
    .addColumn('changed_by', 'varchar(100)', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('changed_at', 'varchar(32)', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('changelog_task_idx').on('changelog').column('task_id').execute()

  await db.schema
    .createTable('documents')
    .addColumn('id', id.type, id.build)
    .addColumn('doc_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('author_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('meta_data', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)')
    .execute()

  await db.schema
    .createTable('mentions')
    .addColumn('id', id.type, id.build)
    .addColumn('document_id', 'integer', (c) => c.references('documents.id').onDelete('cascade'))
    .addColumn('task_id', 'integer', (c) => c.references('tasks.id').onDelete('cascade'))
    .addColumn('mentioned_agent_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(100)', (c) => c.notNull())
    .addColumn('is_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('mentions_agent_idx')
    .on('mentions')
    .columns(['mentioned_agent_id', 'is_read'])
    .execute()

  await db.schema
    .createTable('services')
    .addColumn('id', id.type, id.build)
    .addColumn('service_name', 'varchar(100)', (c) => c.notNull().unique())
    .addColumn('owner_agent_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('ping_url', 'text', (c) => c.notNull())
    .addColumn('port', 'integer')
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_heartbeat', 'varchar(32)')
    .addColumn('last_ping_at', 'varchar(32)')
    .addColumn('last_ping_success', 'integer')
    .addColumn('meta_data', 'text')
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('task_runs')
    .addColumn('id', id.type, id.build)
    .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('agent_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'varchar(32)', (c) => c.notNull())
    .addColumn('model', 'text')
    .addColumn('session_id', 'text')
    .addColumn('exit_code', 'integer')
    .addColumn('is_error', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('cost_usd', 'double precision')
    .addColumn('input_tokens', 'bigint')
    .addColumn('output_tokens', 'bigint')
    .addColumn('cache_read_tokens', 'bigint')
    .addColumn('cache_creation_tokens', 'bigint')
    .addColumn('num_turns', 'integer')
    .addColumn('started_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('finished_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('log_path', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('task_runs_task_idx').on('task_runs').column('task_id').execute()

  await db.schema
    .createTable('events')
    .addColumn('id', id.type, id.build)
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('events_at_idx').on('events').column('at').execute()

  await db.schema
    .createTable('job_locks')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('holder', 'varchar(100)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'job_locks',
    'events',
    'task_runs',
    'services',
    'mentions',
    'documents',
    'changelog',
    'task_comments',
    'tasks',
    'features',
    'epics',
    'agents',
  ]) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
