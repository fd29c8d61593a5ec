import { sql } from 'kysely'
import type { Trx } from '../../platform/changes.js'

const REFERENCE = /^OL-(\d{4})-(\d{4,})$/

/** OL-2009-0042: the year and a sequence of at least four digits. */
export const formatReference = (year: number, n: number) => `OL-${year}-${String(n).padStart(4, '0')}`

export function parseReference(reference: string): { year: number; number: number } | null {
  const m = REFERENCE.exec(reference)
  return m ? { year: Number(m[1]), number: Number(m[2]) } : null
}

/**
 * The next reference of `year`. The counter row is upserted and incremented in one statement, so
 * it stays locked by this transaction until commit: concurrent creates queue on the row and never
 * draw the same number, and a rolled-back create gives its number back.
 */
export async function nextReference(trx: Trx, year: number): Promise<string> {
  const { rows } = await sql<{ last_number: number }>`
    insert into learning_log_reference_counters (year, last_number) values (${year}, 1)
    on conflict (year) do update set last_number = learning_log_reference_counters.last_number + 1
    returning last_number`.execute(trx)
  return formatReference(year, Number(rows[0].last_number))
}

/** A reference given from outside (an import): the counter moves past it so later ones never collide. */
export async function claimReference(trx: Trx, reference: string): Promise<void> {
  const parsed = parseReference(reference)
  if (!parsed) throw new Error(`not a reference: ${reference}`)
  await sql`
    insert into learning_log_reference_counters (year, last_number) values (${parsed.year}, ${parsed.number})
    on conflict (year) do update set last_number = greatest(learning_log_reference_counters.last_number, excluded.last_number)`.execute(trx)
}
