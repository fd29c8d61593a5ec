import type { Selectable } from 'kysely'
import type { Db } from '../../db/database.js'
import type { Trx } from '../../platform/changes.js'
import { Problem, type FieldError } from '../../platform/problems.js'
import { FRAMEWORK_NOT_PUBLISHED } from '../assessments/frameworks.repository.js'
import type { FrameworkElementsTable, FrameworksTable } from '../assessments/tables.js'

/** Read-only views of the assessments module's frameworks: a 360° uses a published version as it is. */
export type FrameworkRow = Selectable<FrameworksTable>
export type ElementRow = Selectable<FrameworkElementsTable>

const invalid = (pointer: string, detail: string) =>
  new Problem(422, 'invalid-reference', `${pointer.slice(1)}: ${detail}`, { errors: [{ in: 'body', pointer, detail }] })

/**
 * The framework version, which must exist (422) and be published (409). Read FOR SHARE: retiring
 * takes FOR UPDATE, so a retirement running now is waited for and seen, and none can start before
 * the caller's transaction (which uses the version) ends.
 */
export async function publishedFramework(db: Db | Trx, id: string, pointer = '/frameworkId'): Promise<FrameworkRow> {
  const row = await db.selectFrom('frameworks').selectAll().where('id', '=', id).forShare().executeTakeFirst()
  if (!row) throw invalid(pointer, 'no such framework version')
  if (row.status !== 'published') {
    throw new Problem(409, FRAMEWORK_NOT_PUBLISHED, `framework ${row.code} version ${row.version_number} is ${row.status}, not published`)
  }
  return row
}

/** Every element of a framework version, in tree order (parent before children, by position). */
export async function elementsOf(db: Db | Trx, frameworkId: string): Promise<ElementRow[]> {
  return db.selectFrom('framework_elements').selectAll().where('framework_id', '=', frameworkId).orderBy('position').orderBy('code').execute()
}

/**
 * The behaviours an assessment rates: the chosen ids (each a behaviour of this version), or
 * every behaviour when none are chosen. Refuses unknown or non-behaviour ids field by field.
 */
export function ratedElements(elements: readonly ElementRow[], chosen: readonly string[], pointer = '/elementIds'): ElementRow[] {
  const behaviours = elements.filter((e) => e.kind === 'behaviour')
  if (chosen.length === 0) {
    if (behaviours.length === 0) throw new Problem(422, 'unprocessable', 'the framework version has no behaviours to rate', { errors: [{ in: 'body', pointer: '/frameworkId', detail: 'has no behaviours to rate' }] })
    return behaviours
  }
  const byId = new Map(elements.map((e) => [e.id, e]))
  const errors: FieldError[] = []
  chosen.forEach((id, i) => {
    const element = byId.get(id)
    if (!element) errors.push({ in: 'body', pointer: `${pointer}/${i}`, detail: 'is not an element of this framework version' })
    else if (element.kind !== 'behaviour') errors.push({ in: 'body', pointer: `${pointer}/${i}`, detail: `is a ${element.kind}; only behaviours are rated` })
  })
  if (errors.length) throw new Problem(422, 'invalid-reference', errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; '), { errors })
  const set = new Set(chosen)
  return behaviours.filter((e) => set.has(e.id))
}
