import { sql, type Kysely } from 'kysely'

/**
 * State that several API replicas share through the database instead of keeping in process:
 * who runs an import job and when it last proved alive (a replica that dies leaves its jobs to
 * be failed by the others once the lease lapses), and rate-limit counters.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('import_jobs')
    .addColumn('owner', 'text')
    .addColumn('heartbeat_at', sql`timestamptz(3)`)
    .execute()
  await sql`create index import_jobs_live on import_jobs (heartbeat_at) where state in ('queued', 'running')`.execute(db)

  // Unlogged: counters are worth nothing after a crash, and skipping the WAL keeps them cheap.
  await sql`
    create unlogged table rate_limit_counters (
      key text primary key,
      window_start timestamptz(3) not null,
      count integer not null
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limit_counters').execute()
  await sql`drop index if exists import_jobs_live`.execute(db)
  await db.schema.alterTable('import_jobs').dropColumn('owner').dropColumn('heartbeat_at').execute()
}
