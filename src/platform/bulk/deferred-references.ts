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
  /** How the row was counted, so a failure found later can take it back. */
  outcome: 'created' | 'updated'
}

/** A row this import wrote whose pointer is refused once every row is in. */
export interface LateFailure {
  line: number
  id: string
  outcome: 'created' | 'updated'
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
    await sql`create temp table if not exists ${sql.table(this.#pending)} (line int not null, id uuid not null, target text not null, before jsonb, outcome text not null) on commit drop`.execute(trx)
    await sql`create temp table if not exists ${sql.table(this.#touched)} (line int not null, id uuid not null, outcome text not null) on commit drop`.execute(trx)
  }

  async defer(trx: Trx, deferrals: Deferral[]) {
    if (deferrals.length === 0) return
    await this.#ensureTables(trx)
    await trx
      .insertInto(this.#pending as never)
      .values(deferrals.map((d) => ({ line: d.line, id: d.id, target: d.target, before: d.before === null ? null : JSON.stringify(d.before), outcome: d.outcome })) as never)
      .execute()
  }

  /** Rows whose pointer this import set directly. */
  async touch(trx: Trx, rows: LateFailure[]) {
    if (rows.length === 0) return
    await this.#ensureTables(trx)
    await trx.insertInto(this.#touched as never).values(rows as never).execute()
  }

  /**
   * Points each parked row at its target. Returns the parked rows (with their before-image, for
   * the audit trail) and those whose target exists neither in the file nor in the database.
   */
  async resolve(trx: Trx): Promise<{ parked: Array<{ line: number; id: string; before: unknown }>; missing: Array<LateFailure & { target: string }> }> {
    await this.#ensureTables(trx)
    const table = sql.table(this.h.table)
    const column = sql.ref(this.h.column)
    const pending = sql.table(this.#pending)
    // No version bump here: every parked row was written (and versioned) earlier in this import,
    // and one import is one change to it.
    await sql`
      update ${table} as t set ${column} = target.id, updated_at = now()
      from ${pending} as r join ${table} as target on target.external_id = r.target
      where t.id = r.id and t.${column} is distinct from target.id`.execute(trx)
    const { rows: parked } = await sql<{ line: number; id: string; before: unknown }>`select line, id, before from ${pending} order by line`.execute(trx)
    const { rows: missing } = await sql<LateFailure & { target: string }>`
      select r.line, r.id, r.target, r.outcome from ${pending} r left join ${table} target on target.external_id = r.target
      where target.id is null order by r.line`.execute(trx)
    return { parked, missing }
  }

  /** Lines of rows this import pointed (directly or once resolved) into a loop. */
  async loops(trx: Trx): Promise<LateFailure[]> {
    await this.#ensureTables(trx)
    const changed = sql<{ id: string }>`select id from ${sql.table(this.#touched)} union select id from ${sql.table(this.#pending)}`
    const looped = await idsInCycles(trx, this.h, changed)
    if (looped.length === 0) return []
    const { rows } = await sql<LateFailure>`
      select line, id, outcome from ${sql.table(this.#touched)} where id = any(${looped}::uuid[])
      union select line, id, outcome from ${sql.table(this.#pending)} where id = any(${looped}::uuid[]) order by line`.execute(trx)
    return rows
  }
}
