import { sql, type Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet, Trx } from '../../platform/changes.js'
import { changedColumns } from '../../platform/patches.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type PageRequest, type SortAllowList } from '../../platform/pagination.js'
import { describeConstraint, notFound, Problem, type FieldError } from '../../platform/problems.js'
import { recomputeCohortAttendance } from './attendance.js'
import { cohortWindow, findCohort, lockCohort } from './cohorts.repository.js'
import type { CohortSession, CohortSessionCreate, CohortSessionUpdate } from './cohorts.schemas.js'
import type { CohortSessionsTable, CohortsTable } from './tables.js'

export type SessionRow = Selectable<CohortSessionsTable>
export type SessionView = Static<typeof CohortSession>

describeConstraint('cohort_sessions_external_id_key', 'a session with this externalId already exists')
describeConstraint('cohort_sessions_times', 'endsAt must be after startsAt')

const iso = (t: Date | string) => new Date(t).toISOString()

export const toSession = (r: SessionRow): SessionView => ({
  id: r.id,
  externalId: r.external_id,
  cohortId: r.cohort_id,
  startsAt: iso(r.starts_at),
  endsAt: iso(r.ends_at),
  title: r.title,
  purpose: r.purpose,
  method: r.method,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

const sorts: SortAllowList<SessionRow> = {
  startsAt: { columns: ['starts_at', 'id'], direction: 'asc', key: (r) => [iso(r.starts_at), r.id] }
}

/** Errors of a session's times against its cohort's dates; `prefix` points into an import row or a body. */
export function sessionErrors(cohort: Pick<Selectable<CohortsTable>, 'starts_on' | 'ends_on'>, startsAt: Date, endsAt: Date, where = 'body'): FieldError[] {
  const errors: FieldError[] = []
  const { from, until } = cohortWindow(cohort.starts_on, cohort.ends_on)
  if (startsAt >= endsAt) errors.push({ in: where, pointer: '/endsAt', detail: 'must be after startsAt' })
  if (startsAt < from || startsAt >= until) errors.push({ in: where, pointer: '/startsAt', detail: `must fall within the cohort’s dates, ${cohort.starts_on} – ${cohort.ends_on} (UTC)` })
  if (endsAt > until || endsAt <= from) errors.push({ in: where, pointer: '/endsAt', detail: `must fall within the cohort’s dates, ${cohort.starts_on} – ${cohort.ends_on} (UTC)` })
  return errors
}

export function assertSessionFits(cohort: Pick<Selectable<CohortsTable>, 'starts_on' | 'ends_on'>, startsAt: Date, endsAt: Date) {
  const errors = sessionErrors(cohort, startsAt, endsAt)
  if (errors.length === 0) return
  const outside = errors.some((e) => e.detail.startsWith('must fall within'))
  throw new Problem(422, outside ? 'session-outside-cohort' : 'unprocessable', errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; '), { errors })
}

/** The cohort, locked (lockCohort), refusing changes to the agenda of a cancelled one. */
async function lockAgenda(trx: Trx, cohortId: string) {
  const cohort = await lockCohort(trx, cohortId)
  if (cohort.status === 'cancelled') throw new Problem(409, 'cohort-status', 'the cohort is cancelled: its agenda no longer changes')
  return cohort
}

export async function listSessions(db: Db, cohortId: string, q: PageRequest): Promise<Page<SessionRow>> {
  await findCohort(db, cohortId)
  return keysetPage(db.selectFrom('cohort_sessions').selectAll().where('cohort_id', '=', cohortId), sorts, q, 'startsAt')
}

export async function findSession(db: Db, cohortId: string, sessionId: string): Promise<SessionRow> {
  const row = await db.selectFrom('cohort_sessions').selectAll().where('id', '=', sessionId).where('cohort_id', '=', cohortId).executeTakeFirst()
  if (!row) throw notFound(`session of cohort ${cohortId}`, sessionId)
  return row
}

export async function createSession(changes: ChangeSet, cohortId: string, input: Static<typeof CohortSessionCreate>): Promise<SessionView> {
  const cohort = await lockAgenda(changes.trx, cohortId)
  assertSessionFits(cohort, new Date(input.startsAt), new Date(input.endsAt))
  const row = await changes.trx
    .insertInto('cohort_sessions')
    .values({
      external_id: input.externalId ?? null,
      cohort_id: cohortId,
      starts_at: input.startsAt,
      ends_at: input.endsAt,
      title: input.title,
      purpose: input.purpose ?? null,
      method: input.method ?? null
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toSession(row)
  changes.record({ action: 'cohort-session.created', entityType: 'cohort-session', entityId: row.id, after: view })
  // One more session: whoever was at every session so far has now been at some.
  await recomputeCohortAttendance(changes, cohortId)
  return view
}

async function lockSession(trx: Trx, cohortId: string, sessionId: string, expected?: IfMatch): Promise<SessionRow> {
  const row = await trx.selectFrom('cohort_sessions').selectAll().where('id', '=', sessionId).where('cohort_id', '=', cohortId).forUpdate().executeTakeFirst()
  if (!row) throw notFound(`session of cohort ${cohortId}`, sessionId)
  assertCurrentVersion(expected, row.version)
  return row
}

export async function updateSession(changes: ChangeSet, cohortId: string, sessionId: string, patch: Static<typeof CohortSessionUpdate>, expected?: IfMatch): Promise<SessionView> {
  const cohort = await lockAgenda(changes.trx, cohortId)
  const current = await lockSession(changes.trx, cohortId, sessionId, expected)
  const startsAt = patch.startsAt ?? current.starts_at
  const endsAt = patch.endsAt ?? current.ends_at
  assertSessionFits(cohort, new Date(startsAt), new Date(endsAt))
  const changed = changedColumns(current, {
    external_id: patch.externalId,
    starts_at: patch.startsAt,
    ends_at: patch.endsAt,
    title: patch.title,
    purpose: patch.purpose,
    method: patch.method
  })
  if (Object.keys(changed).length === 0) return toSession(current)
  const row = await changes.trx
    .updateTable('cohort_sessions')
    .set({
      ...(changed as object),
      version: current.version + 1,
      updated_at: new Date()
    })
    .where('id', '=', sessionId)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toSession(row)
  changes.record({ action: 'cohort-session.updated', entityType: 'cohort-session', entityId: sessionId, before: toSession(current), after: view })
  return view
}

/** Deletes the session and its register; the attendance of the cohort's enrolments is computed again. */
export async function deleteSession(changes: ChangeSet, cohortId: string, sessionId: string, expected?: IfMatch): Promise<void> {
  await lockAgenda(changes.trx, cohortId)
  const current = await lockSession(changes.trx, cohortId, sessionId, expected)
  const register = await changes.trx.selectFrom('session_attendance').select(sql<number>`count(*)::int`.as('n')).where('session_id', '=', sessionId).executeTakeFirstOrThrow()
  await changes.trx.deleteFrom('cohort_sessions').where('id', '=', sessionId).execute()
  changes.record({
    action: 'cohort-session.deleted',
    entityType: 'cohort-session',
    entityId: sessionId,
    before: { ...toSession(current), attendanceRecords: register.n },
    event: { id: sessionId, cohortId }
  })
  await recomputeCohortAttendance(changes, cohortId)
}
