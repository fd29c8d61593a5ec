import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet, Trx } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { defineProblem, describeConstraint, notFound, Problem, type FieldError } from '../../platform/problems.js'
import type { Cohort, CohortCreate, CohortListQuery } from './cohorts.schemas.js'
import { lockProgramme, type ProgrammeRecord } from './programmes.repository.js'
import type { CohortsTable, CohortStatus, EnrolmentStatus } from './tables.js'

export type CohortRow = Selectable<CohortsTable>
export type CohortView = Static<typeof Cohort>

defineProblem('cohort-status', {
  status: 409,
  title: 'Cohort status does not allow this',
  description:
    'The cohort’s status rules the change out; `detail` names the rule. A cancelled cohort is final: its agenda and attendance no longer change. ' +
    'Nobody is selected or waitlisted for a completed or cancelled cohort. (Nominations to a cohort that is not open are `cohort-not-open`; a move of the cohort itself that its status does not allow is `illegal-transition`.)'
})
defineProblem('capacity-below-places-taken', {
  status: 409,
  title: 'Capacity below places taken',
  description: 'A cohort’s capacity cannot go below the number of places already taken (selected, attended, no-show and completed enrolments).'
})
defineProblem('session-outside-cohort', {
  status: 422,
  title: 'Session outside the cohort’s dates',
  description: 'Agenda sessions fall within the cohort’s start and end dates (compared in UTC); a cohort’s dates cannot move away from its sessions.'
})
describeConstraint('cohorts_external_id_key', 'a cohort with this externalId already exists')
describeConstraint('cohorts_dates', 'endsOn must not be before startsOn')
describeConstraint('cohorts_programme_id_fkey', 'the programme has cohorts, or the programme does not exist')

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

/** With `share`, inside a transaction: a FOR SHARE lock that waits out any move holding the cohort. */
export async function findCohort(db: Db | Trx, id: string, options: { share?: boolean } = {}): Promise<CohortRow> {
  const query = db.selectFrom('cohorts').selectAll().where('id', '=', id)
  const row = await (options.share ? query.forShare() : query).executeTakeFirst()
  if (!row) throw notFound('cohort', id)
  return row
}

/**
 * The cohort, locked (SELECT … FOR NO KEY UPDATE) until the transaction ends, after checking
 * If-Match when given. Every change to the cohort, its agenda and registers, and to who holds or
 * waits for one of its places takes this lock first, and before any lock on its enrolments (one
 * lock order, so no deadlocks): places are counted and given one change at a time, and a
 * cancellation serialises with them. Not FOR UPDATE: that would also block the foreign-key checks
 * of nominations and evaluations inserted for the cohort, and an evaluation holding its
 * enrolment's lock while it waits for the cohort would deadlock with a change holding the cohort
 * while it waits for the enrolment.
 */
export async function lockCohort(trx: Trx, id: string, expected?: IfMatch): Promise<CohortRow> {
  const row = await trx.selectFrom('cohorts').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst()
  if (!row) throw notFound('cohort', id)
  assertCurrentVersion(expected, row.version)
  return row
}

/** Several cohorts locked as lockCohort does, in id order (so two batches never wait on each other in a cycle). */
export async function lockCohorts(trx: Trx, ids: readonly string[]): Promise<CohortRow[]> {
  if (ids.length === 0) return []
  return trx.selectFrom('cohorts').selectAll().where('id', 'in', [...new Set(ids)]).orderBy('id').forNoKeyUpdate().execute()
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

export function assertValid(errors: FieldError[]) {
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

/** Statuses that take a place in a cohort. */
export const PLACE_STATUSES: readonly EnrolmentStatus[] = ['selected', 'attended', 'no_show', 'completed']

/** Places taken in the cohort: selected, attended, no-show and completed enrolments. */
export async function placesTaken(trx: Trx, cohortId: string): Promise<number> {
  const row = await trx
    .selectFrom('enrolments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cohort_id', '=', cohortId)
    .where('status', 'in', PLACE_STATUSES)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** The span a cohort's sessions must fall in: from the start of its first day to the end of its last, in UTC. */
export function cohortWindow(startsOn: string, endsOn: string): { from: Date; until: Date } {
  const until = new Date(`${endsOn}T00:00:00.000Z`)
  until.setUTCDate(until.getUTCDate() + 1)
  return { from: new Date(`${startsOn}T00:00:00.000Z`), until }
}

/** How many of the cohort's sessions would fall outside these dates. */
async function sessionsOutside(trx: Trx, cohortId: string, startsOn: string, endsOn: string): Promise<number> {
  const { from, until } = cohortWindow(startsOn, endsOn)
  const row = await trx
    .selectFrom('cohort_sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cohort_id', '=', cohortId)
    .where((eb) => eb.or([eb('starts_at', '<', from), eb('ends_at', '>', until)]))
    .executeTakeFirstOrThrow()
  return Number(row.n)
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
