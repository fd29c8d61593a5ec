import { sql, type Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { changedColumns } from '../../platform/patches.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { defineProblem, describeConstraint, notFound, Problem, type FieldError } from '../../platform/problems.js'
import { missingFrameworkElements } from '../assessments/frameworks.repository.js'
import { programmesAdmitting } from './eligibility.js'
import type { Programme, ProgrammeCreate, ProgrammeListQuery, ProgrammeUpdate } from './programmes.schemas.js'
import type { ProgrammeKind, ProgrammesTable, ProgrammeStatus, TargetGroup } from './tables.js'
import { assertTransition, type TransitionTable } from './transitions.js'

export type ProgrammeRow = Selectable<ProgrammesTable>
export type ProgrammeView = Static<typeof Programme>
/** A programme as read: every column but the generated `search` vector. */
export type ProgrammeRecord = Omit<ProgrammeRow, 'search'>

defineProblem('programme-status', {
  status: 409,
  title: 'Programme status does not allow this',
  description:
    'Cohorts open only for pilot or active programmes, a retired programme takes no new cohorts, and only a draft programme without cohorts can be deleted (retire it instead).'
})
describeConstraint('programmes_external_id_key', 'a programme with this externalId already exists')
describeConstraint('programmes_code_key', 'a programme with this code already exists')
describeConstraint('programmes_level_range', 'eligibility levelMin must not be above levelMax')
describeConstraint('programmes_owner_org_unit_id_fkey', 'the org unit owns programmes, or the owner org unit does not exist')

/** draft → pilot | active; pilot → active | retired; active → retired; retired is final. */
export const PROGRAMME_TRANSITIONS: TransitionTable<ProgrammeStatus> = {
  draft: ['pilot', 'active'],
  pilot: ['active', 'retired'],
  active: ['retired'],
  retired: []
}

/** Statuses in which a programme runs cohorts (they may open). */
export const LIVE_PROGRAMME_STATUSES: readonly ProgrammeStatus[] = ['pilot', 'active']

const iso = (t: Date | string) => new Date(t).toISOString()

export const toProgramme = (r: ProgrammeRecord): ProgrammeView => ({
  id: r.id,
  externalId: r.external_id,
  code: r.code,
  title: r.title,
  kind: r.kind,
  aim: r.aim,
  keyFeatures: r.key_features,
  provider: r.provider,
  delivery: r.delivery,
  duration: r.duration,
  durationDays: r.duration_days,
  accreditation: r.accreditation,
  eligibility: {
    levelMin: r.eligible_level_min,
    levelMax: r.eligible_level_max,
    staffTypes: r.eligible_staff_types,
    notes: r.eligibility_notes
  },
  targetGroups: r.target_groups,
  selectionRequired: r.selection_required,
  secondApprovalRequired: r.second_approval_required,
  defaultCapacity: r.default_capacity,
  minParticipants: r.min_participants,
  costPerEvent: r.cost_per_event,
  costPerPerson: r.cost_per_person,
  annualTarget: r.annual_target,
  pilotSize: r.pilot_size,
  targetYears: r.target_years,
  rolloutStartsOn: r.rollout_starts_on,
  ownerOrgUnitId: r.owner_org_unit_id,
  frameworkElementIds: r.framework_element_ids,
  status: r.status,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

/** Every column a caller reads: the generated `search` vector stays in the database. */
export const PROGRAMME_COLUMNS = [
  'id', 'external_id', 'code', 'title', 'kind', 'aim', 'key_features', 'provider', 'delivery', 'duration', 'duration_days',
  'accreditation', 'eligible_level_min', 'eligible_level_max', 'eligible_staff_types', 'eligibility_notes', 'target_groups',
  'selection_required', 'second_approval_required', 'default_capacity', 'min_participants', 'cost_per_event', 'cost_per_person',
  'annual_target', 'pilot_size', 'target_years', 'rollout_starts_on', 'owner_org_unit_id', 'framework_element_ids', 'status',
  'version', 'created_at', 'updated_at'
] as const satisfies ReadonlyArray<keyof ProgrammeRow>

const sorts: SortAllowList<ProgrammeRecord> = {
  title: { columns: ['programmes.title', 'programmes.id'], direction: 'asc', key: (r) => [r.title, r.id] },
  createdAt: { columns: ['programmes.created_at', 'programmes.id'], direction: 'asc', key: (r) => [r.created_at, r.id] }
}

export async function findProgramme(db: Db, id: string): Promise<ProgrammeRecord> {
  const row = await db.selectFrom('programmes').select(PROGRAMME_COLUMNS).where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('programme', id)
  return row
}

/** Locks the programme for the rest of the transaction (a status change and a cohort opening serialise on it). */
export async function lockProgramme(db: Db, id: string): Promise<ProgrammeRecord | undefined> {
  return db.selectFrom('programmes').select(PROGRAMME_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst()
}

const unknownInQuery = (field: string, what: string) =>
  new Problem(422, 'invalid-reference', `${field}: no such ${what}`, { errors: [{ in: 'query', pointer: `/${field}`, detail: `no such ${what}` }] })

export async function listProgrammes(db: Db, q: Static<typeof ProgrammeListQuery>): Promise<Page<ProgrammeRecord>> {
  let query = db.selectFrom('programmes').select(PROGRAMME_COLUMNS.map((c) => `programmes.${c}` as const))
  if (q.status) query = query.where('programmes.status', '=', q.status as ProgrammeStatus)
  if (q.kind) query = query.where('programmes.kind', '=', q.kind as ProgrammeKind)
  if (q.targetGroup) query = query.where((eb) => eb(eb.val(q.targetGroup as TargetGroup), '=', eb.fn.any('programmes.target_groups')))
  if (q.code) query = query.where('programmes.code', '=', q.code)
  if (q.externalId) query = query.where('programmes.external_id', '=', q.externalId)
  if (q.q) query = query.where(sql<boolean>`programmes.search @@ plainto_tsquery('english', ${q.q})`)
  if (q.eligibleFor) {
    const person = await db
      .selectFrom('people')
      .leftJoin('grades', 'grades.id', 'people.grade_id')
      .select(['people.staff_type', 'grades.level'])
      .where('people.id', '=', q.eligibleFor)
      .executeTakeFirst()
    if (!person) throw unknownInQuery('eligibleFor', 'person')
    query = query.where(programmesAdmitting(person))
  }
  if (q.gradeId) {
    const grade = await db.selectFrom('grades').select(['staff_type', 'level']).where('id', '=', q.gradeId).executeTakeFirst()
    if (!grade) throw unknownInQuery('gradeId', 'grade')
    query = query.where(programmesAdmitting(grade))
  }
  return keysetPage(query, sorts, q, 'title')
}

type Create = Static<typeof ProgrammeCreate>
type Update = Static<typeof ProgrammeUpdate>
type Columns = Partial<Record<keyof ProgrammesTable, unknown>>

/** JSON field → column, for everything but eligibility (nested) and status (transitions). */
const FIELDS: Array<[keyof Update & keyof Create, keyof ProgrammesTable]> = [
  ['externalId', 'external_id'], ['code', 'code'], ['title', 'title'], ['kind', 'kind'], ['aim', 'aim'], ['keyFeatures', 'key_features'],
  ['provider', 'provider'], ['delivery', 'delivery'], ['duration', 'duration'], ['durationDays', 'duration_days'],
  ['accreditation', 'accreditation'], ['targetGroups', 'target_groups'], ['selectionRequired', 'selection_required'],
  ['secondApprovalRequired', 'second_approval_required'], ['defaultCapacity', 'default_capacity'], ['minParticipants', 'min_participants'],
  ['costPerEvent', 'cost_per_event'], ['costPerPerson', 'cost_per_person'], ['annualTarget', 'annual_target'], ['pilotSize', 'pilot_size'],
  ['targetYears', 'target_years'], ['rolloutStartsOn', 'rollout_starts_on'], ['ownerOrgUnitId', 'owner_org_unit_id'],
  ['frameworkElementIds', 'framework_element_ids']
]

function columnsOf(input: Create | Update): Columns {
  const set: Columns = {}
  for (const [field, column] of FIELDS) if (input[field] !== undefined) set[column] = input[field]
  const e = input.eligibility
  if (e) {
    if (e.levelMin !== undefined) set.eligible_level_min = e.levelMin
    if (e.levelMax !== undefined) set.eligible_level_max = e.levelMax
    if (e.staffTypes !== undefined) set.eligible_staff_types = e.staffTypes
    if (e.notes !== undefined) set.eligibility_notes = e.notes
  }
  return set
}

/** Rules across fields, checked on the programme as it would be after the change. */
export function programmeErrors(next: Pick<ProgrammeRow, 'eligible_level_min' | 'eligible_level_max' | 'min_participants' | 'default_capacity'>, where = 'body', prefix = ''): FieldError[] {
  const errors: FieldError[] = []
  const { eligible_level_min: min, eligible_level_max: max } = next
  if (min !== null && max !== null && min > max) errors.push({ in: where, pointer: `${prefix}/levelMax`, detail: `must not be below levelMin (${min})` })
  const { min_participants: fewest, default_capacity: capacity } = next
  if (fewest !== null && capacity !== null && fewest > capacity) {
    errors.push({ in: where, pointer: '/minParticipants', detail: `must not be above defaultCapacity (${capacity})` })
  }
  return errors
}

async function assertOwner(db: Db, orgUnitId: string | null | undefined) {
  if (!orgUnitId) return
  const unit = await db.selectFrom('org_units').select('id').where('id', '=', orgUnitId).executeTakeFirst()
  if (!unit) {
    throw new Problem(422, 'invalid-reference', `ownerOrgUnitId: no such org unit`, { errors: [{ in: 'body', pointer: '/ownerOrgUnitId', detail: 'no such org unit' }] })
  }
}

/** Linked framework elements must exist: each unknown id is refused with its own pointer. */
async function assertFrameworkElements(db: Db, ids: readonly string[] | undefined, where = 'body') {
  if (!ids?.length) return
  const missing = new Set(await missingFrameworkElements(db, ids))
  if (missing.size === 0) return
  const errors = ids.flatMap((id, i) => (missing.has(id) ? [{ in: where, pointer: `/frameworkElementIds/${i}`, detail: 'no such framework element' }] : []))
  throw new Problem(422, 'invalid-reference', `frameworkElementIds: ${errors.length} unknown framework element(s)`, { errors })
}

function assertValid(errors: FieldError[]) {
  if (errors.length) throw new Problem(422, 'unprocessable', errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; '), { errors })
}

export async function createProgramme(changes: ChangeSet, input: Create): Promise<ProgrammeView> {
  const set = columnsOf(input)
  const pick = <K extends keyof ProgrammeRow>(k: K) => (set[k] ?? null) as ProgrammeRow[K]
  assertValid(
    programmeErrors(
      {
        eligible_level_min: pick('eligible_level_min'),
        eligible_level_max: pick('eligible_level_max'),
        min_participants: pick('min_participants'),
        default_capacity: pick('default_capacity')
      },
      'body',
      '/eligibility'
    )
  )
  await assertOwner(changes.trx, input.ownerOrgUnitId)
  await assertFrameworkElements(changes.trx, input.frameworkElementIds)
  const row = await changes.trx
    .insertInto('programmes')
    .values({ ...(set as object), code: input.code, title: input.title, kind: input.kind as ProgrammeKind })
    .returning(PROGRAMME_COLUMNS)
    .executeTakeFirstOrThrow()
  const view = toProgramme(row)
  changes.record({ action: 'programme.created', entityType: 'programme', entityId: row.id, after: view })
  return view
}

async function lockCurrent(changes: ChangeSet, id: string, expected?: IfMatch): Promise<ProgrammeRecord> {
  const current = await lockProgramme(changes.trx, id)
  if (!current) throw notFound('programme', id)
  assertCurrentVersion(expected, current.version)
  return current
}

export async function updateProgramme(changes: ChangeSet, id: string, patch: Update, expected?: IfMatch): Promise<ProgrammeView> {
  const current = await lockCurrent(changes, id, expected)
  const set = columnsOf(patch)
  const next = { ...current, ...(set as Partial<ProgrammeRecord>) }
  assertValid(programmeErrors(next, 'body', '/eligibility'))
  if (patch.ownerOrgUnitId !== current.owner_org_unit_id) await assertOwner(changes.trx, patch.ownerOrgUnitId)
  await assertFrameworkElements(changes.trx, patch.frameworkElementIds)
  const changed = changedColumns(current, set as Partial<ProgrammeRecord>)
  if (Object.keys(changed).length === 0) return toProgramme(current)
  const row = await changes.trx
    .updateTable('programmes')
    .set({ ...(changed as object), version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returning(PROGRAMME_COLUMNS)
    .executeTakeFirstOrThrow()
  const view = toProgramme(row)
  changes.record({ action: 'programme.updated', entityType: 'programme', entityId: id, before: toProgramme(current), after: view })
  return view
}

/**
 * Moves a programme along PROGRAMME_TRANSITIONS, recorded as `programme.<status>` with the
 * previous status and the reason. `current` must be locked by the caller's transaction.
 */
export async function moveProgramme(changes: ChangeSet, current: ProgrammeRecord, to: ProgrammeStatus, reason: string | null): Promise<ProgrammeView> {
  assertTransition(PROGRAMME_TRANSITIONS, current.status, to, 'programme')
  const row = await changes.trx
    .updateTable('programmes')
    .set({ status: to, version: current.version + 1, updated_at: new Date() })
    .where('id', '=', current.id)
    .returning(PROGRAMME_COLUMNS)
    .executeTakeFirstOrThrow()
  const view = toProgramme(row)
  const after = { ...view, previousStatus: current.status, reason }
  changes.record({ action: `programme.${to}`, entityType: 'programme', entityId: current.id, before: toProgramme(current), after })
  return view
}

export async function transitionProgramme(changes: ChangeSet, id: string, to: ProgrammeStatus, reason: string | null, expected?: IfMatch): Promise<ProgrammeView> {
  const current = await lockCurrent(changes, id, expected)
  return moveProgramme(changes, current, to, reason)
}

/** Only a draft without cohorts: anything that ran (or was published) is retired instead. */
export async function deleteProgramme(changes: ChangeSet, id: string, expected?: IfMatch): Promise<void> {
  const current = await lockCurrent(changes, id, expected)
  if (current.status !== 'draft') {
    throw new Problem(409, 'programme-status', `the programme is ${current.status}; only a draft programme can be deleted (retire it instead)`)
  }
  const cohort = await changes.trx.selectFrom('cohorts').select('id').where('programme_id', '=', id).limit(1).executeTakeFirst()
  if (cohort) throw new Problem(409, 'still-referenced', 'the programme has cohorts; delete is only for a draft without cohorts')
  await changes.trx.deleteFrom('programmes').where('id', '=', id).execute()
  changes.record({ action: 'programme.deleted', entityType: 'programme', entityId: id, before: toProgramme(current), event: { id } })
}

