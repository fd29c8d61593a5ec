import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet, Trx } from '../../platform/changes.js'
import { defineProblem, notFound, Problem, type FieldError } from '../../platform/problems.js'
import { lockCohort } from './cohorts.repository.js'
import type { AttendanceEntry, SessionAttendance } from './cohorts.schemas.js'
import type { Attendance, EnrolmentStatus } from './tables.js'

defineProblem('not-a-participant', {
  status: 422,
  title: 'Not a participant of this cohort',
  description:
    'Attendance is recorded only for enrolments of the session’s own cohort that are selected, attended, no_show or completed; `errors` points at each refused entry.'
})

/** Enrolments whose attendance is recorded: those given a place (and what became of them). */
export const ATTENDING_STATUSES: readonly EnrolmentStatus[] = ['selected', 'attended', 'no_show', 'completed']

export interface AttendanceChange {
  enrolmentId: string
  cohortId: string
  personId: string
  from: Attendance
  to: Attendance
}

/**
 * Sets each enrolment's `attendance` from the registers of its cohort's sessions: `full` when
 * present at every session, `partial` when at some, `none` when at none. An enrolment of a cohort
 * without sessions is left as it is (there is nothing to compute from). A changed enrolment gets a
 * new version (its ETag changes); with `changes`, each change is also audited and published as
 * `enrolment.attendance-changed`. Returns the changes. Call it before reading back a row you return.
 */
export async function recomputeAttendance(trx: Trx, enrolmentIds: readonly string[], changes?: ChangeSet): Promise<AttendanceChange[]> {
  const ids = [...new Set(enrolmentIds)].sort()
  if (ids.length === 0) return []
  // Locked first (as lockEnrolment does), so the counts below are read after any concurrent register change commits.
  await trx.selectFrom('enrolments').select('id').where('id', 'in', ids).orderBy('id').forNoKeyUpdate().execute()
  const rows = await trx
    .selectFrom('enrolments as e')
    .select([
      'e.id',
      'e.cohort_id',
      'e.person_id',
      'e.attendance',
      'e.version',
      sql<number>`(select count(*)::int from cohort_sessions s where s.cohort_id = e.cohort_id)`.as('sessions'),
      sql<number>`(select count(*)::int from session_attendance a join cohort_sessions s on s.id = a.session_id
                   where a.enrolment_id = e.id and s.cohort_id = e.cohort_id and a.present)`.as('present')
    ])
    .where('e.id', 'in', ids)
    .execute()
  const result: AttendanceChange[] = []
  for (const r of rows) {
    if (r.sessions === 0) continue
    const to: Attendance = r.present === 0 ? 'none' : r.present >= r.sessions ? 'full' : 'partial'
    if (to === r.attendance) continue
    await trx.updateTable('enrolments').set({ attendance: to, version: r.version + 1, updated_at: new Date() }).where('id', '=', r.id).execute()
    const change = { enrolmentId: r.id, cohortId: r.cohort_id, personId: r.person_id, from: r.attendance, to }
    result.push(change)
    changes?.record({
      action: 'enrolment.attendance-changed',
      entityType: 'enrolment',
      entityId: r.id,
      before: { attendance: r.attendance, version: r.version },
      after: { attendance: to, version: r.version + 1 },
      event: { id: r.id, cohortId: r.cohort_id, personId: r.person_id, attendance: to, previousAttendance: r.attendance }
    })
  }
  return result
}

/** Recomputes every enrolment of the cohort that has attendance recorded or computed (after its agenda changes). */
export async function recomputeCohortAttendance(changes: ChangeSet, cohortId: string): Promise<AttendanceChange[]> {
  const rows = await changes.trx
    .selectFrom('enrolments as e')
    .select('e.id')
    .where('e.cohort_id', '=', cohortId)
    .where((eb) =>
      eb.or([
        eb('e.attendance', '!=', 'none'),
        eb.exists(eb.selectFrom('session_attendance as a').select('a.session_id').whereRef('a.enrolment_id', '=', 'e.id'))
      ])
    )
    .execute()
  return recomputeAttendance(changes.trx, rows.map((r) => r.id), changes)
}

type Register = Static<typeof SessionAttendance>
type Entry = Static<typeof AttendanceEntry>

async function registerEntries(db: Db | Trx, sessionId: string): Promise<Register['entries']> {
  const rows = await db
    .selectFrom('session_attendance as a')
    .innerJoin('enrolments as e', 'e.id', 'a.enrolment_id')
    .innerJoin('people as p', 'p.id', 'e.person_id')
    .select(['a.enrolment_id', 'e.person_id', 'a.present', 'a.minutes_attended', 'a.note', 'a.recorded_by', 'a.recorded_at'])
    .where('a.session_id', '=', sessionId)
    .orderBy('p.family_name')
    .orderBy('p.given_name')
    .orderBy('a.enrolment_id')
    .execute()
  return rows.map((r) => ({
    enrolmentId: r.enrolment_id,
    personId: r.person_id,
    present: r.present,
    minutesAttended: r.minutes_attended,
    note: r.note,
    recordedBy: r.recorded_by,
    recordedAt: new Date(r.recorded_at).toISOString()
  }))
}

async function readRegister(db: Db | Trx, cohortId: string, sessionId: string): Promise<Register> {
  return { sessionId, cohortId, entries: await registerEntries(db, sessionId) }
}

/** A register as the audit trail and the change feed carry it: each entry without who recorded it and when. */
type RegisterBrief = Array<Pick<Entry, 'enrolmentId' | 'present'> & { minutesAttended: number | null; note: string | null }>

const briefOf = (entries: Register['entries']): RegisterBrief => entries.map(({ enrolmentId, present, minutesAttended, note }) => ({ enrolmentId, present, minutesAttended, note }))

/** A session's register as the audit trail and the change feed carry it. */
export async function registerBrief(db: Db | Trx, sessionId: string): Promise<RegisterBrief> {
  return briefOf(await registerEntries(db, sessionId))
}

/**
 * Records a change of one session's register, audited and published as `session-attendance.recorded`:
 * the register operation and the attendance sheet import both record it this way.
 */
export function recordRegister(changes: ChangeSet, cohortId: string, sessionId: string, before: RegisterBrief, after: RegisterBrief) {
  changes.record({ action: 'session-attendance.recorded', entityType: 'cohort-session', entityId: sessionId, before, after, event: { sessionId, cohortId, entries: after } })
}

/** The session of the cohort (locked FOR UPDATE with `lock`), or a 404. */
async function sessionOf(db: Db | Trx, cohortId: string, sessionId: string, lock = false) {
  let q = db.selectFrom('cohort_sessions').select(['id', 'starts_at', 'ends_at']).where('id', '=', sessionId).where('cohort_id', '=', cohortId)
  if (lock) q = q.forUpdate()
  const session = await q.executeTakeFirst()
  if (!session) throw notFound(`session of cohort ${cohortId}`, sessionId)
  return session
}

export async function getRegister(db: Db, cohortId: string, sessionId: string): Promise<Register> {
  await sessionOf(db, cohortId, sessionId)
  return readRegister(db, cohortId, sessionId)
}

/** Why each entry cannot stand: listed twice, not an enrolment of this cohort with a place, longer than the session. */
async function entryErrors(trx: Trx, cohortId: string, minutesLong: number, entries: Entry[]): Promise<{ refused: FieldError[]; invalid: FieldError[] }> {
  const ids = [...new Set(entries.map((e) => e.enrolmentId))]
  const enrolments = new Map(
    ids.length ? (await trx.selectFrom('enrolments').select(['id', 'cohort_id', 'status']).where('id', 'in', ids).execute()).map((e) => [e.id, e]) : []
  )
  const refused: FieldError[] = []
  const invalid: FieldError[] = []
  const seen = new Set<string>()
  entries.forEach((entry, i) => {
    const pointer = `/entries/${i}`
    if (seen.has(entry.enrolmentId)) invalid.push({ in: 'body', pointer: `${pointer}/enrolmentId`, detail: 'is listed more than once' })
    seen.add(entry.enrolmentId)
    const enrolment = enrolments.get(entry.enrolmentId)
    if (!enrolment) refused.push({ in: 'body', pointer: `${pointer}/enrolmentId`, detail: 'no such enrolment' })
    else if (enrolment.cohort_id !== cohortId) refused.push({ in: 'body', pointer: `${pointer}/enrolmentId`, detail: 'is an enrolment of another cohort' })
    else if (!ATTENDING_STATUSES.includes(enrolment.status)) {
      refused.push({ in: 'body', pointer: `${pointer}/enrolmentId`, detail: `is ${enrolment.status}; attendance is for enrolments ${ATTENDING_STATUSES.join(', ')}` })
    }
    if (entry.minutesAttended != null && entry.minutesAttended > minutesLong) {
      invalid.push({ in: 'body', pointer: `${pointer}/minutesAttended`, detail: `must not exceed the session’s ${minutesLong} minutes` })
    }
  })
  return { refused, invalid }
}

const summary = (errors: FieldError[]) => errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; ')

/**
 * Replaces the register of one session: listed enrolments get the entry given, enrolments left
 * out lose theirs. Entries that did not change keep who recorded them and when. The attendance of
 * every enrolment concerned is computed again. Nothing changed: nothing is written or recorded.
 */
export async function putRegister(changes: ChangeSet, cohortId: string, sessionId: string, entries: Entry[]): Promise<Register> {
  const { trx, actor } = changes
  // The cohort, then the session: the order every agenda change takes them, so a register and a cancellation serialise.
  const cohort = await lockCohort(trx, cohortId)
  const session = await sessionOf(trx, cohortId, sessionId, true)
  if (cohort.status === 'cancelled') throw new Problem(409, 'cohort-status', 'the cohort is cancelled: its attendance no longer changes')
  const minutesLong = Math.round((new Date(session.ends_at).getTime() - new Date(session.starts_at).getTime()) / 60000)
  const { refused, invalid } = await entryErrors(trx, cohortId, minutesLong, entries)
  if (refused.length) throw new Problem(422, 'not-a-participant', summary(refused), { errors: [...refused, ...invalid] })
  if (invalid.length) throw new Problem(422, 'unprocessable', summary(invalid), { errors: invalid })

  const before = await readRegister(trx, cohortId, sessionId)
  const previous = new Map(before.entries.map((e) => [e.enrolmentId, e]))
  const listed = new Set(entries.map((e) => e.enrolmentId))
  const removed = before.entries.filter((e) => !listed.has(e.enrolmentId)).map((e) => e.enrolmentId)
  const written = entries.filter((e) => {
    const old = previous.get(e.enrolmentId)
    return !old || old.present !== e.present || old.minutesAttended !== (e.minutesAttended ?? null) || old.note !== (e.note ?? null)
  })
  if (removed.length === 0 && written.length === 0) return before

  if (removed.length) await trx.deleteFrom('session_attendance').where('session_id', '=', sessionId).where('enrolment_id', 'in', removed).execute()
  if (written.length) {
    await trx
      .insertInto('session_attendance')
      .values(
        written.map((e) => ({
          session_id: sessionId,
          enrolment_id: e.enrolmentId,
          present: e.present,
          minutes_attended: e.minutesAttended ?? null,
          note: e.note ?? null,
          recorded_by: actor.subject,
          recorded_at: new Date()
        }))
      )
      .onConflict((oc) =>
        oc.columns(['session_id', 'enrolment_id']).doUpdateSet((eb) => ({
          present: eb.ref('excluded.present'),
          minutes_attended: eb.ref('excluded.minutes_attended'),
          note: eb.ref('excluded.note'),
          recorded_by: eb.ref('excluded.recorded_by'),
          recorded_at: eb.ref('excluded.recorded_at')
        }))
      )
      .execute()
  }
  const after = await readRegister(trx, cohortId, sessionId)
  recordRegister(changes, cohortId, sessionId, briefOf(before.entries), briefOf(after.entries))
  await recomputeAttendance(trx, [...written.map((e) => e.enrolmentId), ...removed], changes)
  return after
}
