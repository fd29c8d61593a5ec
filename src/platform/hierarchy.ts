import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { Database } from '../db/types.js'

/** Self-referencing tables (a unit's parent, a person's line manager, a framework element's parent) and the column that points up. */
export type Hierarchy =
  | { table: 'org_units'; column: 'parent_id' }
  | { table: 'people'; column: 'line_manager_id' }
  | { table: 'framework_elements'; column: 'parent_id' }

const MAX_DEPTH = 200

/** True when pointing `id` at `newParentId` would close a loop: `id` is `newParentId` or one of its ancestors. */
export async function wouldCreateCycle(db: Kysely<Database>, h: Hierarchy, id: string, newParentId: string): Promise<boolean> {
  if (id === newParentId) return true
  const table = sql.table(h.table)
  const column = sql.ref(h.column)
  const { rows } = await sql<{ found: boolean }>`
    with recursive up(id, depth) as (
      select ${column}, 1 from ${table} where id = ${newParentId}
      union all
      select t.${column}, up.depth + 1 from ${table} t join up on t.id = up.id
      where up.id is not null and up.depth < ${MAX_DEPTH}
    )
    select exists(select 1 from up where id = ${id}) as found`.execute(db)
  return rows[0]?.found === true
}

/**
 * The ids of every row below `rootId` (not `rootId` itself), as a subquery with one column, `id`.
 *
 * The walk is collected into an array and unnested again: PostgreSQL estimates a recursive query
 * from its first step (2,500 units under one unit: a million expected), and a subquery that big
 * is not hashed, so `x in (…)` re-read the whole walk for every row tested (a page of people took
 * 4.6 s). Through the array it is computed once and estimated small, so it is hashed (7 ms).
 */
export function descendantIds(h: Hierarchy, rootId: string) {
  const table = sql.table(h.table)
  const column = sql.ref(h.column)
  return sql<{ id: string }>`(select unnest(array(
    with recursive down(id, depth) as (
      select id, 1 from ${table} where ${column} = ${rootId}
      union all
      select t.id, down.depth + 1 from ${table} t join down on t.${column} = down.id where down.depth < ${MAX_DEPTH}
    )
    select id from down)) as id)`
}

/** Of the ids (a list, or a query selecting `id`), those whose chain upwards comes back to themselves. */
export async function idsInCycles(db: Kysely<Database>, h: Hierarchy, ids: string[] | RawBuilder<{ id: string }>): Promise<string[]> {
  if (Array.isArray(ids) && ids.length === 0) return []
  const table = sql.table(h.table)
  const column = sql.ref(h.column)
  const source = Array.isArray(ids) ? sql`select unnest(${ids}::uuid[]) as id` : ids
  const { rows } = await sql<{ start: string }>`
    with recursive up(start, id, depth) as (
      select t.id, t.${column}, 1 from ${table} t where t.id in (${source})
      union all
      select up.start, t.${column}, up.depth + 1 from ${table} t join up on t.id = up.id
      where up.id is not null and up.id <> up.start and up.depth < ${MAX_DEPTH}
    )
    select distinct start from up where id = start`.execute(db)
  return rows.map((r) => r.start)
}
