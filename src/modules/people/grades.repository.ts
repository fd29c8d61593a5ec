import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { changedColumns } from '../../platform/patches.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { describeConstraint, notFound } from '../../platform/problems.js'
import type { Grade, GradeCreate, GradeListQuery, GradeUpdate } from './schemas.js'
import type { GradesTable, StaffType } from './tables.js'

export type GradeRow = Selectable<GradesTable>
export type GradeView = Static<typeof Grade>

describeConstraint('grades_external_id_key', 'a grade with this externalId already exists')
describeConstraint('grades_code_key', 'a grade with this code already exists')
describeConstraint('people_grade_id_fkey', 'people still hold this grade, or the grade does not exist')

export const toGrade = (r: GradeRow): GradeView => ({
  id: r.id,
  externalId: r.external_id,
  code: r.code,
  name: r.name,
  staffType: r.staff_type,
  level: r.level,
  version: r.version,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString()
})

const sorts: SortAllowList<GradeRow> = {
  level: { columns: ['level', 'code', 'id'], direction: 'asc', key: (r) => [r.level, r.code, r.id] },
  code: { columns: ['code', 'id'], direction: 'asc', key: (r) => [r.code, r.id] }
}

export async function findGrade(db: Db, id: string): Promise<GradeRow> {
  const row = await db.selectFrom('grades').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('grade', id)
  return row
}

export async function listGrades(db: Db, q: Static<typeof GradeListQuery>): Promise<Page<GradeRow>> {
  let query = db.selectFrom('grades').selectAll()
  if (q.staffType) query = query.where('staff_type', '=', q.staffType as StaffType)
  if (q.levelMin !== undefined) query = query.where('level', '>=', q.levelMin)
  if (q.levelMax !== undefined) query = query.where('level', '<=', q.levelMax)
  return keysetPage(query, sorts, q, 'level')
}

export async function createGrade(changes: ChangeSet, input: Static<typeof GradeCreate>): Promise<GradeView> {
  const row = await changes.trx
    .insertInto('grades')
    .values({ external_id: input.externalId ?? null, code: input.code, name: input.name, staff_type: input.staffType as StaffType, level: input.level })
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toGrade(row)
  changes.record({ action: 'grade.created', entityType: 'grade', entityId: row.id, after: view })
  return view
}

export async function updateGrade(changes: ChangeSet, id: string, patch: Static<typeof GradeUpdate>, expected?: IfMatch): Promise<GradeView> {
  const current = await changes.trx.selectFrom('grades').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('grade', id)
  assertCurrentVersion(expected, current.version)
  const changed = changedColumns(current, {
    external_id: patch.externalId,
    code: patch.code,
    name: patch.name,
    staff_type: patch.staffType as StaffType | undefined,
    level: patch.level
  })
  if (Object.keys(changed).length === 0) return toGrade(current)
  const row = await changes.trx
    .updateTable('grades')
    .set({
      ...changed,
      version: current.version + 1,
      updated_at: new Date()
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toGrade(row)
  changes.record({ action: 'grade.updated', entityType: 'grade', entityId: id, before: toGrade(current), after: view })
  return view
}

export async function deleteGrade(changes: ChangeSet, id: string, expected?: IfMatch): Promise<void> {
  const current = await changes.trx.selectFrom('grades').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('grade', id)
  assertCurrentVersion(expected, current.version)
  // A grade still held by someone is refused by the foreign key (409 still-referenced).
  await changes.trx.deleteFrom('grades').where('id', '=', id).execute()
  changes.record({ action: 'grade.deleted', entityType: 'grade', entityId: id, before: toGrade(current), event: { id } })
}
