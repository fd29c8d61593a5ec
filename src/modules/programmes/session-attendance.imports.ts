import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { Trx } from '../../platform/changes.js'
import type { ImportSpec, RowResult } from '../../platform/bulk/spec.js'
import type { FieldError } from '../../platform/problems.js'
import { ATTENDING_STATUSES, recomputeAttendance, recordRegister, registerBrief } from './attendance.js'
import { lockCohorts } from './cohorts.repository.js'
import { ENDED_STATUSES } from './enrolments.repository.js'
import { SessionAttendanceImportRow } from './enrolments.schemas.js'
import { failed, idsByExternalId, rowError } from '../../platform/bulk/rows.js'
import { PROGRAMMES_READ, PROGRAMMES_WRITE } from './scopes.js'

const iso = (value: Date | string) => new Date(value).toISOString()

type AttendanceRowIn = Static<typeof SessionAttendanceImportRow>

interface SessionRef {
  id: string
  cohort_id: string
  cohort_status: string
  minutes: number
}

const sessionColumns = ['s.id', 's.cohort_id', 's.starts_at', 's.ends_at', 's.external_id', 'c.external_id as cohort_external_id', 'c.status as cohort_status'] as const

async function sessionsOf(trx: Trx, batch: AttendanceRowIn[]) {
  const byExternalId = new Map<string, SessionRef>()
  const byCohortAndStart = new Map<string, SessionRef>()
  const ref = (s: { id: string; cohort_id: string; cohort_status: string; starts_at: Date | string; ends_at: Date | string }): SessionRef => ({
    id: s.id,
    cohort_id: s.cohort_id,
    cohort_status: s.cohort_status,
    minutes: Math.round((new Date(s.ends_at).getTime() - new Date(s.starts_at).getTime()) / 60000)
  })
  const sessions = trx.selectFrom('cohort_sessions as s').innerJoin('cohorts as c', 'c.id', 's.cohort_id').select(sessionColumns)
  const externalIds = [...new Set(batch.map((r) => r.sessionExternalId).filter((x): x is string => !!x))]
  if (externalIds.length) {
    for (const s of await sessions.where('s.external_id', 'in', externalIds).execute()) byExternalId.set(s.external_id!, ref(s))
  }
  const cohortExternalIds = [...new Set(batch.filter((r) => !r.sessionExternalId && r.cohortExternalId).map((r) => r.cohortExternalId!))]
  if (cohortExternalIds.length) {
    for (const s of await sessions.where('c.external_id', 'in', cohortExternalIds).execute()) byCohortAndStart.set(`${s.cohort_external_id}\u0000${iso(s.starts_at)}`, ref(s))
  }
  // Their cohorts are locked, as the register operation locks its cohort, so a sheet and a
  // cancellation serialise; the cohorts' status is read under the lock.
  const found = [...byExternalId.values(), ...byCohortAndStart.values()]
  const statuses = new Map((await lockCohorts(trx, found.map((s) => s.cohort_id))).map((c) => [c.id, c.status]))
  for (const session of found) session.cohort_status = statuses.get(session.cohort_id) ?? session.cohort_status
  return (row: AttendanceRowIn): SessionRef | FieldError => {
    if (row.sessionExternalId) return byExternalId.get(row.sessionExternalId) ?? rowError('/sessionExternalId', `no session with externalId ${row.sessionExternalId}`)
    if (!row.cohortExternalId || !row.sessionStartsAt) return rowError('/sessionExternalId', 'name the session by sessionExternalId, or by cohortExternalId and sessionStartsAt')
    const found = byCohortAndStart.get(`${row.cohortExternalId}\u0000${iso(row.sessionStartsAt)}`)
    return found ?? rowError('/sessionStartsAt', `cohort ${row.cohortExternalId} has no session starting at ${row.sessionStartsAt}`)
  }
}

/**
 * An attendance sheet: one line per session and participant, upserted by session and person. Each
 * session whose register the batch changed is audited and published as `session-attendance.recorded`
 * (as the register operation does), and the attendance level (none, partial, full) of the
 * enrolments concerned is computed again. Moving an enrolment to attended stays an explicit transition.
 */
export const sessionAttendanceImport: ImportSpec<AttendanceRowIn> = {
  resource: 'session-attendance',
  operationName: 'SessionAttendance',
  tag: 'programmes',
  writeScope: PROGRAMMES_WRITE,
  readScope: PROGRAMMES_READ,
  rowSchema: SessionAttendanceImportRow,
  columns: ['externalId', 'sessionExternalId', 'cohortExternalId', 'sessionStartsAt', 'personExternalId', 'present', 'minutesAttended', 'note'],
  async upsertBatch(batch, { trx, changes }) {
    const rows = batch.map((b) => b.row)
    const sessionOf = await sessionsOf(trx, rows)
    const people = await idsByExternalId(trx, 'people', rows.map((r) => r.personExternalId))
    const results: RowResult[] = []
    const touched = new Set<string>()
    /** The register of each session before this batch changed it. */
    const registers = new Map<string, { cohortId: string; before: Awaited<ReturnType<typeof registerBrief>> }>()
    for (const row of rows) {
      const session = sessionOf(row)
      const personId = people.get(row.personExternalId)
      const errors: FieldError[] = []
      if ('pointer' in session) errors.push(session)
      else if (session.cohort_status === 'cancelled') errors.push(rowError('/sessionExternalId', 'the cohort is cancelled: its attendance no longer changes'))
      else if (row.minutesAttended != null && row.minutesAttended > session.minutes) {
        errors.push(rowError('/minutesAttended', `must not exceed the session’s ${session.minutes} minutes`))
      }
      if (!personId) errors.push(rowError('/personExternalId', `no person with externalId ${row.personExternalId}`))
      if (errors.length || 'pointer' in session) {
        results.push(failed(errors))
        continue
      }
      const enrolment = await trx
        .selectFrom('enrolments')
        .select(['id', 'status'])
        .where('cohort_id', '=', session.cohort_id)
        .where('person_id', '=', personId!)
        .where('status', 'not in', ENDED_STATUSES)
        .executeTakeFirst()
      if (!enrolment || !ATTENDING_STATUSES.includes(enrolment.status)) {
        const why = enrolment ? `their enrolment on the session’s cohort is ${enrolment.status}` : 'they have no enrolment on the session’s cohort'
        results.push(failed([rowError('/personExternalId', `attendance is for enrolments ${ATTENDING_STATUSES.join(', ')}; ${why}`)]))
        continue
      }
      const desired = { present: row.present, minutes_attended: row.minutesAttended ?? null, note: row.note ?? null }
      const current = await trx.selectFrom('session_attendance').selectAll().where('session_id', '=', session.id).where('enrolment_id', '=', enrolment.id).executeTakeFirst()
      if (current && current.present === desired.present && current.minutes_attended === desired.minutes_attended && current.note === desired.note) {
        results.push({ outcome: 'unchanged' })
        continue
      }
      if (!registers.has(session.id)) registers.set(session.id, { cohortId: session.cohort_id, before: await registerBrief(trx, session.id) })
      await trx
        .insertInto('session_attendance')
        .values({ session_id: session.id, enrolment_id: enrolment.id, ...desired, recorded_by: changes.actor.subject, recorded_at: new Date() })
        .onConflict((oc) => oc.columns(['session_id', 'enrolment_id']).doUpdateSet({ ...desired, recorded_by: changes.actor.subject, recorded_at: new Date() }))
        .execute()
      touched.add(enrolment.id)
      results.push({ outcome: current ? 'updated' : 'created' })
    }
    for (const [sessionId, { cohortId, before }] of registers) recordRegister(changes, cohortId, sessionId, before, await registerBrief(trx, sessionId))
    if (touched.size) await recomputeAttendance(trx, [...touched], changes)
    return results
  },
  async exportPage(db: Db, after, limit) {
    let q = db
      .selectFrom('session_attendance as a')
      .innerJoin('cohort_sessions as s', 's.id', 'a.session_id')
      .innerJoin('cohorts as c', 'c.id', 's.cohort_id')
      .innerJoin('enrolments as e', 'e.id', 'a.enrolment_id')
      .innerJoin('people as p', 'p.id', 'e.person_id')
      .select([
        'a.session_id', 'a.enrolment_id', 'a.present', 'a.minutes_attended', 'a.note', 's.external_id as session_external_id', 's.starts_at',
        'c.external_id as cohort_external_id', 'p.id as person_id', 'p.external_id as person_external_id'
      ])
      .orderBy('a.session_id')
      .orderBy('a.enrolment_id')
      .limit(limit)
    if (after) {
      const [sessionId, enrolmentId] = after.split('/')
      q = q.where(sql<boolean>`(a.session_id, a.enrolment_id) > (${sessionId}::uuid, ${enrolmentId}::uuid)`)
    }
    const rows = await q.execute()
    return {
      rows: rows.map((r) => ({
        externalId: `${r.session_external_id ?? r.session_id}:${r.person_external_id ?? r.person_id}`,
        sessionExternalId: r.session_external_id,
        cohortExternalId: r.cohort_external_id,
        sessionStartsAt: iso(r.starts_at),
        personExternalId: r.person_external_id!,
        present: r.present,
        minutesAttended: r.minutes_attended,
        note: r.note
      })),
      last: rows.length === limit ? `${rows[rows.length - 1].session_id}/${rows[rows.length - 1].enrolment_id}` : null
    }
  }
}
