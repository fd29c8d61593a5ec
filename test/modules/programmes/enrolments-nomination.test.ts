import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildEnrolmentsApp, HR, READER, unique, type Enrolment } from './enrolment-factories.js'

const api = await buildEnrolmentsApp()
t.teardown(() => api.close())

const MISSING = '00000000-0000-4000-8000-000000000000'

t.test('HR nominates a person: 201, Location, ETag, history and an enrolment.nominated event', async (t) => {
  const cohort = await api.openCohort()
  const person = await api.person()
  const res = await api.nominate(cohort.id, { personId: person.id, source: 'gateway_event', note: 'identified at the gateway event' })
  t.equal(res.statusCode, 201)
  const enrolment = res.json() as Enrolment
  t.equal(res.headers.location, `/v1/enrolments/${enrolment.id}`)
  t.equal(res.headers.etag, '"1"')
  t.match(enrolment, {
    cohortId: cohort.id,
    personId: person.id,
    status: 'nominated',
    nominationSource: 'gateway_event',
    nominatedBy: 'hr-officer',
    nominationNote: 'identified at the gateway event',
    attendance: 'none',
    waitlistPosition: null,
    priorUnsuccessful: [],
    version: 1
  })
  t.same((await api.get(`/v1/enrolments/${enrolment.id}`, READER)).json(), (({ priorUnsuccessful: _, ...rest }) => rest)(enrolment), 'a reader sees it without prior applications')

  const history = await api.history(enrolment.id)
  t.match(history, [{ fromStatus: null, toStatus: 'nominated', action: 'nominate', actor: 'hr-officer', reason: 'identified at the gateway event' }])
  const events = await api.events('enrolment.nominated')
  const event = events.find((e) => e.entityId === enrolment.id)
  t.ok(event, 'an enrolment.nominated event')
  t.match(event!.data, { status: 'nominated', personId: person.id, transition: { fromStatus: null, toStatus: 'nominated', action: 'nominate' } })
})

t.test('who may nominate', async (t) => {
  const cohort = await api.openCohort()
  const { manager, member } = await api.team()
  const stranger = await api.person()

  t.test('a person nominates themselves', async (t) => {
    const { member: self } = await api.team()
    const res = await api.nominate(cohort.id, { personId: self.id, source: 'self' }, api.as(self))
    t.equal(res.statusCode, 201)
    t.equal(res.json().nominatedBy, `person:${self.id}`)
    t.notOk('priorUnsuccessful' in res.json(), 'prior applications are for selectors only')
  })

  t.test('a line manager nominates a direct report', async (t) => {
    const res = await api.nominate(cohort.id, { personId: member.id, source: 'line_manager' }, api.as(manager))
    t.equal(res.statusCode, 201)
    t.equal(res.json().nominationSource, 'line_manager')
  })

  t.test('nobody else: not another manager, not a person for someone else, not for HR sources', async (t) => {
    const { member: other } = await api.team()
    expectProblem(t, await api.nominate(cohort.id, { personId: other.id, source: 'line_manager' }, api.as(manager)), 403, 'forbidden')
    expectProblem(t, await api.nominate(cohort.id, { personId: other.id, source: 'self' }, api.as(stranger)), 403, 'forbidden')
    expectProblem(t, await api.nominate(cohort.id, { personId: stranger.id, source: 'hr' }, api.as(stranger)), 403, 'forbidden')
    expectProblem(t, await api.nominate(cohort.id, { personId: stranger.id, source: 'gateway_event' }, api.as(stranger)), 403, 'forbidden')
  })

  t.test('programmes:nominate without a person, or programmes:read, is not enough', async (t) => {
    const { member: other } = await api.team()
    expectProblem(t, await api.nominate(cohort.id, { personId: other.id, source: 'self' }, { scopes: ['programmes:nominate'] }), 403, 'forbidden')
    expectProblem(t, await api.nominate(cohort.id, { personId: other.id, source: 'hr' }, READER), 403, 'forbidden')
  })
})

t.test('the cohort must be open for nominations', async (t) => {
  const person = await api.person()
  for (const status of ['planned', 'closed', 'cancelled'] as const) {
    const cohort = await api.cohort({ status, programmeId: (await api.programmeWithPlaces()).id })
    const body = expectProblem(t, await api.nominate(cohort.id, { personId: person.id, source: 'hr' }), 409, 'cohort-not-open')
    t.match(body.detail, status, `refused while ${status}`)
  }
  expectProblem(t, await api.nominate(MISSING, { personId: person.id, source: 'hr' }), 404, 'not-found')
})

t.test('after the nominations close date only HR nominates', async (t) => {
  const cohort = await api.openCohort({}, { nominationsCloseOn: '2020-01-01' })
  const { member } = await api.team()
  const late = expectProblem(t, await api.nominate(cohort.id, { personId: member.id, source: 'self' }, api.as(member)), 409, 'cohort-not-open')
  t.match(late.detail, /closed on 2020-01-01/)
  t.equal((await api.nominate(cohort.id, { personId: member.id, source: 'self' })).statusCode, 201, 'HR still may')
})

t.test('an unknown person is a 422 pointing at personId; a person who left is refused', async (t) => {
  const cohort = await api.openCohort()
  const unknown = expectProblem(t, await api.nominate(cohort.id, { personId: MISSING, source: 'hr' }), 422, 'invalid-reference')
  t.same(unknown.errors?.map((e) => e.pointer), ['/personId'])
  const leaver = await api.person({ status: 'left' })
  expectProblem(t, await api.nominate(cohort.id, { personId: leaver.id, source: 'hr' }), 409, 'person-left')
})

t.test('eligibility: grade level range and staff types, unless HR overrides with a reason', async (t) => {
  // Sergeant to Superintendent (levels 20–50) and police staff equivalents: officers and staff.
  const cohort = await api.openCohort({ eligibility: { levelMin: 20, levelMax: 50, staffTypes: ['officer', 'staff'] } })
  const { person: constable } = await api.personWithGrade(10)
  const { person: chief } = await api.personWithGrade(60)
  const { person: pcso } = await api.personWithGrade(30, 'pcso')
  const { person: sergeant } = await api.personWithGrade(20)
  const { person: bandC } = await api.personWithGrade(40, 'staff')

  const below = expectProblem(t, await api.nominate(cohort.id, { personId: constable.id, source: 'hr' }), 409, 'enrolment-ineligible')
  t.match(below.detail, /below the programme’s minimum 20/)
  t.match(below.reasons, [/below/])
  t.match(expectProblem(t, await api.nominate(cohort.id, { personId: chief.id, source: 'hr' }), 409, 'enrolment-ineligible').detail, /above/)
  t.match(expectProblem(t, await api.nominate(cohort.id, { personId: pcso.id, source: 'hr' }), 409, 'enrolment-ineligible').detail, /staff type pcso/)
  t.equal((await api.nominate(cohort.id, { personId: sergeant.id, source: 'hr' })).statusCode, 201, 'the lower end is inclusive')
  t.equal((await api.nominate(cohort.id, { personId: bandC.id, source: 'hr' })).statusCode, 201, 'police staff equivalents')

  t.test('a self-nomination is held to the same rule, and only HR may override', async (t) => {
    const grade = await api.grade({ level: 10 })
    const { member } = await api.team({ gradeId: grade.id })
    expectProblem(t, await api.nominate(cohort.id, { personId: member.id, source: 'self' }, api.as(member)), 409, 'enrolment-ineligible')
    const refused = expectProblem(
      t,
      await api.nominate(cohort.id, { personId: member.id, source: 'self', eligibilityOverrideReason: 'please' }, api.as(member)),
      403,
      'forbidden'
    )
    t.match(refused.detail, /override/)
  })

  t.test('HR overrides with a reason, which is kept on the enrolment and in its history', async (t) => {
    const res = await api.nominate(cohort.id, { personId: constable.id, source: 'hr', eligibilityOverrideReason: 'acting sergeant for 18 months' })
    t.equal(res.statusCode, 201)
    t.equal(res.json().eligibilityOverrideReason, 'acting sergeant for 18 months')
    t.match((await api.history(res.json().id))[0].reason, /eligibility overridden: acting sergeant/)
  })
})

t.test('one live enrolment per person and cohort', async (t) => {
  const cohort = await api.openCohort()
  const person = await api.person()
  const first = await api.nominate(cohort.id, { personId: person.id, source: 'hr' })
  const again = expectProblem(t, await api.nominate(cohort.id, { personId: person.id, source: 'hr' }), 409, 'enrolment-duplicate')
  t.equal(again.enrolmentId, first.json().id, 'names the enrolment that blocks')

  await api.move(first.json().id, 'withdraw')
  t.equal((await api.nominate(cohort.id, { personId: person.id, source: 'hr' })).statusCode, 201, 'after a withdrawal the person may be nominated again')
})

t.test('no person on two cohorts whose dates overlap', async (t) => {
  const programme = await api.programmeWithPlaces()
  const week = await api.cohort({ programmeId: programme.id, status: 'open', startsOn: '2031-05-05', endsOn: '2031-05-09', title: 'May week' })
  const friday = await api.cohort({ programmeId: programme.id, status: 'open', startsOn: '2031-05-09', endsOn: '2031-05-09' })
  const monday = await api.cohort({ programmeId: (await api.programmeWithPlaces()).id, status: 'open', startsOn: '2031-05-12', endsOn: '2031-05-12' })
  const person = await api.person()
  const held = await api.nominate(week.id, { personId: person.id, source: 'hr' })
  t.equal(held.statusCode, 201)

  const clash = expectProblem(t, await api.nominate(friday.id, { personId: person.id, source: 'hr' }), 409, 'enrolment-clash')
  t.match(clash.detail, /May week \(2031-05-05 to 2031-05-09\)/)
  t.match(clash.clashes, [{ enrolmentId: held.json().id, cohortId: week.id, status: 'nominated' }])
  t.equal((await api.nominate(monday.id, { personId: person.id, source: 'hr' })).statusCode, 201, 'the next Monday does not overlap')

  t.test('an ended enrolment no longer holds the dates', async (t) => {
    await api.move(held.json().id, 'decline')
    t.equal((await api.nominate(friday.id, { personId: person.id, source: 'hr' })).statusCode, 201)
  })
})

t.test('prior unsuccessful applications to the programme are shown to selectors', async (t) => {
  const programme = await api.programmeWithPlaces({ selectionRequired: true })
  const spring = await api.cohort({ programmeId: programme.id, status: 'open', startsOn: '2032-03-01', endsOn: '2032-03-01' })
  const summer = await api.cohort({ programmeId: programme.id, status: 'open', startsOn: '2032-06-01', endsOn: '2032-06-01' })
  const autumn = await api.cohort({ programmeId: programme.id, status: 'open', startsOn: '2032-09-01', endsOn: '2032-09-01' })
  const other = await api.openCohort({}, { startsOn: '2032-10-01', endsOn: '2032-10-01' })
  const { manager, member } = await api.team()

  const declined = await api.enrol(spring, 'nominated', member)
  await api.transition(declined.id, 'decline', 'operational commitments this spring', api.as(manager))
  const rejected = await api.enrol(summer, 'approved', member)
  await api.transition(rejected.id, 'reject', 'stronger applications from the gateway event')
  const elsewhere = await api.enrol(other, 'approved', member)
  await api.transition(elsewhere.id, 'reject', 'another programme')

  const current = await api.enrol(autumn, 'nominated', member)
  const seen = (await api.get(`/v1/enrolments/${current.id}`, HR)).json() as Enrolment
  t.match(seen.priorUnsuccessful, [
    { enrolmentId: rejected.id, cohortId: summer.id, status: 'not_selected', reason: 'stronger applications from the gateway event' },
    { enrolmentId: declined.id, cohortId: spring.id, status: 'declined', reason: 'operational commitments this spring' }
  ])
  t.equal(seen.priorUnsuccessful!.length, 2, 'only cohorts of the same programme')
  t.ok(seen.priorUnsuccessful!.every((p) => !Number.isNaN(Date.parse(p.at))))

  const listed = await api.all<Enrolment>(`/v1/cohorts/${autumn.id}/enrolments`, HR)
  t.equal(listed[0].priorUnsuccessful!.length, 2, 'in the cohort list too')
  t.notOk('priorUnsuccessful' in (await api.get(`/v1/enrolments/${current.id}`, READER)).json(), 'not for readers')
  t.notOk('priorUnsuccessful' in (await api.get(`/v1/enrolments/${current.id}`, api.as(member))).json(), 'not for the person')
})

t.test('reading enrolments', async (t) => {
  const cohort = await api.openCohort()
  const { manager, member } = await api.team()
  const stranger = await api.person()
  const enrolment = await api.enrol(cohort, 'nominated', member)

  t.test('the person, their line manager and readers read one; others may not', async (t) => {
    t.equal((await api.get(`/v1/enrolments/${enrolment.id}`, api.as(member))).statusCode, 200)
    t.equal((await api.get(`/v1/enrolments/${enrolment.id}`, api.as(manager))).statusCode, 200)
    t.equal((await api.get(`/v1/enrolments/${enrolment.id}`, READER)).statusCode, 200)
    expectProblem(t, await api.get(`/v1/enrolments/${enrolment.id}`, api.as(stranger)), 403, 'forbidden')
    expectProblem(t, await api.get(`/v1/enrolments/${MISSING}`, READER), 404, 'not-found')
    expectProblem(t, await api.get('/v1/enrolments/not-a-uuid', READER), 400, 'validation')
  })

  t.test('a person’s enrolments: their own, their reports’, or with programmes:read', async (t) => {
    const url = `/v1/people/${member.id}/enrolments`
    t.same((await api.all<Enrolment>(url, api.as(member))).map((e) => e.id), [enrolment.id])
    t.same((await api.all<Enrolment>(url, api.as(manager))).map((e) => e.id), [enrolment.id])
    t.same((await api.all<Enrolment>(url, READER)).map((e) => e.id), [enrolment.id])
    expectProblem(t, await api.get(url, api.as(stranger)), 403, 'forbidden')
    expectProblem(t, await api.get(`/v1/people/${MISSING}/enrolments`, READER), 404, 'not-found')
    t.same((await api.all<Enrolment>(`${url}?status=selected`, READER)), [], 'filtered by status')
  })

  t.test('a cohort’s enrolments need programmes:read and filter by status and person', async (t) => {
    const second = await api.enrol(cohort, 'approved')
    const url = `/v1/cohorts/${cohort.id}/enrolments`
    t.same((await api.all<Enrolment>(url, READER)).map((e) => e.id), [enrolment.id, second.id], 'oldest first')
    t.same((await api.all<Enrolment>(`${url}?status=approved`, READER)).map((e) => e.id), [second.id])
    t.same((await api.all<Enrolment>(`${url}?status=approved&status=nominated`, READER)).length, 2, 'status repeats')
    t.same((await api.all<Enrolment>(`${url}?personId=${member.id}`, READER)).map((e) => e.id), [enrolment.id])
    expectProblem(t, await api.get(url, api.as(member)), 403, 'forbidden')
    expectProblem(t, await api.get(`/v1/cohorts/${MISSING}/enrolments`, READER), 404, 'not-found')
    expectProblem(t, await api.get(`${url}?status=bogus`, READER), 400, 'validation')

    const page = await api.get(`${url}?limit=1`, READER)
    t.equal(page.json().data.length, 1)
    t.match(page.headers.link, /rel="next"/)
  })
})

t.test('a nomination body is validated', async (t) => {
  const cohort = await api.openCohort()
  const res = expectProblem(t, await api.nominate(cohort.id, { personId: 'x', source: 'friend', extra: 1 }), 400, 'validation')
  t.same(res.errors?.map((e) => e.pointer).sort(), ['/extra', '/personId', '/source'])
})

t.test('an externalId given on nomination is unique', async (t) => {
  const cohort = await api.openCohort()
  const externalId = unique('ENR')
  t.equal((await api.nominate(cohort.id, { personId: (await api.person()).id, source: 'hr', externalId })).statusCode, 201)
  expectProblem(t, await api.nominate(cohort.id, { personId: (await api.person()).id, source: 'hr', externalId }), 409, 'conflict')
})
