import type { Db } from '../../db/database.js'
import { Problem, type FieldError } from '../../platform/problems.js'

type Table = 'org_units' | 'people' | 'recommendation_themes' | 'recommendations' | 'recommendation_sources' | 'indicators' | 'challenge_panels'

const WHAT: Record<Table, string> = {
  org_units: 'org unit',
  people: 'person',
  recommendation_themes: 'theme',
  recommendations: 'recommendation',
  recommendation_sources: 'source',
  indicators: 'indicator',
  challenge_panels: 'challenge panel'
}

/**
 * Refuses ids that point nowhere with one 422 `invalid-reference` naming each field, before
 * anything is written. `refs` maps a JSON pointer to the id (or ids) it holds.
 */
export async function assertReferences(db: Db, refs: Array<[pointer: string, table: Table, ids: string | string[] | null | undefined]>, where = 'body') {
  const errors: FieldError[] = []
  for (const [pointer, table, value] of refs) {
    if (value === null || value === undefined) continue
    const ids = Array.isArray(value) ? value : [value]
    if (ids.length === 0) continue
    const found = new Set((await db.selectFrom(table).select('id').where('id', 'in', ids).execute()).map((r) => r.id))
    ids.forEach((id, i) => {
      if (!found.has(id)) errors.push({ in: where, pointer: Array.isArray(value) ? `${pointer}/${i}` : pointer, detail: `no such ${WHAT[table]}` })
    })
  }
  if (errors.length) throw new Problem(422, 'invalid-reference', errors.map((e) => `${e.pointer.slice(1)}: ${e.detail}`).join('; '), { errors })
}

/** Cross-field rules: 422 `unprocessable` with each field named. */
export function assertValid(errors: FieldError[]) {
  if (errors.length) throw new Problem(422, 'unprocessable', errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; '), { errors })
}
