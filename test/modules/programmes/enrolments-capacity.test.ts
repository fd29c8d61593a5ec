import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildEnrolmentsApp, HR, READER, unique, type Enrolment } from './enrolment-factories.js'

const api = await buildEnrolmentsApp()
t.teardown(() => api.close())

const statusOf = async (id: string) => ((await api.get(`/v1/enrolments/${id}`)).json() as Enrolment).status
const placesTaken = async (cohortId: string) =>
  (await api.all<Enrolment>(`/v1/cohorts/${cohortId}/enrolments?status=selected&status=attended&status=completed`, READER)).length

t.test('selecting beyond capacity is refused, suggesting the waitlist', async (t) => {
  const cohort = await api.openCohort({}, { capacity: 2 })
  await api.enrol(cohort, 'selected')
  await api.enrol(cohort, 'selected')
  const third = await api.enrol(cohort, 'approved')
  const full = expectProblem(t, await api.transition(third.id, 'select'), 409, 'enrolment-capacity')
  t.match(full, { capacity: 2, taken: 2 })
  t.match(full.detail, /waitlist/)
  t.equal((await api.transition(third.id, 'waitlist')).json().status, 'waitlisted')
  expectProblem(t, await api.transition(third.id, 'select'), 409, 'enrolment-capacity')
})

t.test('the waitlist is kept in order, and a withdrawal promotes the first waitlisted', async (t) => {
  const cohort = await api.openCohort({}, { capacity: 1 })
  const holder = await api.enrol(cohort, 'selected')
  const first = await api.enrol(cohort, 'waitlisted')
  const second = await api.enrol(cohort, 'waitlisted')
  const third = await api.enrol(cohort, 'waitlisted')

  const queue = await api.all<Enrolment>(`/v1/cohorts/${cohort.id}/enrolments?sort=waitlistPosition`, READER)
  t.same(queue.map((e) => [e.id, e.waitlistPosition]), [[first.id, 1], [second.id, 2], [third.id, 3]])

  const mark = (await api.trailMark()).events
  const res = await api.transition(holder.id, 'withdraw', 'posted to another borough', HR)
  t.equal(res.json().status, 'withdrawn')
  t.equal(await statusOf(first.id), 'selected', 'the first waitlisted takes the place')
  t.equal(await statusOf(second.id), 'waitlisted')
  t.same((await api.all<Enrolment>(`/v1/cohorts/${cohort.id}/enrolments?sort=waitlistPosition`, READER)).map((e) => [e.id, e.waitlistPosition]), [[second.id, 1], [third.id, 2]])

  t.match((await api.history(first.id)).at(-1), {
    fromStatus: 'waitlisted',
    toStatus: 'selected',
    action: 'select',
    actor: 'system:waitlist',
    reason: new RegExp(`place freed when enrolment ${holder.id} was withdrawn`)
  })
  const events = await api.events('enrolment.*', mark)
  t.same(events.map((e) => [e.type, e.entityId]), [['enrolment.withdrawn', holder.id], ['enrolment.selected', first.id]], 'the promotion is its own event, after the withdrawal')

  t.test('a cancellation of a selected enrolment promotes too', async (t) => {
    await api.transition(first.id, 'cancel', 'suspended')
    t.equal(await statusOf(second.id), 'selected')
  })

  t.test('withdrawing an enrolment that held no place promotes nobody', async (t) => {
    await api.transition(third.id, 'withdraw', 'changed plans')
    t.equal(await placesTaken(cohort.id), 1)
  })
})

t.test('raising a cohort’s capacity promotes from the waitlist into the new places', async (t) => {
  const cohort = await api.openCohort({}, { capacity: 2 })
  await api.enrol(cohort, 'selected')
  await api.enrol(cohort, 'selected')
  const first = await api.enrol(cohort, 'waitlisted')
  const second = await api.enrol(cohort, 'waitlisted')

  const mark = (await api.trailMark()).events
  const res = await api.patch(`/v1/cohorts/${cohort.id}`, { capacity: 3 }, { ...HR, headers: { 'if-match': `"${cohort.version}"` } })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { capacity: 3, version: cohort.version + 1 })
  t.equal(await statusOf(first.id), 'selected', 'the first waitlisted takes the new place')
  t.equal(await statusOf(second.id), 'waitlisted', 'the second still waits')
  t.equal(await placesTaken(cohort.id), 3)
  t.same((await api.all<Enrolment>(`/v1/cohorts/${cohort.id}/enrolments?sort=waitlistPosition`, READER)).map((e) => [e.id, e.waitlistPosition]), [[second.id, 1]])
  t.match((await api.history(first.id)).at(-1), {
    fromStatus: 'waitlisted',
    toStatus: 'selected',
    action: 'select',
    actor: 'system:waitlist',
    reason: /capacity rose from 2 to 3/
  })
  const events = await api.events('cohort.*,enrolment.*', mark)
  t.same(events.map((e) => [e.type, e.entityId]), [['cohort.updated', cohort.id], ['enrolment.selected', first.id]], 'the cohort change, then the promotion as its own event')
  t.match(events[1].data, { id: first.id, status: 'selected', waitlistPosition: null, transition: { fromStatus: 'waitlisted', toStatus: 'selected', actor: 'system:waitlist' } })

  t.test('a change that adds no place promotes nobody', async (t) => {
    t.equal((await api.patch(`/v1/cohorts/${cohort.id}`, { venue: 'Hendon', capacity: 3 }, HR)).statusCode, 200)
    t.equal(await statusOf(second.id), 'waitlisted')
  })

  t.test('more new places than people waiting: everyone waiting is promoted, the rest stay free', async (t) => {
    t.equal((await api.patch(`/v1/cohorts/${cohort.id}`, { capacity: 6 }, HR)).statusCode, 200)
    t.equal(await statusOf(second.id), 'selected')
    t.equal(await placesTaken(cohort.id), 4)
  })
})

t.test('raising capacity by import promotes from the waitlist too', async (t) => {
  const cohort = await api.openCohort({}, { capacity: 1, externalId: unique('C') })
  await api.enrol(cohort, 'selected')
  const waiting = await api.enrol(cohort, 'waitlisted')
  const row = { externalId: cohort.externalId, programmeCode: cohort.programme.code, startsOn: cohort.startsOn, endsOn: cohort.endsOn, capacity: 2 }
  const res = await api.import('cohorts', JSON.stringify([row]), 'application/json', '', HR)
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json().counts, { updated: 1 })
  t.equal(await statusOf(waiting.id), 'selected')
  t.match((await api.history(waiting.id)).at(-1), { actor: 'system:waitlist', reason: /capacity rose from 1 to 2/ })
})

t.test('a capacity raise racing a withdrawal fills exactly the places there are', async (t) => {
  for (let round = 0; round < 3; round++) {
    const cohort = await api.openCohort({}, { capacity: 2 })
    const selected = [await api.enrol(cohort, 'selected'), await api.enrol(cohort, 'selected')]
    const waiting = [await api.enrol(cohort, 'waitlisted'), await api.enrol(cohort, 'waitlisted'), await api.enrol(cohort, 'waitlisted')]
    const results = await Promise.all([api.patch(`/v1/cohorts/${cohort.id}`, { capacity: 3 }, HR), api.transition(selected[0].id, 'withdraw', 'leaving', HR)])
    t.same(results.map((r) => r.statusCode), [200, 200], `round ${round}: both succeed`)
    t.equal(await placesTaken(cohort.id), 3, 'the new capacity is full, not exceeded')
    t.same(await Promise.all(waiting.map((w) => statusOf(w.id))), ['selected', 'selected', 'waitlisted'], 'the first two waitlisted were promoted, in order')
  }
})

t.test('a waitlisted enrolment may be selected by HR when a place is free', async (t) => {
  const cohort = await api.openCohort({}, { capacity: 1 })
  const waiting = await api.enrol(cohort, 'waitlisted')
  t.equal((await api.transition(waiting.id, 'select')).json().status, 'selected')
})

t.test('two concurrent withdrawals with a waitlist promote exactly two and never exceed capacity', async (t) => {
  for (let round = 0; round < 3; round++) {
    const cohort = await api.openCohort({}, { capacity: 3 })
    const selected = [await api.enrol(cohort, 'selected'), await api.enrol(cohort, 'selected'), await api.enrol(cohort, 'selected')]
    const waiting = [await api.enrol(cohort, 'waitlisted'), await api.enrol(cohort, 'waitlisted'), await api.enrol(cohort, 'waitlisted')]

    const results = await Promise.all([
      api.transition(selected[0].id, 'withdraw', 'first to leave', HR),
      api.transition(selected[1].id, 'withdraw', 'second to leave', HR)
    ])
    t.same(results.map((r) => r.statusCode), [200, 200], `round ${round}: both withdrawals succeed`)
    t.equal(await placesTaken(cohort.id), 3, 'capacity is full, not exceeded')
    t.same(await Promise.all(waiting.map((w) => statusOf(w.id))), ['selected', 'selected', 'waitlisted'], 'the first two waitlisted were promoted, in order')
    const promotions = (await Promise.all(waiting.map((w) => api.history(w.id)))).flat().filter((h) => h.actor === 'system:waitlist')
    t.equal(promotions.length, 2, 'exactly two promotions')
  }
})

t.test('two concurrent selections for the last place: exactly one is selected', async (t) => {
  for (let round = 0; round < 3; round++) {
    const cohort = await api.openCohort({}, { capacity: 2 })
    await api.enrol(cohort, 'selected')
    const a = await api.enrol(cohort, 'approved')
    const b = await api.enrol(cohort, 'approved')
    const results = await Promise.all([api.transition(a.id, 'select'), api.transition(b.id, 'select')])
    t.same(results.map((r) => r.statusCode).sort(), [200, 409], `round ${round}: one selected, one refused`)
    t.equal(results.find((r) => r.statusCode === 409)!.json().type, '/problems/enrolment-capacity')
    t.equal(await placesTaken(cohort.id), 2)
  }
})

t.test('concurrent approvals of a programme without selection fill the places and queue the rest', async (t) => {
  const cohort = await api.openCohort({ selectionRequired: false }, { capacity: 2 })
  const nominated = await Promise.all([1, 2, 3, 4].map(() => api.enrol(cohort, 'nominated')))
  const results = await Promise.all(nominated.map((e) => api.transition(e.id, 'approve')))
  t.same(results.map((r) => r.statusCode), [200, 200, 200, 200])
  const statuses = results.map((r) => r.json().status).sort()
  t.same(statuses, ['selected', 'selected', 'waitlisted', 'waitlisted'])
  t.equal(await placesTaken(cohort.id), 2)
})

t.test('nobody is selected or waitlisted for a finished cohort, and nobody is promoted into it', async (t) => {
  const cohort = await api.openCohort({}, { capacity: 1 })
  const holder = await api.enrol(cohort, 'selected')
  const waiting = await api.enrol(cohort, 'waitlisted')
  const approved = await api.enrol(cohort, 'approved')
  for (const to of ['closed', 'running', 'completed'] as const) await api.moveCohort(cohort.id, to)

  expectProblem(t, await api.transition(approved.id, 'select'), 409, 'cohort-status')
  expectProblem(t, await api.transition(approved.id, 'waitlist'), 409, 'cohort-status')
  t.equal((await api.transition(holder.id, 'withdraw', 'never came')).json().status, 'withdrawn')
  t.equal(await statusOf(waiting.id), 'waitlisted', 'no promotion into a completed cohort')
  t.equal((await api.patch(`/v1/cohorts/${cohort.id}`, { capacity: 5 }, HR)).statusCode, 200)
  t.equal(await statusOf(waiting.id), 'waitlisted', 'nor when its capacity is raised')
})
