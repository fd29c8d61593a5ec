import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type PageRequest, type SortAllowList } from '../../platform/pagination.js'
import { changesNothing } from '../../platform/patches.js'
import { describeConstraint, notFound } from '../../platform/problems.js'
import type { ChallengePanel, ChallengePanelCreate, ChallengePanelUpdate, PanelMember, PanelMemberCreate, PanelMemberUpdate } from './panels.schemas.js'
import { assertReferences, assertValid } from './references.js'
import { iso } from './status.js'
import type { ChallengePanelMembersTable, ChallengePanelsTable, Membership, MemberRole } from './tables.js'

describeConstraint('challenge_panels_code_key', 'a challenge panel with this code already exists')
describeConstraint('challenge_panel_members_dates', 'leftOn must not be before joinedOn')

type PanelRow = Selectable<ChallengePanelsTable>
type MemberRow = Selectable<ChallengePanelMembersTable>

export const toPanel = (r: PanelRow): Static<typeof ChallengePanel> => ({
  id: r.id,
  code: r.code,
  name: r.name,
  termsOfReference: r.terms_of_reference,
  status: r.status,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

export const toMember = (r: MemberRow): Static<typeof PanelMember> => ({
  id: r.id,
  panelId: r.panel_id,
  name: r.name,
  membership: r.membership,
  organisation: r.organisation,
  personId: r.person_id,
  role: r.role,
  joinedOn: r.joined_on,
  leftOn: r.left_on,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

const sorts: SortAllowList<PanelRow> = { code: { columns: ['code', 'id'], direction: 'asc', key: (r) => [r.code, r.id] } }

export async function findPanel(db: Db, id: string): Promise<PanelRow> {
  const row = await db.selectFrom('challenge_panels').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('challenge panel', id)
  return row
}

export const listPanels = (db: Db, page: PageRequest): Promise<Page<PanelRow>> => keysetPage(db.selectFrom('challenge_panels').selectAll(), sorts, page, 'code')

export async function createPanel(changes: ChangeSet, input: Static<typeof ChallengePanelCreate>) {
  const row = await changes.trx
    .insertInto('challenge_panels')
    .values({ code: input.code, name: input.name, terms_of_reference: input.termsOfReference ?? null })
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toPanel(row)
  changes.record({ action: 'challenge-panel.created', entityType: 'challenge-panel', entityId: row.id, after: view })
  return view
}

export async function updatePanel(changes: ChangeSet, id: string, patch: Static<typeof ChallengePanelUpdate>, expected?: IfMatch) {
  const current = await changes.trx.selectFrom('challenge_panels').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('challenge panel', id)
  assertCurrentVersion(expected, current.version)
  const set: Partial<Record<keyof ChallengePanelsTable, unknown>> = {}
  if (patch.code !== undefined) set.code = patch.code
  if (patch.name !== undefined) set.name = patch.name
  if (patch.termsOfReference !== undefined) set.terms_of_reference = patch.termsOfReference
  if (patch.status !== undefined) set.status = patch.status
  if (changesNothing(current, set)) return toPanel(current)
  const row = await changes.trx
    .updateTable('challenge_panels')
    .set({ ...(set as object), version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toPanel(row)
  changes.record({ action: 'challenge-panel.updated', entityType: 'challenge-panel', entityId: id, before: toPanel(current), after: view })
  return view
}

const memberSorts: SortAllowList<MemberRow> = { name: { columns: ['name', 'id'], direction: 'asc', key: (r) => [r.name, r.id] } }

export async function listMembers(db: Db, panelId: string, page: PageRequest): Promise<Page<MemberRow>> {
  await findPanel(db, panelId)
  return keysetPage(db.selectFrom('challenge_panel_members').selectAll().where('panel_id', '=', panelId), memberSorts, page, 'name')
}

export async function findMember(db: Db, panelId: string, memberId: string): Promise<MemberRow> {
  const row = await db.selectFrom('challenge_panel_members').selectAll().where('id', '=', memberId).where('panel_id', '=', panelId).executeTakeFirst()
  if (!row) throw notFound('panel member', memberId)
  return row
}

function memberErrors(m: { membership: Membership; joined_on: string | null; left_on: string | null; organisation: string | null }) {
  const errors = []
  if (m.joined_on && m.left_on && m.left_on < m.joined_on) errors.push({ in: 'body', pointer: '/leftOn', detail: `must not be before joinedOn (${m.joined_on})` })
  if (m.membership === 'external' && !m.organisation) errors.push({ in: 'body', pointer: '/organisation', detail: 'is required for an external member' })
  return errors
}

export async function addMember(changes: ChangeSet, panelId: string, input: Static<typeof PanelMemberCreate>) {
  await findPanel(changes.trx, panelId)
  const values = {
    panel_id: panelId,
    name: input.name,
    membership: input.membership as Membership,
    organisation: input.organisation ?? null,
    person_id: input.personId ?? null,
    role: (input.role ?? 'member') as MemberRole,
    joined_on: input.joinedOn ?? null,
    left_on: input.leftOn ?? null
  }
  assertValid(memberErrors(values))
  await assertReferences(changes.trx, [['/personId', 'people', input.personId]])
  const row = await changes.trx.insertInto('challenge_panel_members').values(values).returningAll().executeTakeFirstOrThrow()
  const view = toMember(row)
  changes.record({ action: 'panel-member.added', entityType: 'panel-member', entityId: row.id, after: view })
  return view
}

export async function updateMember(changes: ChangeSet, panelId: string, memberId: string, patch: Static<typeof PanelMemberUpdate>, expected?: IfMatch) {
  const current = await changes.trx.selectFrom('challenge_panel_members').selectAll().where('id', '=', memberId).where('panel_id', '=', panelId).forUpdate().executeTakeFirst()
  if (!current) throw notFound('panel member', memberId)
  assertCurrentVersion(expected, current.version)
  const set: Partial<MemberRow> = {}
  if (patch.name !== undefined) set.name = patch.name
  if (patch.membership !== undefined) set.membership = patch.membership as Membership
  if (patch.organisation !== undefined) set.organisation = patch.organisation
  if (patch.personId !== undefined) set.person_id = patch.personId
  if (patch.role !== undefined) set.role = patch.role as MemberRole
  if (patch.joinedOn !== undefined) set.joined_on = patch.joinedOn
  if (patch.leftOn !== undefined) set.left_on = patch.leftOn
  assertValid(memberErrors({ ...current, ...set }))
  await assertReferences(changes.trx, [['/personId', 'people', patch.personId]])
  if (changesNothing(current, set)) return toMember(current)
  const row = await changes.trx
    .updateTable('challenge_panel_members')
    .set({ ...set, version: current.version + 1, updated_at: new Date() })
    .where('id', '=', memberId)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toMember(row)
  changes.record({ action: 'panel-member.updated', entityType: 'panel-member', entityId: memberId, before: toMember(current), after: view })
  return view
}
