import { sql } from 'kysely'
import t from 'tap'
import { recomputeAttendance } from '../../../src/modules/programmes/attendance.js'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildProgrammesApp, type Cohort, type CohortSession } from './factories.js'

const api = await buildProgrammesApp()
t.teardown(() => api.close())

const MISSING = '00000000-0000-4000-8000-000000000000'
const pointers = (body: { errors?: Array<{ pointer: string }> }) => (body.errors ?? []).map((e) => e.pointer).sort()

/** A running one-day cohort with `sessions` sessions and `people` selected enrolments. */
async function day(sessions: number, people: number, status = 'selected') {
  const cohort = await api.cohort({ status: 'running', startsOn: '2030-06-10', endsOn: '2030-06-10' })
  const agenda: CohortSession[] = []
  for (let i = 0; i < sessions; i++) {
    const hour = String(9 + i).padStart(2, '0')
    agenda.push(await api.session(cohort, { startsAt: `2030-06-10T${hour}:00:00Z`, endsAt: `2030-06-10T${hour}:45:00Z` }))
  }
  const enrolments: string[] = []
  for (let i = 0; i < people; i++) {
    const { person } = await api.personWithGrade(2)
    enrolments.push((await api.enrolment(cohort.id, person.id, status)).id)
  }
  return { cohort, agenda, enrolments }
}

const register = (cohort: Cohort, session: CohortSession, entries: unknown[], call = {}) =>
  api.put(`/v1/cohorts/${cohort.id}/sessions/${session.id}/attendance`, { entries }, call)
const attendanceOf = async (id: string) => (await api.enrolmentRow(id)).attendance

t.test('an agenda is built, listed in time order, changed under If-Match and trimmed', async (t) => {
  const cohort = await api.cohort({ startsOn: '2030-04-01', endsOn: '2030-04-01' })
  const afternoon = await api.session(cohort, {
    startsAt: '2030-04-01T13:30:00Z',
    endsAt: '2030-04-01T15:00:00Z',
    title: 'Consultation process planning in practice',
    purpose: 'Plan a real upcoming consultation',
    method: 'In pairs, using the process planning matrix'
  })
  const res = await api.post(`/v1/cohorts/${cohort.id}/sessions`, {
    externalId: 'agenda-s1',
    startsAt: '2030-04-01T09:45:00Z',
    endsAt: '2030-04-01T10:10:00Z',
    title: 'Overview of consultation processes',
    purpose: 'To find out where people are and what their experience is',
    method: 'Facilitated plenary discussion'
  })
  t.equal(res.statusCode, 201, res.body)
  const morning = res.json() as CohortSession
  t.equal(res.headers.location, `/v1/cohorts/${cohort.id}/sessions/${morning.id}`)
  t.equal(res.headers.etag, '"1"')
  t.match(morning, { cohortId: cohort.id, externalId: 'agenda-s1', startsAt: '2030-04-01T09:45:00.000Z', purpose: /experience/, method: /plenary/ })

  const list = await api.get(`/v1/cohorts/${cohort.id}/sessions`)
  t.same(list.json().data.map((s: CohortSession) => s.id), [morning.id, afternoon.id], 'in time order')
  t.same((await api.get(`/v1/cohorts/${cohort.id}/sessions/${morning.id}`)).json(), morning)

  const moved = await api.patch(`/v1/cohorts/${cohort.id}/sessions/${afternoon.id}`, { startsAt: '2030-04-01T13:15:00Z' }, { headers: { 'if-match': '"1"' } })
  t.equal(moved.statusCode, 200)
  t.match(moved.json(), { startsAt: '2030-04-01T13:15:00.000Z', endsAt: '2030-04-01T15:00:00.000Z', version: 2 })
  expectProblem(t, await api.patch(`/v1/cohorts/${cohort.id}/sessions/${afternoon.id}`, { title: 'Stale' }, { headers: { 'if-match': '"1"' } }), 412, 'precondition-failed')
  expectProblem(t, await api.delete(`/v1/cohorts/${cohort.id}/sessions/${afternoon.id}`, { headers: { 'if-match': '"1"' } }), 412, 'precondition-failed')
  t.equal((await api.delete(`/v1/cohorts/${cohort.id}/sessions/${afternoon.id}`, { headers: { 'if-match': '"2"' } })).statusCode, 204)
  t.same((await api.get(`/v1/cohorts/${cohort.id}/sessions`)).json().data.map((s: CohortSession) => s.id), [morning.id])

  const events = await api.eventsOf(afternoon.id, 'cohort-session.*')
  t.same(events.map((e) => e.type), ['cohort-session.created', 'cohort-session.updated', 'cohort-session.deleted'])
})

t.test('a session outside the cohort’s dates is refused with 422 session-outside-cohort', async (t) => {
  const cohort = await api.cohort({ startsOn: '2030-04-08', endsOn: '2030-04-09' })
  const early = await api.post(`/v1/cohorts/${cohort.id}/sessions`, { title: 'Early', startsAt: '2030-04-07T23:00:00Z', endsAt: '2030-04-08T01:00:00Z' })
  t.same(pointers(expectProblem(t, early, 422, 'session-outside-cohort')), ['/startsAt'])
  const late = await api.post(`/v1/cohorts/${cohort.id}/sessions`, { title: 'Late', startsAt: '2030-04-09T23:00:00Z', endsAt: '2030-04-10T00:30:00Z' })
  t.same(pointers(expectProblem(t, late, 422, 'session-outside-cohort')), ['/endsAt'])
  const last = await api.post(`/v1/cohorts/${cohort.id}/sessions`, { title: 'Last', startsAt: '2030-04-09T22:00:00Z', endsAt: '2030-04-10T00:00:00Z' })
  t.equal(last.statusCode, 201, 'up to midnight at the end of the last day')
  const backwards = await api.post(`/v1/cohorts/${cohort.id}/sessions`, { title: 'Backwards', startsAt: '2030-04-08T10:00:00Z', endsAt: '2030-04-08T09:00:00Z' })
  t.same(pointers(expectProblem(t, backwards, 422, 'unprocessable')), ['/endsAt'])
  const session = await api.session(cohort)
  const moved = await api.patch(`/v1/cohorts/${cohort.id}/sessions/${session.id}`, { endsAt: '2030-04-11T10:00:00Z' })
  t.same(pointers(expectProblem(t, moved, 422, 'session-outside-cohort')), ['/endsAt'])
  expectProblem(t, await api.post(`/v1/cohorts/${cohort.id}/sessions`, { title: 'No times' }), 400, 'validation')
  expectProblem(t, await api.post(`/v1/cohorts/${cohort.id}/sessions`, { title: 'T', startsAt: 'nine', endsAt: '2030-04-08T10:00:00Z' }), 400, 'validation')
})

t.test('a session is reached only through its own cohort, and a cancelled cohort’s agenda is fixed', async (t) => {
  const one = await api.cohort()
  const two = await api.cohort()
  const session = await api.session(one)
  expectProblem(t, await api.get(`/v1/cohorts/${two.id}/sessions/${session.id}`), 404, 'not-found')
  expectProblem(t, await api.patch(`/v1/cohorts/${two.id}/sessions/${session.id}`, { title: 'X' }), 404, 'not-found')
  expectProblem(t, await api.delete(`/v1/cohorts/${two.id}/sessions/${session.id}`), 404, 'not-found')
  expectProblem(t, await api.get(`/v1/cohorts/${MISSING}/sessions`), 404, 'not-found')
  expectProblem(t, await api.post(`/v1/cohorts/${MISSING}/sessions`, { title: 'T', startsAt: '2030-03-04T09:00:00Z', endsAt: '2030-03-04T10:00:00Z' }), 404, 'not-found')

  await api.moveCohort(one.id, 'cancelled')
  expectProblem(t, await api.post(`/v1/cohorts/${one.id}/sessions`, { title: 'T', startsAt: '2030-03-04T11:00:00Z', endsAt: '2030-03-04T12:00:00Z' }), 409, 'cohort-status')
  expectProblem(t, await api.patch(`/v1/cohorts/${one.id}/sessions/${session.id}`, { title: 'X' }), 409, 'cohort-status')
  expectProblem(t, await api.delete(`/v1/cohorts/${one.id}/sessions/${session.id}`), 409, 'cohort-status')
  expectProblem(t, await register(one, session, []), 409, 'cohort-status')
})

t.test('the register is recorded and read back; attendance is full, partial or none', async (t) => {
  const { cohort, agenda, enrolments } = await day(3, 3)
  const [ann, bob, cat] = enrolments
  for (const session of agenda) {
    const res = await register(cohort, session, [
      { enrolmentId: ann, present: true },
      { enrolmentId: bob, present: session === agenda[0], minutesAttended: session === agenda[0] ? 30 : null, note: session === agenda[0] ? 'left early' : null },
      { enrolmentId: cat, present: false, note: 'sick' }
    ], { sub: 'trainer-1' })
    t.equal(res.statusCode, 200, res.body)
  }
  t.equal(await attendanceOf(ann), 'full')
  t.equal(await attendanceOf(bob), 'partial')
  t.equal(await attendanceOf(cat), 'none')

  const read = await api.get(`/v1/cohorts/${cohort.id}/sessions/${agenda[0].id}/attendance`)
  t.equal(read.statusCode, 200)
  t.match(read.json(), { sessionId: agenda[0].id, cohortId: cohort.id })
  const bobEntry = read.json().entries.find((e: { enrolmentId: string }) => e.enrolmentId === bob)
  t.match(bobEntry, { present: true, minutesAttended: 30, note: 'left early', recordedBy: 'trainer-1' })
  t.equal(read.json().entries.length, 3)

  const annRow = await api.enrolmentRow(ann)
  t.equal(annRow.version, 3, 'a new enrolment version each time its attendance changed (none → partial → full)')
  const changes = await api.eventsOf(ann, 'enrolment.attendance-changed')
  t.same(changes.map((e) => e.data.attendance), ['partial', 'full'])
  const recorded = await api.eventsOf(agenda[0].id, 'session-attendance.recorded')
  t.equal(recorded.length, 1)
  t.match(recorded[0].data, { sessionId: agenda[0].id, cohortId: cohort.id })
})

t.test('the register is replaced whole, and sending it again changes nothing', async (t) => {
  const { cohort, agenda, enrolments } = await day(1, 2)
  const [ann, bob] = enrolments
  await register(cohort, agenda[0], [{ enrolmentId: ann, present: true }, { enrolmentId: bob, present: true }])
  t.equal(await attendanceOf(bob), 'full')
  const replaced = await register(cohort, agenda[0], [{ enrolmentId: ann, present: true }])
  t.same(replaced.json().entries.map((e: { enrolmentId: string }) => e.enrolmentId), [ann], 'bob left out: his entry is gone')
  t.equal(await attendanceOf(bob), 'none', 'and his attendance computed again')

  const mark = await api.trailMark()
  const again = await register(cohort, agenda[0], [{ enrolmentId: ann, present: true }])
  t.equal(again.statusCode, 200)
  t.same(await api.trailMark(), mark, 'no audit record, no event')
  t.equal((await api.enrolmentRow(ann)).version, 2)
})

t.test('attendance only for this cohort’s enrolments that have a place (422 not-a-participant)', async (t) => {
  const { cohort, agenda, enrolments } = await day(1, 1)
  const other = await day(1, 1)
  const { person } = await api.personWithGrade(2)
  const nominated = await api.enrolment(cohort.id, person.id, 'nominated')
  const res = await register(cohort, agenda[0], [
    { enrolmentId: enrolments[0], present: true },
    { enrolmentId: other.enrolments[0], present: true },
    { enrolmentId: nominated.id, present: true },
    { enrolmentId: MISSING, present: false }
  ])
  const problem = expectProblem(t, res, 422, 'not-a-participant')
  t.same(pointers(problem), ['/entries/1/enrolmentId', '/entries/2/enrolmentId', '/entries/3/enrolmentId'])
  t.match(problem.errors!.find((e) => e.pointer === '/entries/1/enrolmentId')!.detail, /another cohort/)
  t.match(problem.errors!.find((e) => e.pointer === '/entries/2/enrolmentId')!.detail, /nominated/)
  t.same((await api.get(`/v1/cohorts/${cohort.id}/sessions/${agenda[0].id}/attendance`)).json().entries, [], 'nothing was recorded')

  for (const status of ['attended', 'no_show', 'completed']) {
    const { person: p } = await api.personWithGrade(2)
    const e = await api.enrolment(cohort.id, p.id, status)
    t.equal((await register(cohort, agenda[0], [{ enrolmentId: e.id, present: status !== 'no_show' }])).statusCode, 200, `${status} may be registered`)
  }
  const twice = await register(cohort, agenda[0], [{ enrolmentId: enrolments[0], present: true }, { enrolmentId: enrolments[0], present: false }])
  t.same(pointers(expectProblem(t, twice, 422, 'unprocessable')), ['/entries/1/enrolmentId'])
  const tooLong = await register(cohort, agenda[0], [{ enrolmentId: enrolments[0], present: true, minutesAttended: 46 }])
  t.same(pointers(expectProblem(t, tooLong, 422, 'unprocessable')), ['/entries/0/minutesAttended'])
  expectProblem(t, await register(cohort, agenda[0], [{ enrolmentId: enrolments[0] }]), 400, 'validation')
  expectProblem(t, await api.put(`/v1/cohorts/${other.cohort.id}/sessions/${agenda[0].id}/attendance`, { entries: [] }), 404, 'not-found')
})

t.test('the agenda changing recomputes attendance: a new session must be attended too', async (t) => {
  const { cohort, agenda, enrolments } = await day(2, 1)
  for (const session of agenda) await register(cohort, session, [{ enrolmentId: enrolments[0], present: true }])
  t.equal(await attendanceOf(enrolments[0]), 'full')
  const extra = await api.session(cohort, { startsAt: '2030-06-10T16:00:00Z', endsAt: '2030-06-10T16:45:00Z', title: 'Evaluation of training' })
  t.equal(await attendanceOf(enrolments[0]), 'partial', 'not at the new session')
  t.equal((await api.delete(`/v1/cohorts/${cohort.id}/sessions/${extra.id}`)).statusCode, 204)
  t.equal(await attendanceOf(enrolments[0]), 'full', 'back to full once it is gone')
  await api.delete(`/v1/cohorts/${cohort.id}/sessions/${agenda[0].id}`)
  t.equal(await attendanceOf(enrolments[0]), 'full', 'present at the one session left')
})

t.test('registers of two sessions recorded at once leave the right attendance', async (t) => {
  const { cohort, agenda, enrolments } = await day(2, 2)
  const entries = enrolments.map((enrolmentId) => ({ enrolmentId, present: true }))
  const [one, two] = await Promise.all(agenda.map((session) => register(cohort, session, entries)))
  t.equal(one.statusCode, 200, one.body)
  t.equal(two.statusCode, 200, two.body)
  for (const id of enrolments) t.equal(await attendanceOf(id), 'full')
})

t.test('recomputeAttendance leaves an enrolment of a cohort without sessions as it is', async (t) => {
  const { enrolments } = await day(0, 1)
  await api.ctx.database.db.updateTable('enrolments').set({ attendance: 'full' }).where('id', '=', enrolments[0]).execute()
  const changed = await api.ctx.database.db.transaction().execute((trx) => recomputeAttendance(trx, [enrolments[0]]))
  t.same(changed, [])
  t.equal(await attendanceOf(enrolments[0]), 'full')

  const withAgenda = await day(1, 1)
  const result = await api.ctx.database.db.transaction().execute((trx) => recomputeAttendance(trx, [withAgenda.enrolments[0], withAgenda.enrolments[0]]))
  t.same(result, [], 'nobody present, already none: nothing to change')
})

t.test('scopes: the register is read with programmes:read and written with programmes:write', async (t) => {
  const { cohort, agenda, enrolments } = await day(1, 1)
  const url = `/v1/cohorts/${cohort.id}/sessions/${agenda[0].id}/attendance`
  expectProblem(t, await api.get(url, { scopes: ['programmes:nominate'] }), 403, 'forbidden')
  t.equal((await api.get(url, { scopes: ['programmes:read'] })).statusCode, 200)
  expectProblem(t, await api.put(url, { entries: [{ enrolmentId: enrolments[0], present: true }] }, { scopes: ['programmes:read', 'programmes:nominate'] }), 403, 'forbidden')
  t.equal((await api.put(url, { entries: [{ enrolmentId: enrolments[0], present: true }] }, { scopes: ['programmes:write'] })).statusCode, 200)
  t.equal((await api.get(`/v1/cohorts/${cohort.id}/sessions`, { scopes: ['programmes:nominate'] })).statusCode, 200, 'the agenda is public to nominators')
  expectProblem(t, await api.post(`/v1/cohorts/${cohort.id}/sessions`, { title: 'T', startsAt: '2030-06-10T15:00:00Z', endsAt: '2030-06-10T15:30:00Z' }, { scopes: ['programmes:read'] }), 403, 'forbidden')
})

t.test(
  'a register and an evaluation on the same cohort at once do not deadlock',
  { skip: process.env.DATABASE_URL ? false : 'needs PostgreSQL: PGlite runs one transaction at a time' },
  async (t) => {
    const { cohort, agenda, enrolments } = await day(1, 1, 'attended')
    const [enrolment] = enrolments
    const db = api.ctx.database.db
    let locked!: () => void
    let release!: () => void
    const enrolmentLocked = new Promise<void>((resolve) => (locked = resolve))
    const released = new Promise<void>((resolve) => (release = resolve))
    // An evaluation's transaction as createEvaluation runs it: its enrolment locked first, then the
    // evaluation inserted, whose foreign key on the cohort needs a key-share lock on the cohort row.
    const evaluation = db.transaction().execute(async (trx) => {
      await trx.selectFrom('enrolments').select('id').where('id', '=', enrolment).forNoKeyUpdate().execute()
      locked()
      await released
      await trx.insertInto('evaluations').values({ enrolment_id: enrolment, cohort_id: cohort.id, relevance: 4, trainer: 4, length: 3, confidence_to_apply: 4 }).execute()
    })
    await enrolmentLocked
    // The register locks the cohort, then waits for the enrolment to compute its attendance.
    const registered = register(cohort, agenda[0], [{ enrolmentId: enrolment, present: true }])
    const waiting = sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`
    for (let i = 0; i < 300 && (await waiting.execute(db)).rows[0].n === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    release()
    const [res] = await Promise.all([registered, evaluation])
    t.equal(res.statusCode, 200, 'the register is recorded')
    t.equal(await attendanceOf(enrolment), 'full')
  }
)
