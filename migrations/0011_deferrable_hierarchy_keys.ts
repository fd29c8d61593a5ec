import { sql, type Kysely } from 'kysely'

/**
 * Imports write a row that names a parent or line manager further down the file at once, with
 * the id reserved for that row, and check the reference at commit: the two self-references may
 * be deferred by a transaction that asks (`set constraints … deferred`). Everything else still
 * checks them at once (initially immediate).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table org_units alter constraint org_units_parent_id_fkey deferrable initially immediate`.execute(db)
  await sql`alter table people alter constraint people_line_manager_id_fkey deferrable initially immediate`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table people alter constraint people_line_manager_id_fkey not deferrable`.execute(db)
  await sql`alter table org_units alter constraint org_units_parent_id_fkey not deferrable`.execute(db)
}
