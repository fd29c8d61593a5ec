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
  /**
   * A new row is not written until every row is in: its column values (snake_case, with
   * `external_id`) wait here and the parked rows are inserted together, pointers set, by `resolve`.
   */
  values?: Record<string, unknown>
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
    await sql`create temp table if not exists ${sql.table(this.#pending)} (line int not null, id uuid not null, target text not null, before jsonb, outcome text not null, external_id text, values jsonb) on commit drop`.execute(trx)
    await sql`create temp table if not exists ${sql.table(this.#touched)} (line int not null, id uuid not null, outcome text not null) on commit drop`.execute(trx)
  }

  async defer(trx: Trx, deferrals: Deferral[]) {
    if (deferrals.length === 0) return
    await this.#ensureTables(trx)
    await trx
      .insertInto(this.#pending as never)
      .values(
        deferrals.map((d) => ({
          line: d.line, id: d.id, target: d.target, before: d.before === null ? null : JSON.stringify(d.before), outcome: d.outcome,
          external_id: (d.values?.external_id as string | undefined) ?? null, values: d.values ? JSON.stringify(d.values) : null
        })) as never
      )
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
  async resolve(trx: Trx): Promise<{
    /** The parked rows as they are now, with their line and before-image, in line order, a chunk at a time. */
    parked: () => AsyncGenerator<Array<Record<string, unknown> & { parked_line: number; parked_before: unknown; id: string }>>
    missing: Array<LateFailure & { target: string }>
    /** Parked new rows the database refused to insert (a unique value taken…): not written. */
    refused: Array<LateFailure & { error: unknown }>
  }> {
    await this.#ensureTables(trx)
    const table = sql.table(this.h.table)
    const column = sql.ref(this.h.column)
    const pending = sql.table(this.#pending)
    const refused = await this.#insertParked(trx)
    // No version bump here: every parked row was written (and versioned) earlier in this import,
    // and one import is one change to it.
    await sql`
      update ${table} as t set ${column} = target.id, updated_at = now()
      from ${pending} as r join ${table} as target on target.external_id = r.target
      where t.id = r.id and t.${column} is distinct from target.id`.execute(trx)
    // Read back through a cursor, a thousand rows at a time: there may be hundreds of thousands.
    const cursor = sql.id(`parked_${this.h.table}`)
    const parked = async function* (): AsyncGenerator<Array<Record<string, unknown> & { parked_line: number; parked_before: unknown; id: string }>> {
      await sql`declare ${cursor} no scroll cursor for
        select t.*, r.line as parked_line, r.before as parked_before from ${pending} r join ${table} t on t.id = r.id order by r.line`.execute(trx)
      try {
        for (;;) {
          const { rows } = await sql<Record<string, unknown> & { parked_line: number; parked_before: unknown; id: string }>`fetch 1000 from ${cursor}`.execute(trx)
          if (rows.length === 0) return
          yield rows
        }
      } finally {
        await sql`close ${cursor}`.execute(trx)
      }
    }
    const { rows: missing } = await sql<LateFailure & { target: string }>`
      select r.line, r.id, r.target, r.outcome from ${pending} r left join ${table} target on target.external_id = r.target
      where target.id is null order by r.line`.execute(trx)
    return { parked, missing, refused }
  }

  /**
   * Inserts the parked new rows, each already pointing at its target (a row in the table or
   * another parked row: the foreign key is checked at the end of the statement), in one
   * statement. Writing them first and pointing them later cost an update of every such row,
   * as much again as the insert. If the database refuses the statement (a row breaks a unique
   * constraint), the rows go in one at a time without their pointer, which the update in
   * `resolve` then sets; a refused row is dropped from the parked rows and reported.
   */
  async #insertParked(trx: Trx): Promise<Array<LateFailure & { error: unknown }>> {
    const table = sql.table(this.h.table)
    const column = sql.ref(this.h.column)
    const pending = sql.table(this.#pending)
    const sample = await sql<{ values: Record<string, unknown> }>`select values from ${pending} where values is not null limit 1`.execute(trx)
    if (sample.rows.length === 0) return []
    const columns = Object.keys(sample.rows[0].values).filter((c) => c !== 'id' && c !== this.h.column)
    const names = sql.join(columns.map((c) => sql.ref(c)))
    const fromRecord = sql.join(columns.map((c) => sql`(r).${sql.ref(c)}`))
    await sql`savepoint import_parked`.execute(trx)
    try {
      await sql`
        insert into ${table} (id, ${names}, ${column})
        select p.id, ${fromRecord}, coalesce(existing.id, parked.id)
        from (select p.*, jsonb_populate_record(null::${table}, p.values) as r from ${pending} p where p.values is not null) p
        left join ${table} existing on existing.external_id = p.target
        left join ${pending} parked on parked.external_id = p.target and parked.values is not null
        order by p.line`.execute(trx)
      await sql`release savepoint import_parked`.execute(trx)
      return []
    } catch {
      await sql`rollback to savepoint import_parked`.execute(trx)
    }
    const refused: Array<LateFailure & { error: unknown }> = []
    const { rows } = await sql<{ line: number; id: string; outcome: 'created' | 'updated' }>`select line, id, outcome from ${pending} where values is not null order by line`.execute(trx)
    for (const row of rows) {
      await sql`savepoint import_parked_row`.execute(trx)
      try {
        await sql`
          insert into ${table} (id, ${names})
          select p.id, ${fromRecord} from (select p.*, jsonb_populate_record(null::${table}, p.values) as r from ${pending} p where p.id = ${row.id}) p`.execute(trx)
        await sql`release savepoint import_parked_row`.execute(trx)
      } catch (error) {
        await sql`rollback to savepoint import_parked_row`.execute(trx)
        await sql`delete from ${pending} where id = ${row.id}`.execute(trx)
        refused.push({ ...row, error })
      }
    }
    return refused
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
