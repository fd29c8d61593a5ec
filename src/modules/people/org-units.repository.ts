import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { changedColumns } from '../../platform/patches.js'
import { descendantIds, wouldCreateCycle } from '../../platform/hierarchy.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { defineProblem, describeConstraint, notFound, Problem } from '../../platform/problems.js'
import type { OrgUnit, OrgUnitCreate, OrgUnitListQuery, OrgUnitUpdate } from './schemas.js'
import type { OrgUnitsTable } from './tables.js'

export type OrgUnitRow = Selectable<OrgUnitsTable>
export type OrgUnitView = Static<typeof OrgUnit>

defineProblem('hierarchy-cycle', { status: 422, title: 'Hierarchy cycle', description: 'The change would make an org unit its own ancestor, a person their own line manager, or a framework element its own ancestor (directly or through others).' })
describeConstraint('org_units_external_id_key', 'an org unit with this externalId already exists')
describeConstraint('org_units_parent_id_fkey', 'the org unit has child units or the parent does not exist')
describeConstraint('people_org_unit_id_fkey', 'the org unit still has people, or the org unit does not exist')

export const toOrgUnit = (r: OrgUnitRow): OrgUnitView => ({
  id: r.id,
  externalId: r.external_id,
  name: r.name,
  kind: r.kind,
  parentId: r.parent_id,
  status: r.status,
  version: r.version,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString()
})

const sorts: SortAllowList<OrgUnitRow> = {
  name: { columns: ['name', 'id'], direction: 'asc', key: (r) => [r.name, r.id] },
  createdAt: { columns: ['created_at', 'id'], direction: 'asc', key: (r) => [r.created_at, r.id] }
}

export async function findOrgUnit(db: Db, id: string): Promise<OrgUnitRow> {
  const row = await db.selectFrom('org_units').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('org unit', id)
  return row
}

export async function listOrgUnits(db: Db, q: Static<typeof OrgUnitListQuery>): Promise<Page<OrgUnitRow>> {
  let query = db.selectFrom('org_units').selectAll()
  if (q.parentId === 'root') query = query.where('parent_id', 'is', null)
  else if (q.parentId) query = query.where('parent_id', '=', q.parentId)
  if (q.descendantsOf) query = query.where('id', 'in', descendantIds({ table: 'org_units', column: 'parent_id' }, q.descendantsOf) as never)
  if (q.kind) query = query.where('kind', '=', q.kind as OrgUnitRow['kind'])
  if (q.status) query = query.where('status', '=', q.status)
  if (q.externalId) query = query.where('external_id', '=', q.externalId)
  if (q.q) query = query.where('name', 'ilike', `%${q.q.replace(/[%_\\]/g, '\\$&')}%`)
  return keysetPage(query, sorts, q, 'name')
}

async function assertParent(db: Db, id: string | null, parentId: string | null | undefined) {
  if (!parentId) return
  const parent = await db.selectFrom('org_units').select('id').where('id', '=', parentId).executeTakeFirst()
  if (!parent) {
    throw new Problem(422, 'invalid-reference', `parent org unit ${parentId} does not exist`, {
      errors: [{ in: 'body', pointer: '/parentId', detail: 'no such org unit' }]
    })
  }
  if (id && (await wouldCreateCycle(db, { table: 'org_units', column: 'parent_id' }, id, parentId))) {
    throw new Problem(422, 'hierarchy-cycle', 'an org unit cannot move under itself or its own subtree', {
      errors: [{ in: 'body', pointer: '/parentId', detail: 'is the unit itself or below it' }]
    })
  }
}

export async function createOrgUnit(changes: ChangeSet, input: Static<typeof OrgUnitCreate>): Promise<OrgUnitView> {
  await assertParent(changes.trx, null, input.parentId)
  const row = await changes.trx
    .insertInto('org_units')
    .values({
      external_id: input.externalId ?? null,
      name: input.name,
      kind: input.kind as OrgUnitRow['kind'],
      parent_id: input.parentId ?? null,
      ...(input.status ? { status: input.status } : {})
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toOrgUnit(row)
  changes.record({ action: 'org-unit.created', entityType: 'org-unit', entityId: row.id, after: view })
  return view
}

export async function updateOrgUnit(changes: ChangeSet, id: string, patch: Static<typeof OrgUnitUpdate>, expected?: IfMatch): Promise<OrgUnitView> {
  const current = await changes.trx.selectFrom('org_units').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('org unit', id)
  assertCurrentVersion(expected, current.version)
  const moving = patch.parentId !== undefined && patch.parentId !== current.parent_id
  if (moving) await assertParent(changes.trx, id, patch.parentId)
  const changed = changedColumns(current, {
    external_id: patch.externalId,
    name: patch.name,
    kind: patch.kind as OrgUnitRow['kind'] | undefined,
    parent_id: patch.parentId,
    status: patch.status
  })
  if (Object.keys(changed).length === 0) return toOrgUnit(current)
  const row = await changes.trx
    .updateTable('org_units')
    .set({
      ...changed,
      version: current.version + 1,
      updated_at: new Date()
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toOrgUnit(row)
  changes.record({ action: moving ? 'org-unit.moved' : 'org-unit.updated', entityType: 'org-unit', entityId: id, before: toOrgUnit(current), after: view })
  return view
}

export async function deleteOrgUnit(changes: ChangeSet, id: string, expected?: IfMatch): Promise<void> {
  const current = await changes.trx.selectFrom('org_units').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('org unit', id)
  assertCurrentVersion(expected, current.version)
  const child = await changes.trx.selectFrom('org_units').select('id').where('parent_id', '=', id).limit(1).executeTakeFirst()
  const member = await changes.trx.selectFrom('people').select('id').where('org_unit_id', '=', id).limit(1).executeTakeFirst()
  if (child || member) {
    throw new Problem(409, 'still-referenced', `the org unit still has ${child ? 'child units' : 'people'}; move them or close the unit instead`)
  }
  await changes.trx.deleteFrom('org_units').where('id', '=', id).execute()
  changes.record({ action: 'org-unit.deleted', entityType: 'org-unit', entityId: id, before: toOrgUnit(current), event: { id } })
}
