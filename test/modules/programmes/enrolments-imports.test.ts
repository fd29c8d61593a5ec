import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildEnrolmentsApp, csv, HR, READER, unique, type Enrolment } from './enrolment-factories.js'

const api = await buildEnrolmentsApp()
t.teardown(() => api.close())

const NOMINATION_COLUMNS = ['externalId', 'cohortExternalId', 'personExternalId', 'source', 'note', 'eligibilityOverrideReason', 'status']
const ATTENDANCE_COLUMNS = ['externalId', 'sessionExternalId', 'cohortExternalId', 'sessionStartsAt', 'personExternalId', 'present', 'minutesAttended', 'note']

t.test('a cohort’s nominations as CSV go through the same rules', async (t) => {
  const cohort = await api.openCohort({ eligibility: { levelMin: 20, levelMax: 50 } }, { externalId: unique('COH'), startsOn: '2033-02-01', endsOn: '2033-02-03' })
  const other = await api.openCohort({}, { externalId: unique('COH'), startsOn: '2033-02-03', endsOn: '2033-02-03' })
  const { person: sergeant } = await api.personWithGrade(20, 'officer', { externalId: unique('P') })
  const { person: inspector } = await api.personWithGrade(30, 'officer', { externalId: unique('P') })
  const { person: constable } = await api.personWithGrade(10, 'officer', { externalId: unique('P') })
  const { person: overridden } = await api.personWithGrade(10, 'officer', { externalId: unique('P') })
  const { person: busy } = await api.personWithGrade(30, 'officer', { externalId: unique('P') })
  await api.enrol(other, 'nominated', busy)

  const rows = [
    { externalId: unique('E'), cohortExternalId: cohort.externalId, personExternalId: sergeant.externalId, source: 'line_manager', note: 'via PDR' },
    { externalId: unique('E'), cohortExternalId: cohort.externalId, personExternalId: inspector.externalId, source: 'gateway_event' },
    { externalId: unique('E'), cohortExternalId: cohort.externalId, personExternalId: constable.externalId, source: 'self' },
    { externalId: unique('E'), cohortExternalId: cohort.externalId, personExternalId: overridden.externalId, source: 'hr', eligibilityOverrideReason: 'acting up' },
    { externalId: unique('E'), cohortExternalId: cohort.externalId, personExternalId: busy.externalId, source: 'hr' },
    { externalId: unique('E'), cohortExternalId: 'NO-SUCH-COHORT', personExternalId: 'NO-SUCH-PERSON', source: 'hr' },
    { externalId: unique('E'), cohortExternalId: cohort.externalId, personExternalId: sergeant.externalId, source: 'hr' },
    { externalId: unique('E'), cohortExternalId: cohort.externalId, personExternalId: inspector.externalId, source: 'hr', status: 'selected' }
  ]
  const file = csv(NOMINATION_COLUMNS, rows)

  t.test('atomic by default: a failed row writes nothing and names every failure by line', async (t) => {
    const res = await api.import('enrolments', file, 'text/csv', '', HR)
    const body = expectProblem(t, res, 422, 'import-rejected')
    const failures = body.failures as Array<{ line: number; errors: Array<{ pointer: string; detail: string }> }>
    t.same(failures.map((f) => f.line), [4, 6, 7, 8, 9])
    t.match(failures[0].errors, [{ pointer: '/personExternalId', detail: /^enrolment-ineligible: / }])
    t.match(failures[1].errors, [{ pointer: '/cohortExternalId', detail: /^enrolment-clash: / }])
    t.same(failures[2].errors.map((e) => e.pointer), ['/cohortExternalId', '/personExternalId'])
    t.match(failures[3].errors, [{ pointer: '/personExternalId', detail: /^enrolment-duplicate: / }], 'a duplicate within the file')
    t.match(failures[4].errors, [{ pointer: '/status', detail: /creates nominations only/ }])
    t.same(await api.all(`/v1/cohorts/${cohort.id}/enrolments`, READER), [])
  })

  t.test('non-atomic: the valid rows are nominated, through the rules', async (t) => {
    const res = await api.import('enrolments', file, 'text/csv', 'atomic=false', HR)
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json().counts, { read: 8, created: 3, failed: 5 })
    // One import is one transaction: the rows share their createdAt, so they are put in file order here.
    const order = [sergeant.id, inspector.id, overridden.id]
    const enrolments = (await api.all<Enrolment>(`/v1/cohorts/${cohort.id}/enrolments`, READER)).sort((a, b) => order.indexOf(a.personId) - order.indexOf(b.personId))
    t.same(enrolments.map((e) => [e.personId, e.status, e.nominationSource]), [
      [sergeant.id, 'nominated', 'line_manager'],
      [inspector.id, 'nominated', 'gateway_event'],
      [overridden.id, 'nominated', 'hr']
    ])
    t.equal(enrolments[0].externalId, rows[0].externalId)
    t.equal(enrolments[2].eligibilityOverrideReason, 'acting up')
    t.match((await api.history(enrolments[0].id))[0], { action: 'nominate', actor: 'hr-officer', toStatus: 'nominated' })

    const again = await api.import('enrolments', csv(NOMINATION_COLUMNS, [rows[0], rows[1], rows[3]]), 'text/csv', '', HR)
    t.match(again.json().counts, { read: 3, unchanged: 3, created: 0, updated: 0 }, 'importing the same rows again changes nothing')

    const edited = await api.import('enrolments', csv(NOMINATION_COLUMNS, [{ ...rows[0], note: 'via PDR, strong gateway score' }]), 'text/csv', '', HR)
    t.match(edited.json().counts, { updated: 1 })
    t.equal((await api.get(`/v1/enrolments/${enrolments[0].id}`)).json().nominationNote, 'via PDR, strong gateway score')

    const moved = await api.import('enrolments', csv(NOMINATION_COLUMNS, [{ ...rows[0], cohortExternalId: other.externalId, status: 'approved' }]), 'text/csv', '', HR)
    const refused = expectProblem(t, moved, 422, 'import-rejected')
    t.same((refused.failures as Array<{ errors: Array<{ pointer: string }> }>)[0].errors.map((e) => e.pointer), ['/cohortExternalId', '/status'])
  })

  t.test('a dry run reports without writing', async (t) => {
    const { person } = await api.personWithGrade(30, 'officer', { externalId: unique('P') })
    const res = await api.import('enrolments', csv(NOMINATION_COLUMNS, [{ externalId: unique('E'), cohortExternalId: cohort.externalId, personExternalId: person.externalId, source: 'hr' }]), 'text/csv', 'dryRun=true', HR)
    t.match(res.json(), { dryRun: true, committed: false, counts: { created: 1 } })
    t.same(await api.all(`/v1/people/${person.id}/enrolments`, READER), [])
  })

  t.test('the import needs programmes:write', async (t) => {
    expectProblem(t, await api.import('enrolments', file, 'text/csv', '', READER), 403, 'forbidden')
  })
})

t.test('enrolments export as NDJSON and CSV, in the import format, and import back unchanged', async (t) => {
  const cohort = await api.openCohort({}, { externalId: unique('COH') })
  const person = await api.person({ externalId: unique('P') })
  const made = await api.enrol(cohort, 'approved', person)
  const res = await api.get('/v1/enrolments/export', READER)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /application\/x-ndjson/)
  const rows = res.body.trim().split('\n').map((line) => JSON.parse(line))
  const mine = rows.find((r) => r.externalId === made.id)
  t.same(mine, { externalId: made.id, cohortExternalId: cohort.externalId, personExternalId: person.externalId, source: 'hr', note: null, eligibilityOverrideReason: null, status: 'approved' })

  const back = await api.import('enrolments', JSON.stringify([mine]), 'application/json', '', HR)
  t.match(back.json().counts, { unchanged: 1 }, 'an enrolment made through the API imports back under its id')

  const asCsv = await api.get('/v1/enrolments/export?format=csv', READER)
  t.match(asCsv.headers['content-type'], /text\/csv/)
  t.equal(asCsv.body.split('\n')[0], NOMINATION_COLUMNS.join(','))
})

t.test('an attendance sheet as CSV: by session externalId, or by cohort and session start', async (t) => {
  const cohort = await api.openCohort({}, { externalId: unique('COH') })
  const morning = await api.session(cohort, { externalId: unique('S'), startsAt: `${cohort.startsOn}T09:00:00.000Z`, endsAt: `${cohort.startsOn}T12:00:00.000Z` })
  const afternoon = await api.session(cohort, { startsAt: `${cohort.startsOn}T13:00:00.000Z`, endsAt: `${cohort.startsOn}T16:00:00.000Z` })
  const full = await api.enrol(cohort, 'selected')
  const partial = await api.enrol(cohort, 'selected')
  const waiting = await api.enrol(cohort, 'waitlisted')
  const afternoonRef = { cohortExternalId: cohort.externalId, sessionStartsAt: afternoon.startsAt }

  const rows = [
    { externalId: 'am-1', sessionExternalId: morning.externalId, personExternalId: full.person.externalId, present: true, minutesAttended: 180 },
    { externalId: 'pm-1', ...afternoonRef, personExternalId: full.person.externalId, present: true },
    { externalId: 'am-2', sessionExternalId: morning.externalId, personExternalId: partial.person.externalId, present: true, minutesAttended: 120, note: 'left at 11' },
    { externalId: 'pm-2', ...afternoonRef, personExternalId: partial.person.externalId, present: false },
    { externalId: 'am-3', sessionExternalId: morning.externalId, personExternalId: waiting.person.externalId, present: true },
    { externalId: 'am-4', sessionExternalId: 'NO-SUCH-SESSION', personExternalId: full.person.externalId, present: true },
    { externalId: 'am-5', sessionExternalId: morning.externalId, personExternalId: full.person.externalId, present: true, minutesAttended: 500 },
    { externalId: 'pm-9', cohortExternalId: cohort.externalId, personExternalId: full.person.externalId, present: true }
  ]
  const res = await api.import('session-attendance', csv(ATTENDANCE_COLUMNS, rows), 'text/csv', 'atomic=false', HR)
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json().counts, { read: 8, created: 4, failed: 4 })
  const failures = res.json().failures as Array<{ line: number; errors: Array<{ pointer: string; detail: string }> }>
  t.same(failures.map((f) => [f.line, f.errors[0].pointer]), [[6, '/personExternalId'], [7, '/sessionExternalId'], [8, '/minutesAttended'], [9, '/sessionExternalId']])
  t.match(failures[0].errors[0].detail, /waitlisted/)

  t.equal((await api.get(`/v1/enrolments/${full.id}`)).json().attendance, 'full')
  t.equal((await api.get(`/v1/enrolments/${partial.id}`)).json().attendance, 'partial')
  t.equal((await api.get(`/v1/enrolments/${full.id}`)).json().status, 'selected', 'attendance does not move the enrolment: attend is a transition')

  t.test('the register shows what the sheet said, and the change is audited and on the feed', async (t) => {
    const register = await api.get(`/v1/cohorts/${cohort.id}/sessions/${morning.id}/attendance`, READER)
    if (register.statusCode === 200) {
      t.same(register.json().entries.map((e: { enrolmentId: string; present: boolean }) => [e.enrolmentId, e.present]).sort(), [[full.id, true], [partial.id, true]].sort())
    }
    const events = await api.events('session-attendance.recorded')
    t.ok(events.some((e) => e.entityId === morning.id && e.data.entries.length === 2))
    t.ok((await api.events('enrolment.attendance-changed')).some((e) => e.entityId === partial.id))
  })

  t.test('importing the same sheet again changes nothing; a change updates the level', async (t) => {
    const mark = await api.trailMark()
    const same = await api.import('session-attendance', csv(ATTENDANCE_COLUMNS, rows.slice(0, 4)), 'text/csv', '', HR)
    t.match(same.json().counts, { unchanged: 4 })
    t.same(await api.trailMark(), mark, 'nothing audited, nothing published')
    const changed = await api.import('session-attendance', csv(ATTENDANCE_COLUMNS, [{ ...rows[3], present: true }]), 'text/csv', '', HR)
    t.match(changed.json().counts, { updated: 1 })
    t.equal((await api.get(`/v1/enrolments/${partial.id}`)).json().attendance, 'full')
  })

  t.test('export in the import format', async (t) => {
    const res = await api.get('/v1/session-attendance/export', READER)
    const exported = res.body.trim().split('\n').map((line) => JSON.parse(line)).filter((r) => r.cohortExternalId === cohort.externalId)
    t.equal(exported.length, 4)
    const back = await api.import('session-attendance', JSON.stringify(exported), 'application/json', '', HR)
    t.match(back.json().counts, { unchanged: 4 })
  })
})
