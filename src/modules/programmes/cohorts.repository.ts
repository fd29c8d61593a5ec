import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet, Trx } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { defineProblem, describeConstraint, notFound, Problem, type FieldError } from '../../platform/problems.js'
import type { Cohort, CohortCreate, CohortListQuery, CohortUpdate } from './cohorts.schemas.js'
import { placesTaken, toEnrolment } from './enrolments.repository.js'
import { LIVE_PROGRAMME_STATUSES, lockProgramme, type ProgrammeRecord } from './programmes.repository.js'
import { sessionsOutside } from './sessions.repository.js'
import type { CohortsTable, CohortStatus, EnrolmentStatus } from './tables.js'
import { allowedMoves, assertTransition, refuseTransition, type TransitionTable } from './transitions.js'

export type CohortRow = Selectable<CohortsTable>
export type CohortView = Static<typeof Cohort>

defineProblem('cohort-status', {
  status: 409,
  title: 'Cohort status does not allow this',
  description: 'A cancelled cohort is final: its agenda and attendance no longer change.'
})
defineProblem('capacity-below-places-taken', {
  status: 409,
  title: 'Capacity below places taken',
  description: 'A cohort’s capacity cannot go below the number of places already taken (selected, attended and completed enrolments).'
})
defineProblem('session-outside-cohort', {
  status: 422,
  title: 'Session outside the cohort’s dates',
  description: 'Agenda sessions fall within the cohort’s start and end dates (compared in UTC); a cohort’s dates cannot move away from its sessions.'
})
describeConstraint('cohorts_external_id_key', 'a cohort with this externalId already exists')
describeConstraint('cohorts_dates', 'endsOn must not be before startsOn')
describeConstraint('cohorts_programme_id_fkey', 'the programme has cohorts, or the programme does not exist')

/**
 * planned → open → closed → running → completed; planned, open, closed, running → cancelled;
 * open → planned (withdrawn before anyone is nominated); closed → open (reopened).
 */
export const COHORT_TRANSITIONS: TransitionTable<CohortStatus> = {
  planned: ['open', 'cancelled'],
  open: ['planned', 'closed', 'cancelled'],
  closed: ['open', 'running', 'cancelled'],
  running: ['completed', 'cancelled'],
  completed: [],
  cancelled: []
}

/** Enrolments still in play, cancelled with their cohort. Attended and ended ones keep their status. */
export const CANCELLED_WITH_COHORT: readonly EnrolmentStatus[] = ['nominated', 'manager_approved', 'approved', 'selected', 'waitlisted']

const iso = (t: Date | string) => new Date(t).toISOString()

export const toCohort = (r: CohortRow): CohortView => ({
  id: r.id,
  externalId: r.external_id,
  programmeId: r.programme_id,
  title: r.title,
  stream: r.stream,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  venue: r.venue,
  capacity: r.capacity,
  cost: r.cost,
  facilitators: r.facilitators,
  nominationsCloseOn: r.nominations_close_on,
  status: r.status,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

const sorts: SortAllowList<CohortRow> = {
  startsOn: { columns: ['starts_on', 'id'], direction: 'asc', key: (r) => [r.starts_on, r.id] },
  createdAt: { columns: ['created_at', 'id'], direction: 'asc', key: (r) => [r.created_at, r.id] }
}

export async function findCohort(db: Db, id: string): Promise<CohortRow> {
  const row = await db.selectFrom('cohorts').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('cohort', id)
  return row
}

export async function lockCohortRow(trx: Trx, id: string, expected?: IfMatch): Promise<CohortRow> {
  const row = await trx.selectFrom('cohorts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!row) throw notFound('cohort', id)
  assertCurrentVersion(expected, row.version)
  return row
}

export async function listCohorts(db: Db, q: Static<typeof CohortListQuery>): Promise<Page<CohortRow>> {
  let query = db.selectFrom('cohorts').selectAll()
  if (q.programmeId) query = query.where('programme_id', '=', q.programmeId)
  if (q.status) query = query.where('status', '=', q.status as CohortStatus)
  if (q.stream) query = query.where('stream', '=', q.stream)
  if (q.externalId) query = query.where('external_id', '=', q.externalId)
  if (q.from) query = query.where('ends_on', '>=', q.from)
  if (q.to) query = query.where('starts_on', '<=', q.to)
  return keysetPage(query, sorts, q, 'startsOn')
}

/** A programme takes new cohorts unless retired; they open only while it is a pilot or active. */
function assertProgrammeTakesCohorts(programme: ProgrammeRecord) {
  if (programme.status === 'retired') {
    throw new Problem(409, 'programme-status', `${programme.title} is retired: it takes no new cohorts`)
  }
}

function assertProgrammeLive(programme: ProgrammeRecord) {
  if (!LIVE_PROGRAMME_STATUSES.includes(programme.status)) {
    throw new Problem(409, 'programme-status', `${programme.title} is ${programme.status}: its cohorts open only while it is a pilot or active`)
  }
}

type Dates = Pick<CohortRow, 'starts_on' | 'ends_on' | 'nominations_close_on'>

/** Field rules on the cohort as it would be after the change. */
export function cohortErrors(next: Dates, where = 'body'): FieldError[] {
  const errors: FieldError[] = []
  if (next.starts_on > next.ends_on) errors.push({ in: where, pointer: '/endsOn', detail: `must not be before startsOn (${next.starts_on})` })
  if (next.nominations_close_on && next.nominations_close_on > next.starts_on) {
    errors.push({ in: where, pointer: '/nominationsCloseOn', detail: `must not be after startsOn (${next.starts_on})` })
  }
  return errors
}

function assertValid(errors: FieldError[]) {
  if (errors.length) throw new Problem(422, 'unprocessable', errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; '), { errors })
}

/** Capacity and cost not given come from the programme; a cohort without either capacity is refused. */
export function cohortDefaults(programme: ProgrammeRecord, input: { title?: string | null; startsOn: string; capacity?: number | null; cost?: number | null }, where = 'body') {
  const capacity = input.capacity ?? programme.default_capacity
  if (capacity === null) {
    throw new Problem(422, 'unprocessable', 'capacity is required: the programme has no defaultCapacity', {
      errors: [{ in: where, pointer: '/capacity', detail: 'is required: the programme has no defaultCapacity' }]
    })
  }
  return {
    title: input.title ?? `${programme.title}, ${input.startsOn}`,
    capacity,
    cost: input.cost === undefined ? programme.cost_per_event : input.cost
  }
}

export async function createCohort(changes: ChangeSet, input: Static<typeof CohortCreate>): Promise<CohortView> {
  const programme = await lockProgramme(changes.trx, input.programmeId)
  if (!programme) {
    throw new Problem(422, 'invalid-reference', 'programmeId: no such programme', { errors: [{ in: 'body', pointer: '/programmeId', detail: 'no such programme' }] })
  }
  assertProgrammeTakesCohorts(programme)
  assertValid(cohortErrors({ starts_on: input.startsOn, ends_on: input.endsOn, nominations_close_on: input.nominationsCloseOn ?? null }))
  const defaults = cohortDefaults(programme, input)
  const row = await changes.trx
    .insertInto('cohorts')
    .values({
      external_id: input.externalId ?? null,
      programme_id: programme.id,
      title: defaults.title,
      stream: input.stream ?? null,
      starts_on: input.startsOn,
      ends_on: input.endsOn,
      venue: input.venue ?? null,
      capacity: defaults.capacity,
      cost: defaults.cost,
      facilitators: input.facilitators ?? [],
      nominations_close_on: input.nominationsCloseOn ?? null
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toCohort(row)
  changes.record({ action: 'cohort.created', entityType: 'cohort', entityId: row.id, after: view })
  return view
}

/**
 * Checks a change of dates and capacity against what the cohort already holds: its sessions stay
 * within its dates, and its capacity covers the places taken.
 */
export async function assertCohortHolds(trx: Trx, current: CohortRow, next: Pick<CohortRow, 'starts_on' | 'ends_on' | 'capacity'>, where = 'body') {
  if (next.starts_on !== current.starts_on || next.ends_on !== current.ends_on) {
    const outside = await sessionsOutside(trx, current.id, next.starts_on, next.ends_on)
    if (outside > 0) {
      throw new Problem(422, 'session-outside-cohort', `${outside} agenda session(s) would fall outside ${next.starts_on} – ${next.ends_on}; move them first`, {
        errors: [{ in: where, pointer: next.starts_on !== current.starts_on ? '/startsOn' : '/endsOn', detail: 'would leave agenda sessions outside the cohort’s dates' }]
      })
    }
  }
  if (next.capacity < current.capacity) {
    const taken = await placesTaken(trx, current.id)
    if (next.capacity < taken) {
      throw new Problem(409, 'capacity-below-places-taken', `${taken} places are taken; capacity cannot go below that`, {
        errors: [{ in: where, pointer: '/capacity', detail: `must be at least ${taken}, the places taken` }]
      })
    }
  }
}

export async function updateCohort(changes: ChangeSet, id: string, patch: Static<typeof CohortUpdate>, expected?: IfMatch): Promise<CohortView> {
  const current = await lockCohortRow(changes.trx, id, expected)
  const set: Partial<Record<keyof CohortsTable, unknown>> = {}
  const fields: Array<[keyof typeof patch, keyof CohortsTable]> = [
    ['externalId', 'external_id'], ['title', 'title'], ['stream', 'stream'], ['startsOn', 'starts_on'], ['endsOn', 'ends_on'],
    ['venue', 'venue'], ['capacity', 'capacity'], ['cost', 'cost'], ['facilitators', 'facilitators'], ['nominationsCloseOn', 'nominations_close_on']
  ]
  for (const [field, column] of fields) if (patch[field] !== undefined) set[column] = patch[field]
  const next = { ...current, ...(set as Partial<CohortRow>) }
  assertValid(cohortErrors(next))
  await assertCohortHolds(changes.trx, current, next)
  const row = await changes.trx
    .updateTable('cohorts')
    .set({ ...(set as object), version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toCohort(row)
  changes.record({ action: 'cohort.updated', entityType: 'cohort', entityId: id, before: toCohort(current), after: view })
  return view
}

/**
 * Cancels the cohort's enrolments still in play, each with its transition record and an
 * `enrolment.cancelled` event, in the caller's transaction. Returns how many.
 */
async function cancelLiveEnrolments(changes: ChangeSet, cohortId: string, reason: string | null): Promise<number> {
  const { trx, actor } = changes
  const live = await trx
    .selectFrom('enrolments')
    .selectAll()
    .where('cohort_id', '=', cohortId)
    .where('status', 'in', CANCELLED_WITH_COHORT)
    .orderBy('id')
    .forUpdate()
    .execute()
  const why = reason ?? 'the cohort was cancelled'
  for (const before of live) {
    const after = await trx
      .updateTable('enrolments')
      .set({ status: 'cancelled', outcome_reason: why, version: before.version + 1, updated_at: new Date() })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await trx
      .insertInto('enrolment_transitions')
      .values({ enrolment_id: before.id, from_status: before.status, to_status: 'cancelled', action: 'cohort-cancelled', actor: actor.subject, reason: why })
      .execute()
    changes.record({
      action: 'enrolment.cancelled',
      entityType: 'enrolment',
      entityId: before.id,
      before: toEnrolment({ ...before, waitlist_position: null }),
      after: toEnrolment({ ...after, waitlist_position: null })
    })
  }
  return live.length
}

/**
 * Moves a locked cohort along COHORT_TRANSITIONS, recorded as `cohort.<status>` with the previous
 * status and the reason. Opening needs a pilot or active programme; going back to planned needs
 * no enrolments in play; cancelling cancels those enrolments too.
 */
export async function moveCohort(changes: ChangeSet, current: CohortRow, to: CohortStatus, reason: string | null): Promise<CohortView> {
  const { trx } = changes
  assertTransition(COHORT_TRANSITIONS, current.status, to, 'cohort')
  if (to === 'open') {
    const programme = await lockProgramme(trx, current.programme_id)
    assertProgrammeLive(programme!)
  }
  if (to === 'planned') {
    const live = await trx.selectFrom('enrolments').select('id').where('cohort_id', '=', current.id).where('status', 'in', CANCELLED_WITH_COHORT).limit(1).executeTakeFirst()
    if (live) {
      throw refuseTransition(current.status, to, allowedMoves(COHORT_TRANSITIONS, current.status), 'an open cohort with nominations in play cannot go back to planned; close or cancel it instead')
    }
  }
  const cancelled = to === 'cancelled' ? await cancelLiveEnrolments(changes, current.id, reason) : 0
  const row = await trx
    .updateTable('cohorts')
    .set({ status: to, version: current.version + 1, updated_at: new Date() })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toCohort(row)
  const after = { ...view, previousStatus: current.status, reason, ...(to === 'cancelled' ? { enrolmentsCancelled: cancelled } : {}) }
  changes.record({ action: `cohort.${to}`, entityType: 'cohort', entityId: current.id, before: toCohort(current), after })
  return view
}

export async function transitionCohort(changes: ChangeSet, id: string, to: CohortStatus, reason: string | null, expected?: IfMatch): Promise<CohortView> {
  const current = await lockCohortRow(changes.trx, id, expected)
  return moveCohort(changes, current, to, reason)
}

