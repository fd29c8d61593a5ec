import { sql } from 'kysely'
import type { Trx } from '../changes.js'
import { idsInCycles, type Hierarchy } from '../hierarchy.js'
import type { ImportContext } from './spec.js'

/** A row this import pointed somewhere, and how it was counted (a failure found later takes it back). */
export interface Pointed {
  line: number
  id: string
  outcome: 'created' | 'updated'
  /** The id it now points at (null: it points nowhere). */
  target: string | null
}

export type LateFailure = Omit<Pointed, 'target'>

/**
 * A file may name, as parent or line manager, a row further down. Such a row's id is reserved
 * when it is first named (in a temporary table: memory stays flat however large the file), the
 * pointing row is written at once with that id, and the row itself takes the id when it comes.
 * The foreign key is checked at commit (deferred for the import's transaction only), so every
 * row is written once, already pointing at its target. Once every row is in, rows pointing at
 * a reserved id nobody took are refused, and loops are looked for across the whole import.
 */
export class DeferredReferences {
  readonly #reserved: string
  readonly #pointed: string

  constructor(private readonly h: Extract<Hierarchy, { table: 'org_units' | 'people' }>) {
    this.#reserved = `import_reserved_${h.table}`
    this.#pointed = `import_pointed_${h.table}`
  }

  /**
   * Before a pass's first batch, outside the batches' savepoints (a batch rolled back must not
   * take the tables with it); a pass rolled back to its start loses them and prepares again.
   */
  async prepare(context: ImportContext) {
    const trx = context.trx
    await sql`create temp table if not exists ${sql.table(this.#reserved)} (external_id text primary key, id uuid not null) on commit drop`.execute(trx)
    await sql`create temp table if not exists ${sql.table(this.#pointed)} (line int not null, id uuid not null, outcome text not null, target uuid) on commit drop`.execute(trx)
    await sql`set constraints ${sql.id(`${this.h.table}_${this.h.column}_fkey`)} deferred`.execute(trx)
  }

  /**
   * The ids the rows named `targets` (not in the table) will have: reserved now if not already.
   * Also returns the ids reserved earlier for the rows named `rows` (new rows of this batch).
   */
  async reserve(context: ImportContext, targets: string[], rows: string[]): Promise<Map<string, string>> {
    if (targets.length === 0 && !context.scratch.has(`reserved:${this.h.table}`)) return new Map()
    const table = sql.table(this.#reserved)
    const wanted = [...new Set([...targets, ...rows])]
    // The select does not see what the insert adds (one snapshot): together they give every id.
    const { rows: found } = await sql<{ external_id: string; id: string }>`
      with added as (
        insert into ${table} (external_id, id) select x, gen_random_uuid() from unnest(${targets}::text[]) x
        on conflict (external_id) do nothing returning external_id, id)
      select external_id, id from added
      union all select external_id, id from ${table} where external_id = any(${wanted}::text[])`.execute(context.trx)
    if (targets.length) context.scratch.set(`reserved:${this.h.table}`, true)
    return new Map(found.map((r) => [r.external_id, r.id]))
  }

  /** Rows whose pointer this import set: checked for missing targets and loops at the end. */
  async pointed(context: ImportContext, rows: Pointed[]) {
    if (rows.length === 0) return
    // As four arrays: a parameter per value cost more to build and bind than the insert itself.
    await sql`insert into ${sql.table(this.#pointed)} (line, id, outcome, target)
      select * from unnest(${rows.map((r) => r.line)}::int[], ${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.outcome)}::text[], ${rows.map((r) => r.target)}::uuid[])`.execute(context.trx)
  }

  /** Rows pointing at a reserved id no row of the file took (the row never came, or was refused). */
  async missing(context: ImportContext): Promise<Array<LateFailure & { target: string }>> {
    if (!context.scratch.has(`reserved:${this.h.table}`)) return []
    const { rows } = await sql<LateFailure & { target: string }>`
      select p.line, p.id, p.outcome, r.external_id as target
      from ${sql.table(this.#pointed)} p join ${sql.table(this.#reserved)} r on r.id = p.target
      where not exists (select from ${sql.table(this.h.table)} t where t.id = p.target)
      order by p.line`.execute(context.trx)
    return rows
  }

  /** Lines of rows this import pointed into a loop. */
  async loops(context: ImportContext): Promise<LateFailure[]> {
    const trx: Trx = context.trx
    const pointed = sql.table(this.#pointed)
    const looped = await idsInCycles(trx, this.h, sql<{ id: string }>`select id from ${pointed}`)
    if (looped.length === 0) return []
    const { rows } = await sql<LateFailure>`
      select distinct line, id, outcome from ${pointed} where id = any(${looped}::uuid[]) order by line`.execute(trx)
    return rows
  }
}
