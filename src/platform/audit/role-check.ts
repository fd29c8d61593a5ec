import { sql } from 'kysely'
import type { Db } from '../../db/database.js'

/**
 * The audit trail is append-only by trigger, but a superuser (or the table's owner) can disable or
 * drop a trigger. Served as a role that owns nothing and may only insert and read audit records
 * (README: "Database roles"), the guarantee holds even for SQL sent through the API's own
 * connection. Says so when it does not.
 */
export async function auditProtectionWarning(db: Db): Promise<string | undefined> {
  const { rows } = await sql<{ name: string; superuser: boolean; owner: boolean }>`
    select current_user as name, r.rolsuper as superuser,
           exists (select 1 from pg_tables where schemaname = current_schema() and tablename = 'audit_records' and tableowner = current_user) as owner
    from pg_roles r where r.rolname = current_user`.execute(db)
  const role = rows[0]
  if (!role || (!role.superuser && !role.owner)) return undefined
  return `the API connects to PostgreSQL as ${role.name}, ${role.superuser ? 'a superuser' : 'the owner of audit_records'}: that role can disable the audit trail's append-only trigger. Serve as a least-privilege role that may only insert and read audit records (README: Database roles)`
}
