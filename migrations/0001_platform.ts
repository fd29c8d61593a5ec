import { sql, type Kysely } from 'kysely'

// Frozen in time: migrations use Kysely<any> and never import application types.
// Timestamps keep milliseconds, as JavaScript does, so a value read back and sent again (a
// keyset cursor, an If-Unmodified-Since) compares equal to the stored one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_clients')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('scopes', sql`text[]`, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'disabled')`))
    .addColumn('secret_rotated_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('in_progress', 'completed')`))
    .addColumn('response_status', 'integer')
    .addColumn('response_headers', 'jsonb')
    .addColumn('response_body', 'text')
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal', 'key'])
    .execute()
  await db.schema.createIndex('idempotency_keys_expires').on('idempotency_keys').column('expires_at').execute()

  await db.schema
    .createTable('audit_records')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('occurred_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('request_id', 'text')
    .execute()
  await db.schema.createIndex('audit_records_entity').on('audit_records').columns(['entity_type', 'entity_id', 'id']).execute()
  await db.schema.createIndex('audit_records_actor').on('audit_records').columns(['actor', 'id']).execute()
  // Append-only in the database itself, whatever code or person connects.
  await sql`
    create function audit_records_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_records is append-only' using errcode = 'P0001', hint = 'pathway:append-only';
    end $$`.execute(db)
  await sql`
    create trigger audit_records_no_update_delete before update or delete on audit_records
    for each row execute function audit_records_append_only()`.execute(db)
  await sql`
    create trigger audit_records_no_truncate before truncate on audit_records
    for each statement execute function audit_records_append_only()`.execute(db)

  // The change feed's sequence is taken from one counter row near commit; its row lock makes
  // sequence order equal commit order, so a reader paging by `after` never skips an event.
  await db.schema
    .createTable('event_counter')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('last_sequence', 'bigint', (c) => c.notNull())
    .execute()
  await db.insertInto('event_counter').values({ id: 1, last_sequence: 0 }).execute()
  await db.schema
    .createTable('events')
    .addColumn('sequence', 'bigint', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('occurred_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('data', 'jsonb')
    .execute()
  await db.schema.createIndex('events_type_sequence').on('events').columns(['type', 'sequence']).execute()

  await db.schema
    .createTable('import_jobs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('queued', 'running', 'succeeded', 'failed')`))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'boolean', (c) => c.notNull())
    .addColumn('atomic', 'boolean', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint')
    .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_written', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('result', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', sql`timestamptz(3)`)
    .addColumn('finished_at', sql`timestamptz(3)`)
    .execute()
  await db.schema.createIndex('import_jobs_created').on('import_jobs').columns(['created_at', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['import_jobs', 'events', 'event_counter', 'audit_records', 'idempotency_keys', 'api_clients']) {
    await db.schema.dropTable(table).execute()
  }
  await sql`drop function if exists audit_records_append_only()`.execute(db)
}
