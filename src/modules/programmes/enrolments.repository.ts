import { sql, type Insertable, type Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { Trx } from '../../platform/changes.js'
import { keysetPage, type Page, type PageRequest, type SortAllowList } from '../../platform/pagination.js'
import { notFound } from '../../platform/problems.js'
import { findCohort, type CohortRow } from './cohorts.repository.js'
import type { Enrolment, EnrolmentTransition, PriorApplication } from './enrolments.schemas.js'
import type { EnrolmentStatus, EnrolmentsTable, EnrolmentTransitionsTable } from './tables.js'

export type EnrolmentRow = Selectable<EnrolmentsTable> & { waitlist_position: number | null }
export type EnrolmentView = Static<typeof Enrolment>
export type PriorApplicationView = Static<typeof PriorApplication>

/** Statuses that hold a person's time: two of them on cohorts whose dates overlap is a clash. */
export const LIVE_STATUSES: readonly EnrolmentStatus[] = ['nominated', 'manager_approved', 'approved', 'selected', 'waitlisted', 'attended']
/** Statuses after which the person may be nominated to the same cohort again (the partial unique index). */
export const ENDED_STATUSES: readonly EnrolmentStatus[] = ['declined', 'not_selected', 'withdrawn', 'cancelled']

const iso = (value: Date | string) => new Date(value).toISOString()

export const toEnrolment = (r: EnrolmentRow, prior?: PriorApplicationView[]): EnrolmentView => ({
  id: r.id,
  externalId: r.external_id,
  cohortId: r.cohort_id,
  personId: r.person_id,
  status: r.status,
  nominationSource: r.nomination_source,
  nominatedBy: r.nominated_by,
  nominationNote: r.nomination_note,
  eligibilityOverrideReason: r.eligibility_override_reason,
  firstApprover: r.first_approver,
  secondApprover: r.second_approver,
  outcomeReason: r.outcome_reason,
  waitlistedAt: r.waitlisted_at ? iso(r.waitlisted_at) : null,
  waitlistPosition: r.status === 'waitlisted' ? (r.waitlist_position ?? null) : null,
  attendance: r.attendance,
  ...(prior ? { priorUnsuccessful: prior } : {}),
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

export const toEnrolmentTransition = (r: Selectable<EnrolmentTransitionsTable>): Static<typeof EnrolmentTransition> => ({
  id: Number(r.id),
  enrolmentId: r.enrolment_id,
  fromStatus: r.from_status,
  toStatus: r.to_status,
  action: r.action,
  actor: r.actor,
  reason: r.reason,
  occurredAt: iso(r.occurred_at)
})

/** 1-based place in the cohort's waitlist (first waitlisted, first promoted), for waitlisted rows. */
const waitlistPosition = sql<number | null>`case when enrolments.status = 'waitlisted' then (
  select count(*)::int from enrolments w
  where w.cohort_id = enrolments.cohort_id and w.status = 'waitlisted' and (w.waitlisted_at, w.id) <= (enrolments.waitlisted_at, enrolments.id)
) end`.as('waitlist_position')

const selectEnrolments = (db: Db | Trx) => db.selectFrom('enrolments').selectAll('enrolments').select(waitlistPosition)

export async function findEnrolment(db: Db | Trx, id: string): Promise<EnrolmentRow> {
  const row = await selectEnrolments(db).where('enrolments.id', '=', id).executeTakeFirst()
  if (!row) throw notFound('enrolment', id)
  return row
}

/** The cohort an enrolment belongs to (it never changes), read before any lock is taken. */
export async function cohortOfEnrolment(db: Db | Trx, id: string): Promise<string> {
  const row = await db.selectFrom('enrolments').select('cohort_id').where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('enrolment', id)
  return row.cohort_id
}

export async function attendanceOf(db: Db | Trx, id: string) {
  return (await db.selectFrom('enrolments').select('attendance').where('id', '=', id).executeTakeFirstOrThrow()).attendance
}

/**
 * A person put forward for a cohort, with their grade level, locked so that the checks of two
 * nominations of the same person (duplicate, clash) run one after the other.
 */
export async function lockCandidate(trx: Trx, personId: string) {
  return trx
    .selectFrom('people')
    .leftJoin('grades', 'grades.id', 'people.grade_id')
    .select(['people.id', 'people.line_manager_id', 'people.staff_type', 'people.status', 'grades.level'])
    .where('people.id', '=', personId)
    .forNoKeyUpdate('people')
    .executeTakeFirst()
}

export async function insertNomination(trx: Trx, values: Omit<Insertable<EnrolmentsTable>, 'status'>): Promise<{ id: string }> {
  return trx.insertInto('enrolments').values({ ...values, status: 'nominated' }).returning('id').executeTakeFirstOrThrow()
}

/**
 * The enrolment, locked until the transaction ends. FOR NO KEY UPDATE is the lock an UPDATE of
 * non-key columns takes: it excludes other writers of the row, yet lets inserts that merely
 * reference it (attendance, evaluations, history rows) check their foreign key without waiting.
 */
export async function lockEnrolment(trx: Trx, id: string): Promise<Selectable<EnrolmentsTable>> {
  const row = await trx.selectFrom('enrolments').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst()
  if (!row) throw notFound('enrolment', id)
  return row
}

/** The cohort's enrolments in these statuses, locked as lockEnrolment does, in id order. */
export async function lockCohortEnrolments(trx: Trx, cohortId: string, statuses: readonly EnrolmentStatus[]): Promise<Array<Selectable<EnrolmentsTable>>> {
  return trx.selectFrom('enrolments').selectAll().where('cohort_id', '=', cohortId).where('status', 'in', statuses).orderBy('id').forNoKeyUpdate().execute()
}

/** A person as the access rules see them: who they are and who their line manager is. */
export async function findRelationship(db: Db | Trx, personId: string): Promise<{ id: string; line_manager_id: string | null }> {
  const person = await db.selectFrom('people').select(['id', 'line_manager_id']).where('id', '=', personId).executeTakeFirst()
  if (!person) throw notFound('person', personId)
  return person
}

/** The waitlisted enrolment next in line for a place, locked. */
export async function firstWaitlisted(trx: Trx, cohortId: string): Promise<Selectable<EnrolmentsTable> | undefined> {
  return trx
    .selectFrom('enrolments')
    .selectAll()
    .where('cohort_id', '=', cohortId)
    .where('status', '=', 'waitlisted')
    .orderBy('waitlisted_at')
    .orderBy('id')
    .limit(1)
    .forNoKeyUpdate()
    .executeTakeFirst()
}

/** The person's enrolment on the cohort that still blocks a new one (at most one: the partial unique index). */
export async function blockingEnrolment(trx: Trx, cohortId: string, personId: string) {
  return trx
    .selectFrom('enrolments')
    .select(['id', 'status'])
    .where('cohort_id', '=', cohortId)
    .where('person_id', '=', personId)
    .where('status', 'not in', ENDED_STATUSES)
    .executeTakeFirst()
}

/** The person's live enrolments on other cohorts whose dates overlap `cohort`'s (both ends inclusive). */
export async function clashingEnrolments(trx: Trx, personId: string, cohort: Pick<CohortRow, 'id' | 'starts_on' | 'ends_on'>) {
  return trx
    .selectFrom('enrolments as e')
    .innerJoin('cohorts as c', 'c.id', 'e.cohort_id')
    .select(['e.id as enrolmentId', 'c.id as cohortId', 'c.title as cohortTitle', 'c.starts_on as startsOn', 'c.ends_on as endsOn', 'e.status'])
    .where('e.person_id', '=', personId)
    .where('e.status', 'in', LIVE_STATUSES)
    .where('c.id', '!=', cohort.id)
    .where('c.starts_on', '<=', cohort.ends_on)
    .where('c.ends_on', '>=', cohort.starts_on)
    .orderBy('c.starts_on')
    .execute()
}

/** Whether any session attendance marks the enrolment present. */
export async function attendedAnySession(trx: Trx, enrolmentId: string): Promise<boolean> {
  const row = await trx.selectFrom('session_attendance').select('session_id').where('enrolment_id', '=', enrolmentId).where('present', '=', true).limit(1).executeTakeFirst()
  return row !== undefined
}

export async function insertTransition(
  trx: Trx,
  row: { enrolment_id: string; from_status: EnrolmentStatus | null; to_status: EnrolmentStatus; action: string; actor: string; reason: string | null }
) {
  return trx.insertInto('enrolment_transitions').values(row).returningAll().executeTakeFirstOrThrow()
}

// ---- Lists --------------------------------------------------------------------------------------

type ListRow = EnrolmentRow
const sorts: SortAllowList<ListRow> = {
  createdAt: { columns: ['enrolments.created_at', 'enrolments.id'], direction: 'asc', key: (r) => [r.created_at, r.id] },
  waitlistPosition: { columns: ['enrolments.waitlisted_at', 'enrolments.id'], direction: 'asc', key: (r) => [r.waitlisted_at, r.id] }
}

interface EnrolmentFilters extends PageRequest {
  status?: EnrolmentStatus[] | string[]
  personId?: string
  sort?: 'createdAt' | 'waitlistPosition'
}

export async function listCohortEnrolments(db: Db, cohortId: string, q: EnrolmentFilters): Promise<Page<ListRow>> {
  await findCohort(db, cohortId)
  let query = selectEnrolments(db).where('enrolments.cohort_id', '=', cohortId)
  if (q.status?.length) query = query.where('enrolments.status', 'in', q.status as EnrolmentStatus[])
  if (q.personId) query = query.where('enrolments.person_id', '=', q.personId)
  // The waitlist order has a key only for waitlisted enrolments.
  if (q.sort === 'waitlistPosition') query = query.where('enrolments.status', '=', 'waitlisted')
  return keysetPage(query, sorts, q, 'createdAt')
}

export async function listPersonEnrolments(db: Db, personId: string, q: EnrolmentFilters): Promise<Page<ListRow>> {
  let query = selectEnrolments(db).where('enrolments.person_id', '=', personId)
  if (q.status?.length) query = query.where('enrolments.status', 'in', q.status as EnrolmentStatus[])
  return keysetPage(query, sorts, { ...q, sort: 'createdAt' }, 'createdAt')
}

const transitionSorts: SortAllowList<Selectable<EnrolmentTransitionsTable>> = {
  occurredAt: { columns: ['id'], direction: 'asc', key: (r) => [Number(r.id)] }
}

export async function listEnrolmentTransitions(db: Db, enrolmentId: string, q: PageRequest) {
  return keysetPage(db.selectFrom('enrolment_transitions').selectAll().where('enrolment_id', '=', enrolmentId), transitionSorts, { ...q, sort: 'occurredAt' }, 'occurredAt')
}

/**
 * For each enrolment, the same person's declined and not-selected enrolments on cohorts of the
 * same programme (the selector weighs them), newest first. One query for a page of enrolments.
 */
export async function priorUnsuccessful(db: Db | Trx, rows: Array<Pick<EnrolmentRow, 'id' | 'person_id' | 'cohort_id'>>): Promise<Map<string, PriorApplicationView[]>> {
  const result = new Map<string, PriorApplicationView[]>(rows.map((r) => [r.id, []]))
  if (rows.length === 0) return result
  const programmeOf = new Map(
    (await db.selectFrom('cohorts').select(['id', 'programme_id']).where('id', 'in', [...new Set(rows.map((r) => r.cohort_id))]).execute()).map((c) => [c.id, c.programme_id])
  )
  const earlier = await db
    .selectFrom('enrolments as e')
    .innerJoin('cohorts as c', 'c.id', 'e.cohort_id')
    .select(['e.id', 'e.person_id', 'e.cohort_id', 'e.status', 'e.outcome_reason', 'e.updated_at', 'c.programme_id'])
    .where('e.person_id', 'in', [...new Set(rows.map((r) => r.person_id))])
    .where('c.programme_id', 'in', [...new Set(programmeOf.values())])
    .where('e.status', 'in', ['declined', 'not_selected'])
    .orderBy('e.updated_at', 'desc')
    .orderBy('e.id')
    .execute()
  for (const r of rows) {
    const programmeId = programmeOf.get(r.cohort_id)
    result.set(
      r.id,
      earlier
        .filter((e) => e.person_id === r.person_id && e.programme_id === programmeId && e.id !== r.id)
        .map((e) => ({ enrolmentId: e.id, cohortId: e.cohort_id, status: e.status as 'declined' | 'not_selected', reason: e.outcome_reason, at: iso(e.updated_at) }))
    )
  }
  return result
}
