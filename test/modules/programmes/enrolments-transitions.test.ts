import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildEnrolmentsApp, HR, HR2, READER, unique, type Enrolment } from './enrolment-factories.js'

const api = await buildEnrolmentsApp()
t.teardown(() => api.close())

const MISSING = '00000000-0000-4000-8000-000000000000'

t.test('who may approve: the person’s line manager or HR', async (t) => {
  const cohort = await api.openCohort()
  const { manager, member } = await api.team()
  const { manager: otherManager } = await api.team()

  t.test('another manager is refused', async (t) => {
    const enrolment = await api.enrol(cohort, 'nominated', member)
    const refused = expectProblem(t, await api.transition(enrolment.id, 'approve', undefined, api.as(otherManager)), 403, 'forbidden')
    t.match(refused.detail, /line manager or HR/)
    expectProblem(t, await api.transition(enrolment.id, 'approve', undefined, api.as(member)), 403, 'forbidden')
    expectProblem(t, await api.transition(enrolment.id, 'approve', undefined, READER), 403, 'forbidden')
    t.equal((await api.get(`/v1/enrolments/${enrolment.id}`)).json().status, 'nominated', 'nothing changed')

    const approved = await api.transition(enrolment.id, 'approve', 'ready for promotion', api.as(manager))
    t.equal(approved.statusCode, 200)
    t.match(approved.json(), { status: 'approved', firstApprover: `person:${manager.id}`, version: 2 })
    t.equal(approved.headers.etag, '"2"')
  })

  t.test('HR approves anyone', async (t) => {
    const { member: someone } = await api.team()
    const enrolment = await api.enrol(cohort, 'nominated', someone)
    const res = await api.transition(enrolment.id, 'approve', undefined, HR)
    t.equal(res.statusCode, 200)
    t.match(res.json(), { status: 'approved', firstApprover: 'hr-officer' })
  })

  t.test('the line manager declines, with a reason', async (t) => {
    const { manager: boss, member: report } = await api.team()
    const enrolment = await api.enrol(cohort, 'nominated', report)
    const missing = expectProblem(t, await api.transition(enrolment.id, 'decline', undefined, api.as(boss)), 400, 'validation')
    t.same(missing.errors?.map((e) => e.pointer), ['/reason'])
    const res = await api.transition(enrolment.id, 'decline', 'not this year: operational commitments', api.as(boss))
    t.equal(res.statusCode, 200)
    t.match(res.json(), { status: 'declined', outcomeReason: 'not this year: operational commitments' })
  })
})

t.test('two-stage approval: the second approver must be someone else', async (t) => {
  const cohort = await api.openCohort({ secondApprovalRequired: true })
  const { manager, member } = await api.team()
  const enrolment = await api.enrol(cohort, 'nominated', member)

  const first = await api.transition(enrolment.id, 'approve', undefined, api.as(manager))
  t.match(first.json(), { status: 'manager_approved', firstApprover: `person:${manager.id}`, secondApprover: null })
  const same = expectProblem(t, await api.transition(enrolment.id, 'approve', undefined, api.as(manager)), 409, 'second-approval-same-approver')
  t.match(same.detail, /someone other than the first approver/)
  const second = await api.transition(enrolment.id, 'approve', undefined, HR)
  t.match(second.json(), { status: 'approved', firstApprover: `person:${manager.id}`, secondApprover: 'hr-officer' })

  t.test('HR first, then another administrator or the line manager', async (t) => {
    const { manager: boss, member: report } = await api.team()
    const a = await api.enrol(cohort, 'nominated', report)
    await api.move(a.id, 'approve')
    expectProblem(t, await api.transition(a.id, 'approve', undefined, HR), 409, 'second-approval-same-approver')
    t.equal((await api.transition(a.id, 'approve', undefined, api.as(boss))).json().status, 'approved')
    const b = await api.enrol(cohort, 'nominated')
    await api.move(b.id, 'approve')
    t.equal((await api.transition(b.id, 'approve', undefined, HR2)).json().status, 'approved')
  })

  t.test('a manager-approved enrolment can still be declined', async (t) => {
    const { manager: boss, member: report } = await api.team()
    const c = await api.enrol(cohort, 'nominated', report)
    await api.transition(c.id, 'approve', undefined, api.as(boss))
    t.equal((await api.transition(c.id, 'decline', 'budget', HR)).json().status, 'declined')
  })
})

t.test('selection is HR’s: select, waitlist, reject (with a reason)', async (t) => {
  const cohort = await api.openCohort()
  const { manager, member } = await api.team()
  const enrolment = await api.enrol(cohort, 'approved', member)
  expectProblem(t, await api.transition(enrolment.id, 'select', undefined, api.as(manager)), 403, 'forbidden')
  expectProblem(t, await api.transition(enrolment.id, 'select', undefined, api.as(member)), 403, 'forbidden')
  t.equal((await api.transition(enrolment.id, 'select')).json().status, 'selected')

  const waiting = await api.enrol(cohort, 'approved')
  const waitlisted = (await api.transition(waiting.id, 'waitlist')).json() as Enrolment
  t.equal(waitlisted.status, 'waitlisted')
  t.ok(waitlisted.waitlistedAt)
  t.equal(waitlisted.waitlistPosition, 1)

  const rejected = await api.enrol(cohort, 'approved')
  expectProblem(t, await api.transition(rejected.id, 'reject'), 400, 'validation')
  const res = await api.transition(rejected.id, 'reject', 'did not meet the role profile at the gateway event')
  t.match(res.json(), { status: 'not_selected', outcomeReason: 'did not meet the role profile at the gateway event' })
  t.equal((await api.transition(waiting.id, 'reject', 'cohort filled')).json().status, 'not_selected', 'a waitlisted enrolment may be rejected too')
})

t.test('a move not open from the current status is an illegal transition', async (t) => {
  const cohort = await api.openCohort()
  const nominated = await api.enrol(cohort, 'nominated')
  const body = expectProblem(t, await api.transition(nominated.id, 'select'), 409, 'illegal-transition')
  t.match(body, { from: 'nominated', to: 'selected' })
  t.match(body.detail, /cannot move from nominated to selected/)
  expectProblem(t, await api.transition(nominated.id, 'complete'), 409, 'illegal-transition')
  expectProblem(t, await api.transition(nominated.id, 'attend'), 409, 'illegal-transition')

  const selected = await api.enrol(cohort, 'selected')
  expectProblem(t, await api.transition(selected.id, 'approve'), 409, 'illegal-transition')
  expectProblem(t, await api.transition(selected.id, 'decline', 'late'), 409, 'illegal-transition')
  expectProblem(t, await api.transition(selected.id, 'waitlist'), 409, 'illegal-transition')

  const declined = await api.enrol(cohort, 'declined')
  const final = expectProblem(t, await api.transition(declined.id, 'withdraw', 'changed my mind'), 409, 'illegal-transition')
  t.match(final.detail, /declined is final/)

  expectProblem(t, await api.transition(MISSING, 'approve'), 404, 'not-found')
  // Not expectProblem: the list of actions names `select`, which its no-SQL check would take for SQL.
  const unknown = await api.post(`/v1/enrolments/${nominated.id}/transitions`, { action: 'promote' }, HR)
  t.equal(unknown.statusCode, 400)
  t.match(unknown.json(), { type: '/problems/validation', errors: [{ pointer: '/action', detail: /must be one of approve, decline, select/ }] })
})

t.test('attendance: attend needs a session attended; no-show needs none', async (t) => {
  const cohort = await api.openCohort({}, { externalId: unique('COH') })
  const morning = await api.session(cohort, { externalId: unique('S'), startsAt: `${cohort.startsOn}T09:00:00.000Z`, endsAt: `${cohort.startsOn}T12:00:00.000Z` })
  await api.session(cohort, { externalId: unique('S'), startsAt: `${cohort.startsOn}T13:00:00.000Z`, endsAt: `${cohort.startsOn}T17:00:00.000Z` })
  const absent = await api.enrol(cohort, 'selected')
  const partial = await api.enrol(cohort, 'selected')

  const refused = expectProblem(t, await api.transition(absent.id, 'attend'), 409, 'no-session-attended')
  t.match(refused.detail, /record attendance first/)

  const sheet = await api.attendance([
    { sessionExternalId: morning.externalId, personExternalId: absent.person.externalId, present: false },
    { sessionExternalId: morning.externalId, personExternalId: partial.person.externalId, present: true, minutesAttended: 180 }
  ])
  t.equal(sheet.statusCode, 200, sheet.body)
  expectProblem(t, await api.transition(absent.id, 'attend'), 409, 'no-session-attended')

  const attended = await api.transition(partial.id, 'attend')
  t.equal(attended.statusCode, 200)
  t.match(attended.json(), { status: 'attended', attendance: 'partial' })
  expectProblem(t, await api.transition(partial.id, 'no_show'), 409, 'illegal-transition')
  t.equal((await api.transition(partial.id, 'complete')).json().status, 'completed')

  t.equal((await api.transition(absent.id, 'no_show')).json().status, 'no_show')

  t.test('a no-show is refused once attendance shows the person present', async (t) => {
    const late = await api.enrol(cohort, 'selected')
    await api.attendance([{ sessionExternalId: morning.externalId, personExternalId: late.person.externalId, present: true }])
    expectProblem(t, await api.transition(late.id, 'no_show'), 409, 'no-show-attended')
  })

  t.test('attendance and completion are HR’s', async (t) => {
    const { manager, member } = await api.team()
    const mine = await api.enrol(cohort, 'selected', member)
    expectProblem(t, await api.transition(mine.id, 'attend', undefined, api.as(manager)), 403, 'forbidden')
    expectProblem(t, await api.transition(mine.id, 'no_show', undefined, api.as(member)), 403, 'forbidden')
  })
})

t.test('withdrawal by the person, their line manager or HR; cancellation by HR only', async (t) => {
  const cohort = await api.openCohort()
  const { manager, member } = await api.team()
  const stranger = await api.person()

  const own = await api.enrol(cohort, 'approved', member)
  expectProblem(t, await api.transition(own.id, 'withdraw', undefined, api.as(member)), 400, 'validation')
  expectProblem(t, await api.transition(own.id, 'withdraw', 'not me', api.as(stranger)), 403, 'forbidden')
  expectProblem(t, await api.transition(own.id, 'cancel', 'no', api.as(manager)), 403, 'forbidden')
  const withdrawn = await api.transition(own.id, 'withdraw', 'family commitments', api.as(member))
  t.match(withdrawn.json(), { status: 'withdrawn', outcomeReason: 'family commitments' })

  const managed = await api.enrol(cohort, 'nominated', member)
  t.equal((await api.transition(managed.id, 'withdraw', 'posting changed', api.as(manager))).json().status, 'withdrawn')

  const cancelled = await api.enrol(cohort, 'selected')
  t.match((await api.transition(cancelled.id, 'cancel', 'left the service')).json(), { status: 'cancelled', outcomeReason: 'left the service' })
})

t.test('when no selection is needed, approval selects while places last, then waitlists', async (t) => {
  const cohort = await api.openCohort({ selectionRequired: false }, { capacity: 1 })
  const { manager, member } = await api.team()
  const first = await api.enrol(cohort, 'nominated', member)
  const res = await api.transition(first.id, 'approve', undefined, api.as(manager))
  t.equal(res.statusCode, 200)
  t.match(res.json(), { status: 'selected', firstApprover: `person:${manager.id}` })
  t.match(await api.history(first.id), [
    { toStatus: 'nominated' },
    { fromStatus: 'nominated', toStatus: 'approved', action: 'approve', actor: `person:${manager.id}` },
    { fromStatus: 'approved', toStatus: 'selected', action: 'select', actor: 'system:selection', reason: /selection is not required/ }
  ])

  const second = await api.enrol(cohort, 'nominated')
  const waitlisted = await api.transition(second.id, 'approve')
  t.match(waitlisted.json(), { status: 'waitlisted', waitlistPosition: 1 })
  t.match((await api.history(second.id)).at(-1), { toStatus: 'waitlisted', actor: 'system:selection', reason: /all 1 places are taken/ })
})

t.test('the history keeps who, when and why; every move is on the change feed and in the audit trail', async (t) => {
  const cohort = await api.openCohort()
  const { manager, member } = await api.team()
  const mark = (await api.trailMark()).events
  const enrolment = await api.enrol(cohort, 'nominated', member)
  await api.transition(enrolment.id, 'approve', 'strong PDR', api.as(manager))
  await api.transition(enrolment.id, 'select', 'top of the gateway event')
  await api.transition(enrolment.id, 'withdraw', 'promoted before the course', api.as(member))

  const history = await api.history(enrolment.id, api.as(member))
  t.match(history, [
    { fromStatus: null, toStatus: 'nominated', action: 'nominate', actor: 'hr-officer' },
    { fromStatus: 'nominated', toStatus: 'approved', action: 'approve', actor: `person:${manager.id}`, reason: 'strong PDR' },
    { fromStatus: 'approved', toStatus: 'selected', action: 'select', actor: 'hr-officer', reason: 'top of the gateway event' },
    { fromStatus: 'selected', toStatus: 'withdrawn', action: 'withdraw', actor: `person:${member.id}`, reason: 'promoted before the course' }
  ])
  const times = history.map((h) => Date.parse(h.occurredAt))
  t.ok(times.every((time, i) => !Number.isNaN(time) && (i === 0 || time >= times[i - 1])), 'in time order')
  expectProblem(t, await api.get(`/v1/enrolments/${enrolment.id}/transitions`, api.as(await api.person())), 403, 'forbidden')

  const events = (await api.events('enrolment.*', mark)).filter((e) => e.entityId === enrolment.id)
  t.same(events.map((e) => e.type), ['enrolment.nominated', 'enrolment.approved', 'enrolment.selected', 'enrolment.withdrawn'])
  t.match(events[3].data, { status: 'withdrawn', transition: { fromStatus: 'selected', toStatus: 'withdrawn', reason: 'promoted before the course' } })

  const audit = (await api.get(`/v1/audit-records?entityId=${enrolment.id}`)).json().data
  t.same(audit.map((a: { action: string }) => a.action).reverse(), ['enrolment.nominated', 'enrolment.approved', 'enrolment.selected', 'enrolment.withdrawn'])
  t.match(audit[0], { before: { status: 'selected' }, after: { status: 'withdrawn' } })
})

t.test('If-Match guards a transition against a stale read', async (t) => {
  const cohort = await api.openCohort()
  const enrolment = await api.enrol(cohort, 'nominated')
  const stale = await api.post(`/v1/enrolments/${enrolment.id}/transitions`, { action: 'approve' }, { ...HR, headers: { 'if-match': '"7"' } })
  expectProblem(t, stale, 412, 'precondition-failed')
  t.equal(stale.headers.etag, '"1"')
  const fresh = await api.post(`/v1/enrolments/${enrolment.id}/transitions`, { action: 'approve' }, { ...HR, headers: { 'if-match': '"1"' } })
  t.equal(fresh.statusCode, 200)
})
