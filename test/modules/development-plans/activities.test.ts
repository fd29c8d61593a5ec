import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildPlansApp, HR, HR_PLANS_ONLY, type Activity } from './factories.js'

const api = await buildPlansApp()
t.teardown(() => api.close())

const db = api.ctx.database.db
const { manager, owner, colleague } = await api.team()
const grade = await api.grade({ level: 3 })
await api.patch(`/v1/people/${owner.id}`, { gradeId: grade.id })
const programme = await api.activeProgramme({ title: 'Promotability workshops', defaultCapacity: 12 })
const cohort = await api.cohort({ programmeId: programme.id, status: 'open', startsOn: '2030-04-10', endsOn: '2030-04-11' })
const seniorOnly = await api.activeProgramme({ title: 'Senior leadership', defaultCapacity: 12, eligibility: { levelMin: 6 } })
const seniorCohort = await api.cohort({ programmeId: seniorOnly.id, status: 'open', startsOn: '2030-07-01', endsOn: '2030-07-02' })
const asOwner = api.as(owner)

const activities = async () => Number((await db.selectFrom('development_activities').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
const setEnrolment = (id: string, status: string) => db.updateTable('enrolments').set({ status: status as never }).where('id', '=', id).execute()

t.test('a programme activity nominates the owner through the programmes module and follows the enrolment', async (t) => {
  const plan = await api.plan(owner.id, { period: '2029/30' }, asOwner)
  const objective = await api.objective(plan.id, {}, asOwner)
  const res = await api.post(`/v1/development-objectives/${objective.id}/activities`, { kind: 'programme', cohortId: cohort.id, nominationNote: 'From my PDR' }, asOwner)
  t.equal(res.statusCode, 201, res.body)
  const activity = res.json() as Activity
  t.match(activity, { kind: 'programme', title: 'Promotability workshops', programmeId: programme.id, status: 'planned', enrolment: { cohortId: cohort.id, status: 'nominated' } })
  const enrolment = await api.enrolmentRow(activity.enrolment!.id)
  t.match(enrolment, { person_id: owner.id, nomination_source: 'self', nominated_by: `person:${owner.id}`, nomination_note: 'From my PDR' })
  t.same((await api.eventsOf(enrolment.id, 'enrolment.*')).map((e) => e.type), ['enrolment.nominated'], 'the programmes module’s own event')

  // The line manager approves in the programmes module; the activity shows it when read.
  const approve = await api.post(`/v1/enrolments/${enrolment.id}/transitions`, { action: 'approve' }, api.as(manager, ['programmes:nominate']))
  t.equal(approve.statusCode, 200, approve.body)
  const read = async () => (await api.get(`/v1/development-activities/${activity.id}`, asOwner)).json() as Activity
  t.match(await read(), { status: 'planned', enrolment: { status: 'selected' } }, 'selected automatically (no selection required)')
  for (const [status, expected] of [['attended', 'started'], ['completed', 'done'], ['withdrawn', 'not_done']] as const) {
    await setEnrolment(enrolment.id, status)
    t.match(await read(), { status: expected, enrolment: { status } }, `${status} → ${expected}`)
  }
  expectProblem(t, await api.patch(`/v1/development-activities/${activity.id}`, { status: 'done' }, asOwner), 409, 'activity-follows-enrolment')
})

t.test('the programmes module’s refusals come back as they are and nothing is written', async (t) => {
  const plan = await api.plan(owner.id, { period: '2031/32' }, asOwner)
  const objective = await api.objective(plan.id, {}, asOwner)
  const before = await activities()
  const ineligible = expectProblem(t, await api.post(`/v1/development-objectives/${objective.id}/activities`, { kind: 'programme', cohortId: seniorCohort.id }, asOwner), 409, 'enrolment-ineligible')
  t.ok(Array.isArray(ineligible.reasons))
  expectProblem(t, await api.post(`/v1/development-objectives/${objective.id}/activities`, { kind: 'programme', cohortId: cohort.id }, HR_PLANS_ONLY), 403, 'forbidden')
  const wrong = expectProblem(t, await api.post(`/v1/development-objectives/${objective.id}/activities`, { kind: 'programme', programmeId: seniorOnly.id, cohortId: cohort.id }, asOwner), 422, 'invalid-reference')
  t.same(wrong.errors?.map((e) => e.pointer), ['/cohortId'])
  const bad = expectProblem(t, await api.post(`/v1/development-objectives/${objective.id}/activities`, { kind: 'programme' }, asOwner), 400, 'validation')
  t.same(bad.errors?.map((e) => e.pointer), ['/programmeId'])
  const noTitle = expectProblem(t, await api.post(`/v1/development-objectives/${objective.id}/activities`, { kind: 'coaching', cohortId: cohort.id }, asOwner), 400, 'validation')
  t.same(noTitle.errors?.map((e) => e.pointer).sort(), ['/cohortId', '/title'])
  t.equal(await activities(), before, 'no activity written')
  t.equal(Number((await db.selectFrom('enrolments').select((eb) => eb.fn.countAll().as('n')).where('cohort_id', '=', seniorCohort.id).executeTakeFirstOrThrow()).n), 0, 'no enrolment written')
})

t.test('an agreed plan takes enrolments and activity progress, not new content', async (t) => {
  const plan = await api.plan(owner.id, { period: '2032/33' }, asOwner)
  const objective = await api.objective(plan.id, {}, asOwner)
  const later = await api.expect<Activity>(201, api.post(`/v1/development-objectives/${objective.id}/activities`, { kind: 'programme', programmeId: programme.id }, asOwner))
  const placement = await api.expect<Activity>(201, api.post(`/v1/development-objectives/${objective.id}/activities`, { kind: 'placement', title: 'Six weeks in the CMU', dueOn: '2032-12-31' }, asOwner))
  t.match(later, { status: 'planned', enrolment: null })
  t.match(placement, { status: 'planned', programmeId: null })
  await api.expect(200, api.move(plan.id, 'submit', asOwner))
  await api.expect(200, api.move(plan.id, 'agree', api.as(manager)))

  expectProblem(t, await api.patch(`/v1/development-activities/${placement.id}`, { title: 'Eight weeks' }, asOwner), 409, 'plan-not-editable')
  expectProblem(t, await api.delete(`/v1/development-activities/${placement.id}`, asOwner), 409, 'plan-not-editable')
  const started = await api.patch(`/v1/development-activities/${placement.id}`, { status: 'started' }, api.as(manager))
  t.equal(started.statusCode, 200, started.body)
  t.equal(started.json().status, 'started')
  expectProblem(t, await api.patch(`/v1/development-activities/${placement.id}`, { status: 'done' }, api.as(colleague)), 404, 'not-found')

  // The owner holds an enrolment on another run already: link it.
  const otherCohort = await api.cohort({ programmeId: programme.id, status: 'open', startsOn: '2032-09-01', endsOn: '2032-09-02' })
  const held = await api.enrolment(otherCohort.id, owner.id, 'selected')
  const notTheirs = await api.enrolment(otherCohort.id, colleague.id, 'selected')
  expectProblem(t, await api.post(`/v1/development-activities/${later.id}/enrolment`, { enrolmentId: notTheirs.id }, asOwner), 422, 'invalid-reference')
  expectProblem(t, await api.post(`/v1/development-activities/${later.id}/enrolment`, {}, asOwner), 400, 'validation')
  const linked = await api.post(`/v1/development-activities/${later.id}/enrolment`, { enrolmentId: held.id }, asOwner)
  t.equal(linked.statusCode, 200, linked.body)
  t.match(linked.json(), { enrolment: { id: held.id, status: 'selected' } })
  expectProblem(t, await api.post(`/v1/development-activities/${later.id}/enrolment`, { cohortId: cohort.id }, asOwner), 409, 'activity-enrolled')
  expectProblem(t, await api.post(`/v1/development-activities/${placement.id}/enrolment`, { cohortId: cohort.id }, asOwner), 409, 'illegal-transition')
  // Once that enrolment ends, a new one may be made.
  await setEnrolment(held.id, 'withdrawn')
  const renominated = await api.post(`/v1/development-activities/${later.id}/enrolment`, { cohortId: otherCohort.id }, api.as(manager))
  t.equal(renominated.statusCode, 200, renominated.body)
  t.match(renominated.json(), { enrolment: { cohortId: otherCohort.id, status: 'nominated' } })
  t.equal((await api.enrolmentRow(renominated.json().enrolment.id)).nomination_source, 'line_manager')
  t.same((await api.eventsOf(later.id, 'development-activity.*')).map((e) => e.type), ['development-activity.created', 'development-activity.enrolled', 'development-activity.enrolled'])
})

t.test('objectives from a programme outcome and a psychometric result name the owner’s own records', async (t) => {
  const plan = await api.plan(owner.id, { period: '2033/34' }, asOwner)
  const theirCohort = await api.cohort({ programmeId: programme.id, status: 'open', startsOn: '2033-09-01', endsOn: '2033-09-02' })
  const mine = await api.enrolment(theirCohort.id, owner.id, 'completed')
  const theirs = await api.enrolment(theirCohort.id, colleague.id, 'completed')
  const outcome = await api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'Apply the workshop', source: 'programme_outcome', enrolmentId: mine.id }, asOwner)
  t.equal(outcome.statusCode, 201, outcome.body)
  t.match(outcome.json().source, { kind: 'programme_outcome', enrolmentId: mine.id, detail: { programmeId: programme.id, enrolmentStatus: 'completed' } })
  expectProblem(t, await api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'x', source: 'programme_outcome', enrolmentId: theirs.id }, asOwner), 422, 'invalid-reference')
  const extra = expectProblem(t, await api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'x', source: 'manager', enrolmentId: mine.id }, asOwner), 400, 'validation')
  t.same(extra.errors?.map((e) => e.pointer), ['/enrolmentId'])

  const instrument = await db.insertInto('instruments').values({ code: 'QTX', name: 'Quintax', kind: 'personality' }).returning('id').executeTakeFirstOrThrow()
  const result = await db.insertInto('psychometric_results').values({ instrument_id: instrument.id, person_id: owner.id, taken_on: '2033-05-01' }).returning('id').executeTakeFirstOrThrow()
  const other = await db.insertInto('psychometric_results').values({ instrument_id: instrument.id, person_id: colleague.id, taken_on: '2033-05-01' }).returning('id').executeTakeFirstOrThrow()
  const psy = await api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'Assertiveness', source: 'psychometric_result', psychometricResultId: result.id }, asOwner)
  t.equal(psy.statusCode, 201, psy.body)
  t.same(psy.json().source.detail, { instrumentId: instrument.id, instrumentCode: 'QTX', instrumentName: 'Quintax', takenOn: '2033-05-01' }, 'no scores')
  expectProblem(t, await api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'x', source: 'psychometric_result', psychometricResultId: other.id }, asOwner), 422, 'invalid-reference')
  expectProblem(t, await api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'x', source: 'template' }, asOwner), 400, 'validation')
  const element = expectProblem(t, await api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'x', source: 'self', frameworkElementIds: ['00000000-0000-4000-8000-000000000000'] }, asOwner), 422, 'invalid-reference')
  t.same(element.errors?.map((e) => e.pointer), ['/frameworkElementIds/0'])
})

t.test('objectives in a draft: edit, reorder by creation, delete; the manager cannot edit the draft', async (t) => {
  const plan = await api.plan(owner.id, { period: '2034/35' }, asOwner)
  const a = await api.objective(plan.id, { title: 'A', activities: [{ kind: 'self_study', title: 'Read the guide' }, { kind: 'mentoring', title: 'Find a mentor' }] }, asOwner)
  const b = await api.objective(plan.id, { title: 'B' }, asOwner)
  t.same([a.position, b.position], [1, 2])
  t.same(a.activities.map((x) => [x.position, x.kind]), [[1, 'self_study'], [2, 'mentoring']])
  expectProblem(t, await api.patch(`/v1/development-objectives/${a.id}`, { title: 'A2' }, api.as(manager)), 403, 'forbidden')
  const stale = await api.request('PATCH', `/v1/development-objectives/${a.id}`, { title: 'A2' }, { headers: { ...asOwner.headers, 'if-match': '"9"' } })
  expectProblem(t, stale, 412, 'precondition-failed')
  const edited = await api.patch(`/v1/development-objectives/${a.id}`, { title: 'A2', priority: 'high', dueOn: '2035-01-31' }, asOwner)
  t.equal(edited.statusCode, 200, edited.body)
  t.match(edited.json(), { title: 'A2', priority: 'high', dueOn: '2035-01-31', version: 2 })
  t.equal((await api.delete(`/v1/development-objectives/${a.id}`, asOwner)).statusCode, 204)
  const left = await api.getPlan(plan.id)
  t.same(left.objectives.map((o) => o.title), ['B'])
  t.same(
    (await api.eventsOf(a.id, 'development-objective.*')).map((e) => e.type),
    ['development-objective.created', 'development-objective.updated', 'development-objective.deleted']
  )
})
