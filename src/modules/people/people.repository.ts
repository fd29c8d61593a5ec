import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { changedColumns } from '../../platform/patches.js'
import { descendantIds, wouldCreateCycle } from '../../platform/hierarchy.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { describeConstraint, notFound, Problem, type FieldError } from '../../platform/problems.js'
import type { Person, PersonCreate, PersonListQuery, PersonUpdate } from './schemas.js'
import type { PeopleTable, StaffType } from './tables.js'

export type PersonRow = Selectable<PeopleTable>
export type PersonView = Static<typeof Person>

describeConstraint('people_external_id_key', 'a person with this externalId already exists')
describeConstraint('people_email_unique', 'another person already has this email address')
describeConstraint('people_line_manager_id_fkey', 'the person is still someone’s line manager, or the line manager does not exist')
describeConstraint('people_not_own_manager', 'a person cannot be their own line manager')

export const toPerson = (r: PersonRow): PersonView => ({
  id: r.id,
  externalId: r.external_id,
  givenName: r.given_name,
  familyName: r.family_name,
  preferredName: r.preferred_name,
  email: r.email,
  staffType: r.staff_type,
  gradeId: r.grade_id,
  orgUnitId: r.org_unit_id,
  lineManagerId: r.line_manager_id,
  status: r.status,
  startDate: r.start_date,
  leavingDate: r.leaving_date,
  version: r.version,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString()
})

const sorts: SortAllowList<PersonRow> = {
  familyName: { columns: ['people.family_name', 'people.given_name', 'people.id'], direction: 'asc', key: (r) => [r.family_name, r.given_name, r.id] },
  createdAt: { columns: ['people.created_at', 'people.id'], direction: 'asc', key: (r) => [r.created_at, r.id] }
}

export async function findPerson(db: Db, id: string): Promise<PersonRow> {
  const row = await db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('person', id)
  return row
}

const escapeLike = (s: string) => s.replace(/[%_\\]/g, '\\$&')

export async function listPeople(db: Db, q: Static<typeof PersonListQuery>): Promise<Page<PersonRow>> {
  let query = db.selectFrom('people').selectAll('people')
  if (q.orgUnitId) {
    query = q.includeDescendants
      ? query.where((eb) =>
          eb.or([
            eb('people.org_unit_id', '=', q.orgUnitId!),
            eb('people.org_unit_id', 'in', descendantIds({ table: 'org_units', column: 'parent_id' }, q.orgUnitId!) as never)
          ])
        )
      : query.where('people.org_unit_id', '=', q.orgUnitId)
  }
  if (q.gradeId) query = query.where('people.grade_id', '=', q.gradeId)
  if (q.levelMin !== undefined || q.levelMax !== undefined) {
    let grades = db.selectFrom('grades').select('grades.id')
    if (q.levelMin !== undefined) grades = grades.where('grades.level', '>=', q.levelMin)
    if (q.levelMax !== undefined) grades = grades.where('grades.level', '<=', q.levelMax)
    query = query.where('people.grade_id', 'in', grades)
  }
  if (q.staffType) query = query.where('people.staff_type', '=', q.staffType as StaffType)
  if (q.status) query = query.where('people.status', '=', q.status)
  if (q.lineManagerId) query = query.where('people.line_manager_id', '=', q.lineManagerId)
  if (q.externalId) query = query.where('people.external_id', '=', q.externalId)
  if (q.email) query = query.where((eb) => eb(eb.fn('lower', ['people.email']), '=', q.email!.toLowerCase()))
  if (q.q) {
    const pattern = `%${escapeLike(q.q)}%`
    query = query.where((eb) =>
      eb.or([eb('people.family_name', 'ilike', pattern), eb('people.given_name', 'ilike', pattern), eb('people.preferred_name', 'ilike', pattern)])
    )
  }
  return keysetPage(query, sorts, q, 'familyName')
}

type References = { gradeId?: string | null; orgUnitId?: string | null; lineManagerId?: string | null }

/** Each reference names a record that exists, and a line manager never closes a reporting loop. */
async function assertReferences(db: Db, personId: string | null, refs: References) {
  const errors: FieldError[] = []
  if (refs.gradeId && !(await db.selectFrom('grades').select('id').where('id', '=', refs.gradeId).executeTakeFirst())) {
    errors.push({ in: 'body', pointer: '/gradeId', detail: 'no such grade' })
  }
  if (refs.orgUnitId && !(await db.selectFrom('org_units').select('id').where('id', '=', refs.orgUnitId).executeTakeFirst())) {
    errors.push({ in: 'body', pointer: '/orgUnitId', detail: 'no such org unit' })
  }
  if (refs.lineManagerId && !(await db.selectFrom('people').select('id').where('id', '=', refs.lineManagerId).executeTakeFirst())) {
    errors.push({ in: 'body', pointer: '/lineManagerId', detail: 'no such person' })
  }
  if (errors.length) throw new Problem(422, 'invalid-reference', errors.map((e) => `${e.pointer.slice(1)}: ${e.detail}`).join('; '), { errors })
  if (personId && refs.lineManagerId && (await wouldCreateCycle(db, { table: 'people', column: 'line_manager_id' }, personId, refs.lineManagerId))) {
    throw new Problem(422, 'hierarchy-cycle', 'the line manager reports, directly or through others, to this person', {
      errors: [{ in: 'body', pointer: '/lineManagerId', detail: 'would create a reporting loop' }]
    })
  }
}

export async function createPerson(changes: ChangeSet, input: Static<typeof PersonCreate>): Promise<PersonView> {
  await assertReferences(changes.trx, null, input)
  const row = await changes.trx
    .insertInto('people')
    .values({
      external_id: input.externalId ?? null,
      given_name: input.givenName,
      family_name: input.familyName,
      preferred_name: input.preferredName ?? null,
      email: input.email ?? null,
      staff_type: input.staffType as StaffType,
      grade_id: input.gradeId ?? null,
      org_unit_id: input.orgUnitId ?? null,
      line_manager_id: input.lineManagerId ?? null,
      ...(input.status ? { status: input.status } : {}),
      start_date: input.startDate ?? null,
      leaving_date: input.leavingDate ?? null
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toPerson(row)
  changes.record({ action: 'person.created', entityType: 'person', entityId: row.id, after: view })
  return view
}

export async function updatePerson(changes: ChangeSet, id: string, patch: Static<typeof PersonUpdate>, expected?: IfMatch): Promise<PersonView> {
  const current = await changes.trx.selectFrom('people').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('person', id)
  assertCurrentVersion(expected, current.version)
  await assertReferences(changes.trx, id, {
    gradeId: patch.gradeId,
    orgUnitId: patch.orgUnitId,
    lineManagerId: patch.lineManagerId !== current.line_manager_id ? patch.lineManagerId : undefined
  })
  const set: Partial<Record<keyof PeopleTable, unknown>> = {}
  const fields: Array<[keyof typeof patch, keyof PeopleTable]> = [
    ['externalId', 'external_id'], ['givenName', 'given_name'], ['familyName', 'family_name'], ['preferredName', 'preferred_name'],
    ['email', 'email'], ['staffType', 'staff_type'], ['gradeId', 'grade_id'], ['orgUnitId', 'org_unit_id'],
    ['lineManagerId', 'line_manager_id'], ['status', 'status'], ['startDate', 'start_date'], ['leavingDate', 'leaving_date']
  ]
  for (const [field, column] of fields) if (patch[field] !== undefined) set[column] = patch[field]
  const changed = changedColumns(current, set)
  if (Object.keys(changed).length === 0) return toPerson(current)
  const row = await changes.trx
    .updateTable('people')
    .set({ ...(changed as object), version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toPerson(row)
  changes.record({ action: 'person.updated', entityType: 'person', entityId: id, before: toPerson(current), after: view })
  return view
}

export async function listDirectReports(db: Db, managerId: string, q: { limit?: number; cursor?: string; status?: 'active' | 'left' }) {
  await findPerson(db, managerId)
  let query = db.selectFrom('people').selectAll('people').where('people.line_manager_id', '=', managerId)
  if (q.status) query = query.where('people.status', '=', q.status)
  return keysetPage(query, sorts, q, 'familyName')
}
