import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildEnrolmentsApp, HR, READER, unique } from './enrolment-factories.js'

const api = await buildEnrolmentsApp()
t.teardown(() => api.close())

const MISSING = '00000000-0000-4000-8000-000000000000'
const scores = { relevance: 5, trainer: 4, length: 3, confidenceToApply: 4 }

/** A cohort with one session, and a participant moved to `status` (attending the session when it gets that far). */
async function participant(status: 'selected' | 'attended' | 'completed' | 'no_show') {
  const cohort = await api.openCohort({}, { externalId: unique('COH') })
  const session = await api.session(cohort, { externalId: unique('S') })
  const { manager, member } = await api.team()
  const enrolment = await api.enrol(cohort, 'selected', member)
  if (status !== 'selected' && status !== 'no_show') {
    const sheet = await api.attendance([{ sessionExternalId: session.externalId, personExternalId: member.externalId, present: true }])
    if (sheet.statusCode !== 200) throw new Error(sheet.body)
    await api.move(enrolment.id, ...(status === 'completed' ? ['attend', 'complete'] : ['attend']))
  }
  if (status === 'no_show') await api.move(enrolment.id, 'no_show')
  return { cohort, enrolment, manager, member }
}

t.test('no evaluation without attendance', async (t) => {
  for (const status of ['selected', 'no_show'] as const) {
    const { enrolment, member } = await participant(status)
    const refused = expectProblem(t, await api.post(`/v1/enrolments/${enrolment.id}/evaluation`, scores, api.as(member)), 409, 'evaluation-requires-attendance')
    t.match(refused.detail, new RegExp(`enrolment is ${status}`))
  }
  const cohort = await api.openCohort()
  const nominated = await api.enrol(cohort, 'nominated')
  expectProblem(t, await api.post(`/v1/enrolments/${nominated.id}/evaluation`, scores, HR), 409, 'evaluation-requires-attendance')
})

t.test('the participant evaluates once; a second is refused; PATCH amends with If-Match', async (t) => {
  const { cohort, enrolment, member } = await participant('attended')
  const res = await api.post(`/v1/enrolments/${enrolment.id}/evaluation`, { ...scores, comments: 'The scenario exercise was the most useful part.' }, api.as(member))
  t.equal(res.statusCode, 201)
  t.equal(res.headers.location, `/v1/enrolments/${enrolment.id}/evaluation`)
  t.equal(res.headers.etag, '"1"')
  const evaluation = res.json()
  t.match(evaluation, { enrolmentId: enrolment.id, cohortId: cohort.id, ...scores, comments: 'The scenario exercise was the most useful part.', version: 1 })

  const again = expectProblem(t, await api.post(`/v1/enrolments/${enrolment.id}/evaluation`, scores, api.as(member)), 409, 'evaluation-exists')
  t.match(again.detail, /PATCH/)

  const amended = await api.patch(`/v1/enrolments/${enrolment.id}/evaluation`, { length: 2, comments: null }, { ...api.as(member), headers: { ...api.as(member).headers, 'if-match': '"1"' } })
  t.equal(amended.statusCode, 200)
  t.match(amended.json(), { relevance: 5, length: 2, comments: null, version: 2 })
  t.equal(amended.headers.etag, '"2"')
  const stale = await api.patch(`/v1/enrolments/${enrolment.id}/evaluation`, { length: 5 }, { ...HR, headers: { 'if-match': '"1"' } })
  expectProblem(t, stale, 412, 'precondition-failed')
  t.equal((await api.get(`/v1/enrolments/${enrolment.id}/evaluation`, READER)).json().length, 2, 'the stale write changed nothing')

  t.test('reads: the participant and programmes:read; not their manager or others', async (t) => {
    const { manager } = await api.team()
    t.equal((await api.get(`/v1/enrolments/${enrolment.id}/evaluation`, api.as(member))).statusCode, 200)
    expectProblem(t, await api.get(`/v1/enrolments/${enrolment.id}/evaluation`, api.as(manager)), 403, 'forbidden')
    expectProblem(t, await api.get(`/v1/enrolments/${MISSING}/evaluation`, READER), 404, 'not-found')
  })
})

t.test('only the participant or HR evaluates', async (t) => {
  const { enrolment, manager } = await participant('completed')
  const stranger = await api.person()
  expectProblem(t, await api.post(`/v1/enrolments/${enrolment.id}/evaluation`, scores, api.as(manager)), 403, 'forbidden')
  expectProblem(t, await api.post(`/v1/enrolments/${enrolment.id}/evaluation`, scores, api.as(stranger)), 403, 'forbidden')
  expectProblem(t, await api.post(`/v1/enrolments/${enrolment.id}/evaluation`, scores, READER), 403, 'forbidden')
  const byHr = await api.post(`/v1/enrolments/${enrolment.id}/evaluation`, scores, HR)
  t.equal(byHr.statusCode, 201, 'HR enters a paper form on the participant’s behalf')
  expectProblem(t, await api.patch(`/v1/enrolments/${enrolment.id}/evaluation`, { trainer: 1 }, api.as(manager)), 403, 'forbidden')
})

t.test('scores are 1 to 5', async (t) => {
  const { enrolment, member } = await participant('attended')
  const res = expectProblem(t, await api.post(`/v1/enrolments/${enrolment.id}/evaluation`, { relevance: 0, trainer: 6, length: 3 }, api.as(member)), 400, 'validation')
  t.same(res.errors?.map((e) => e.pointer).sort(), ['/confidenceToApply', '/relevance', '/trainer'])
  expectProblem(t, await api.patch(`/v1/enrolments/${enrolment.id}/evaluation`, { relevance: 3 }, api.as(member)), 404, 'not-found')
})

t.test('a cohort’s evaluations are listed in submission order, for programmes:read', async (t) => {
  const cohort = await api.openCohort({}, { externalId: unique('COH') })
  const session = await api.session(cohort, { externalId: unique('S') })
  const ids: string[] = []
  for (let i = 1; i <= 3; i++) {
    const enrolment = await api.enrol(cohort, 'selected')
    await api.attendance([{ sessionExternalId: session.externalId, personExternalId: enrolment.person.externalId, present: true }])
    await api.move(enrolment.id, 'attend')
    ids.push((await api.post(`/v1/enrolments/${enrolment.id}/evaluation`, { ...scores, relevance: i }, api.as(enrolment.person))).json().id)
  }
  const listed = await api.all(`/v1/cohorts/${cohort.id}/evaluations?limit=2`, READER)
  t.same(listed.map((e) => e.id), ids)
  t.same(listed.map((e) => e.relevance), [1, 2, 3])
  const { member } = await api.team()
  expectProblem(t, await api.get(`/v1/cohorts/${cohort.id}/evaluations`, api.as(member)), 403, 'forbidden')
  expectProblem(t, await api.get(`/v1/cohorts/${MISSING}/evaluations`, READER), 404, 'not-found')
})

t.test('evaluations are audited and on the change feed', async (t) => {
  const { enrolment, member } = await participant('attended')
  const mark = (await api.trailMark()).events
  const created = (await api.post(`/v1/enrolments/${enrolment.id}/evaluation`, scores, api.as(member))).json()
  await api.patch(`/v1/enrolments/${enrolment.id}/evaluation`, { trainer: 5 }, api.as(member))
  const events = (await api.events('evaluation.*', mark)).filter((e) => e.entityId === created.id)
  t.same(events.map((e) => e.type), ['evaluation.submitted', 'evaluation.updated'])
  t.match(events[1].data, { trainer: 5, version: 2 })
})

t.test('an evaluation PATCH that changes nothing keeps the version and ETag and writes no audit record or event', async (t) => {
  const { enrolment, member } = await participant('attended')
  await api.post(`/v1/enrolments/${enrolment.id}/evaluation`, { ...scores, comments: 'Useful' }, api.as(member))
  const got = await api.patchesChangingNothing(`/v1/enrolments/${enrolment.id}/evaluation`, [{}, { ...scores, comments: 'Useful' }], api.as(member))
  for (const a of got.answers) t.same([a.status, a.etag, a.version], [200, got.etag, got.version])
  t.equal(got.versionAfter, got.version)
  t.same(got.after, got.before, 'no audit record, no event')
})
