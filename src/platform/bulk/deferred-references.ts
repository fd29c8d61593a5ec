import { sql } from 'kysely'
import type { Trx } from '../changes.js'
import { idsInCycles, type Hierarchy } from '../hierarchy.js'

export interface Deferral {
  line: number
  id: string
  /** externalId of the row this one should point at, not yet seen when the row was written. */
  target: string
  /** The row as it was before this import (null when created by it), kept for the audit record. */
  before: unknown
}

/**
 * A file may name, as parent or line manager, a row further down. Such a pointer is parked in a
 * temporary table (memory stays flat however large the file) and set once every row is in.
 * Rows whose pointer changed are remembered too, so loops are found across the whole import.
 */
export class DeferredReferences {
  readonly #pending: string
  readonly #touched: string

  constructor(private readonly h: Hierarchy) {
    this.#pending = `import_pending_${h.table}`
    this.#touched = `import_touched_${h.table}`
  }

  async #ensureTables(trx: Trx) {
    await sql`create temp table if not exists ${sql.table(this.#pending)} (line int not null, id uuid not null, target text not null, before jsonb) on commit drop`.execute(trx)
    await sql`create temp table if not exists ${sql.table(this.#touched)} (line int not null, id uuid not null) on commit drop`.execute(trx)
  }

  async defer(trx: Trx, deferrals: Deferral[]) {
    if (deferrals.length === 0) return
    await this.#ensureTables(trx)
    await trx
      .insertInto(this.#pending as never)
      .values(deferrals.map((d) => ({ line: d.line, id: d.id, target: d.target, before: d.before === null ? null : JSON.stringify(d.before) })) as never)
      .execute()
  }

  /** Rows whose pointer this import set directly. */
  async touch(trx: Trx, rows: Array<{ line: number; id: string }>) {
    if (rows.length === 0) return
    await this.#ensureTables(trx)
    await trx.insertInto(this.#touched as never).values(rows as never).execute()
  }

  /**
   * Points each parked row at its target. Returns the parked rows (with their before-image, for
   * the audit trail) and those whose target exists neither in the file nor in the database.
   */
  async resolve(trx: Trx): Promise<{ parked: Array<{ line: number; id: string; before: unknown }>; missing: Array<{ line: number; id: string; target: string }> }> {
    await this.#ensureTables(trx)
    const table = sql.table(this.h.table)
    const column = sql.ref(this.h.column)
    const pending = sql.table(this.#pending)
    await sql`
      update ${table} as t set ${column} = target.id, version = t.version + 1, updated_at = now()
      from ${pending} as r join ${table} as target on target.external_id = r.target
      where t.id = r.id and t.${column} is distinct from target.id`.execute(trx)
    const { rows: parked } = await sql<{ line: number; id: string; before: unknown }>`select line, id, before from ${pending} order by line`.execute(trx)
    const { rows: missing } = await sql<{ line: number; id: string; target: string }>`
      select r.line, r.id, r.target from ${pending} r left join ${table} target on target.external_id = r.target
      where target.id is null order by r.line`.execute(trx)
    return { parked, missing }
  }

  /** Lines of rows this import pointed (directly or once resolved) into a loop. */
  async loops(trx: Trx): Promise<Array<{ line: number; id: string }>> {
    await this.#ensureTables(trx)
    const changed = sql<{ id: string }>`select id from ${sql.table(this.#touched)} union select id from ${sql.table(this.#pending)}`
    const looped = await idsInCycles(trx, this.h, changed)
    if (looped.length === 0) return []
    const { rows } = await sql<{ line: number; id: string }>`
      select line, id from ${sql.table(this.#touched)} where id = any(${looped}::uuid[])
      union select line, id from ${sql.table(this.#pending)} where id = any(${looped}::uuid[]) order by line`.execute(trx)
    return rows
  }
}
