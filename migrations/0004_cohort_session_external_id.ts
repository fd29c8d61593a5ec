import type { Kysely } from 'kysely'

/** Agenda sessions are fed in bulk too (`cohort-sessions` import), so they carry the feeder's key. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cohort_sessions').addColumn('external_id', 'text', (c) => c.unique()).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cohort_sessions').dropColumn('external_id').execute()
}
