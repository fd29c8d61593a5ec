/**
 * Reports and export against a small case worked by hand (period 2040/41, as of 2040-09-01):
 *
 *   owner  unit  plan        objective due  objective status  activity
 *   a1     U1    agreed      2040-06-30     not_started       coaching, started
 *   a2     U1    agreed      2041-01-31     not_started       programme, enrolment attended
 *   a3     U1    draft       2040-05-31     in_progress       –
 *   b1     U2    completed   2040-05-01     achieved          self-study, planned
 *   b2     U2    lapsed      2040-04-30     not_started       –
 *   b2     U2    submitted   2040-07-31     not_started       –
 *
 * By status: U1 draft 1, agreed 2 (3); U2 submitted 1, completed 1, lapsed 1 (3).
 * Overdue (open objectives of draft, submitted or agreed plans due before 2040-09-01):
 *   a3 (93 days), a1 (63 days), b2 (32 days).
 * Uptake: agreed or completed plans a1, a2, b1; with an activity started a1, a2 → 2/3 = 0.6667
 * (U1 2/2 = 1, U2 0/1 = 0).
 */
import { parse } from 'csv-parse/sync'
import t from 'tap'
import { restoreCell } from '../../../src/platform/bulk/csv-cells.js'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildPlansApp, HR, READER, type Plan } from './factories.js'

const api = await buildPlansApp()
t.teardown(() => api.close())

const parent = await api.orgUnit({ name: 'Borough', kind: 'borough' })
const u1 = await api.orgUnit({ name: 'U1 Response team', parentId: parent.id })
const u2 = await api.orgUnit({ name: 'U2 Neighbourhood team', parentId: parent.id })
const manager = await api.person({ orgUnitId: parent.id })
const person = (unit: { id: string }, givenName: string) => api.person({ orgUnitId: unit.id, lineManagerId: manager.id, givenName })
const [a1, a2, a3, b1, b2] = [await person(u1, 'A1'), await person(u1, 'A2'), await person(u1, 'A3'), await person(u2, 'B1'), await person(u2, 'B2')]
const programme = await api.activeProgramme({ defaultCapacity: 12 })
const cohort = await api.cohort({ programmeId: programme.id, status: 'running', startsOn: '2040-06-01', endsOn: '2040-06-02' })
const attended = await api.enrolment(cohort.id, a2.id, 'attended')

const PERIOD = '2040/41'
async function planWith(owner: { id: string }, dueOn: string, activities: unknown[] = []): Promise<Plan> {
  const plan = await api.plan(owner.id, { period: PERIOD })
  await api.objective(plan.id, { dueOn, activities })
  return api.getPlan(plan.id)
}
const move = async (plan: Plan, ...actions: string[]) => {
  for (const action of actions) await api.expect(200, api.move(plan.id, action, HR, 'test'))
}

const pa1 = await planWith(a1, '2040-06-30', [{ kind: 'coaching', title: 'Coaching' }])
await move(pa1, 'submit', 'agree')
await api.expect(200, api.patch(`/v1/development-activities/${pa1.objectives[0].activities[0].id}`, { status: 'started' }, HR))
const pa2 = await planWith(a2, '2041-01-31', [{ kind: 'programme', enrolmentId: attended.id }])
await move(pa2, 'submit', 'agree')
const pa3 = await planWith(a3, '2040-05-31')
await api.expect(200, api.patch(`/v1/development-objectives/${pa3.objectives[0].id}`, { status: 'in_progress' }, HR))
const pb1 = await planWith(b1, '2040-05-01', [{ kind: 'self_study', title: 'Reading' }])
await move(pb1, 'submit', 'agree')
await api.expect(200, api.patch(`/v1/development-objectives/${pb1.objectives[0].id}`, { status: 'achieved' }, HR))
await move(pb1, 'complete')
const lapsed = await planWith(b2, '2040-04-30')
await move(lapsed, 'lapse')
const pb2 = await planWith(b2, '2040-07-31')
await move(pb2, 'submit')

t.test('plans by status per org unit', async (t) => {
  const res = await api.get(`/v1/development-plan-reports/status-by-org-unit?period=${encodeURIComponent(PERIOD)}`, READER)
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.same(body.rows, [
    { orgUnitId: u1.id, orgUnitName: 'U1 Response team', draft: 1, submitted: 0, agreed: 2, completed: 0, lapsed: 0, total: 3 },
    { orgUnitId: u2.id, orgUnitName: 'U2 Neighbourhood team', draft: 0, submitted: 1, agreed: 0, completed: 1, lapsed: 1, total: 3 }
  ])
  t.same(body.totals, { orgUnitId: null, orgUnitName: null, draft: 1, submitted: 1, agreed: 2, completed: 1, lapsed: 1, total: 6 })
  const only = (await api.get(`/v1/development-plan-reports/status-by-org-unit?orgUnitId=${u2.id}`, READER)).json()
  t.same(only.rows.map((r: any) => r.orgUnitId), [u2.id])
  t.equal((await api.get(`/v1/development-plan-reports/status-by-org-unit?orgUnitId=${parent.id}`, READER)).json().totals.total, 0, 'the parent itself holds no owners')
  t.equal((await api.get(`/v1/development-plan-reports/status-by-org-unit?orgUnitId=${parent.id}&includeDescendants=true`, READER)).json().totals.total, 6)
  expectProblem(t, await api.get('/v1/development-plan-reports/status-by-org-unit?orgUnitId=00000000-0000-4000-8000-000000000000', READER), 422, 'invalid-reference')
  expectProblem(t, await api.get('/v1/development-plan-reports/status-by-org-unit', api.as(manager)), 403, 'forbidden')
})

t.test('overdue objectives', async (t) => {
  const res = await api.get('/v1/development-plan-reports/overdue-objectives?asOf=2040-09-01', READER)
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json().data.map((r: any) => [r.ownerName.split(' ')[0], r.planId, r.dueOn, r.daysOverdue, r.planStatus]), [
    ['A3', pa3.id, '2040-05-31', 93, 'draft'],
    ['A1', pa1.id, '2040-06-30', 63, 'agreed'],
    ['B2', pb2.id, '2040-07-31', 32, 'submitted']
  ])
  const first = await api.get('/v1/development-plan-reports/overdue-objectives?asOf=2040-09-01&limit=2', READER)
  const next = await api.get(`/v1/development-plan-reports/overdue-objectives?asOf=2040-09-01&limit=2&cursor=${encodeURIComponent(first.json().page.nextCursor)}`, READER)
  t.same(next.json().data.map((r: any) => r.planId), [pb2.id], 'keyset pages')
  t.same((await api.get(`/v1/development-plan-reports/overdue-objectives?asOf=2040-09-01&orgUnitId=${u2.id}`, READER)).json().data.map((r: any) => r.planId), [pb2.id])
  t.equal((await api.getPlan(pa1.id)).objectives[0].overdue, false, 'a plan’s own flag counts from today, and 2040-06-30 is still ahead')
  const past = await api.plan(a1.id, { period: '2019/20' })
  const late = await api.objective(past.id, { dueOn: '2020-01-31' })
  t.equal(late.overdue, true, 'an open objective due in the past is overdue')
})

t.test('share of agreed plans with an activity started', async (t) => {
  const body = (await api.get(`/v1/development-plan-reports/activity-uptake?period=${encodeURIComponent(PERIOD)}`, READER)).json()
  t.same(body.rows, [
    { orgUnitId: u1.id, orgUnitName: 'U1 Response team', agreedPlans: 2, withActivityStarted: 2, share: 1 },
    { orgUnitId: u2.id, orgUnitName: 'U2 Neighbourhood team', agreedPlans: 1, withActivityStarted: 0, share: 0 }
  ])
  t.same(body.totals, { orgUnitId: null, orgUnitName: null, agreedPlans: 3, withActivityStarted: 2, share: 0.6667 })
})

t.test('bulk export: NDJSON plans and CSV objective rows', async (t) => {
  const nd = await api.get(`/v1/development-plans/export?period=${encodeURIComponent(PERIOD)}`, { ...READER, headers: { accept: 'application/x-ndjson' } })
  t.equal(nd.statusCode, 200, nd.body)
  t.match(String(nd.headers['content-type']), /application\/x-ndjson/)
  const lines = nd.body.trim().split('\n').map((l) => JSON.parse(l))
  t.same(lines.map((p) => p.id).sort(), [pa1.id, pa2.id, pa3.id, pb1.id, lapsed.id, pb2.id].sort())
  t.match(lines.find((p) => p.id === pa2.id), { ownerId: a2.id, status: 'agreed', objectives: [{ activities: [{ kind: 'programme', status: 'started', enrolment: { id: attended.id, status: 'attended' } }] }] })

  const csv = await api.get(`/v1/development-plans/export?format=csv&period=${encodeURIComponent(PERIOD)}&status=agreed&status=completed`, READER)
  t.equal(csv.statusCode, 200)
  const [header, ...rows] = csv.body.trim().split('\n')
  t.match(header, /^planId,planExternalId,ownerId,ownerExternalId,period,planTitle,planStatus/)
  t.equal(rows.length, 3, 'one row per objective of the agreed and completed plans')
  const cols = header.split(',')
  const a1Row = rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v]))).find((r) => r.planId === pa1.id)!
  t.match(a1Row, { planStatus: 'agreed', dueOn: '2040-06-30', objectiveStatus: 'not_started', source: 'self', activities: '1', activitiesStarted: '1', activitiesDone: '0', activityKinds: 'coaching' })
  expectProblem(t, await api.get('/v1/development-plans/export', { ...READER, headers: { accept: 'text/html' } }), 406, 'not-acceptable')
  expectProblem(t, await api.get('/v1/development-plans/export', api.as(manager)), 403, 'forbidden')
})

t.test('CSV export: formula-looking cells are neutralised with a quote; NDJSON keeps them as typed', async (t) => {
  // Its own unit and period, so the hand-worked figures above are untouched.
  const unit = await api.orgUnit({ name: 'Formula unit' })
  const owner = await api.person({ orgUnitId: unit.id })
  const period = '2042/43'
  const title = '=HYPERLINK("http://evil.example","click")'
  const plan = await api.plan(owner.id, { period, title, externalId: '@PLAN-1' })
  await api.objective(plan.id, { title: '+1+1', successMeasure: '-2+3' })
  await api.objective(plan.id, { title: "'quoted already", successMeasure: 'Plain words' })

  const res = await api.get(`/v1/development-plans/export?format=csv&period=${encodeURIComponent(period)}`, READER)
  t.equal(res.statusCode, 200, res.body)
  const rows = parse(res.body, { columns: true }) as Array<Record<string, string>>
  t.same(
    rows.map((r) => [r.planId, r.planTitle, r.planExternalId, r.objectivePosition, r.objectiveTitle, r.successMeasure]),
    [
      [plan.id, `'${title}`, "'@PLAN-1", '1', "'+1+1", "'-2+3"],
      [plan.id, `'${title}`, "'@PLAN-1", '2', "''quoted already", 'Plain words']
    ],
    'a quote before = + - @ (and before a quote, so it can be undone exactly); numbers and plain text as they are'
  )
  t.notOk(rows.some((r) => Object.values(r).some((cell) => /^[=+\-@\t\r]/.test(cell))), 'no cell a spreadsheet would run')
  t.same(rows.map((r) => restoreCell(r.objectiveTitle)), ['+1+1', "'quoted already"], 'an import takes the quote off again')

  const nd = await api.get(`/v1/development-plans/export?format=ndjson&period=${encodeURIComponent(period)}`, READER)
  const [exported] = nd.body.trim().split('\n').map((l) => JSON.parse(l))
  t.same([exported.title, exported.externalId, exported.objectives.map((o: { title: string }) => o.title)], [title, '@PLAN-1', ['+1+1', "'quoted already"]], 'JSON needs no neutralising')
})

t.test('an objective of a completed or lapsed plan is never overdue, as in the overdue report', async (t) => {
  const owner = await person(u2, 'C1')
  // One plan per owner and period: three past periods, each objective open and due in its period.
  const made = async (start: number, actions: string[]) => {
    const plan = await api.plan(owner.id, { period: `${start}/${String(start + 1).slice(2)}` })
    const objective = await api.objective(plan.id, { dueOn: `${start + 1}-01-31` })
    for (const action of actions) await api.expect(200, api.move(plan.id, action, HR, 'test'))
    return { plan, objective }
  }
  const done = await made(2016, ['submit', 'agree', 'complete'])
  const gone = await made(2017, ['lapse'])
  const live = await made(2018, ['submit', 'agree'])
  const flags = async (id: string) => (await api.getPlan(id)).objectives.map((o) => o.overdue)
  t.same(await flags(done.plan.id), [false], 'completed plan, open objective due in 2019: not overdue')
  t.same(await flags(gone.plan.id), [false], 'lapsed plan: not overdue')
  t.same(await flags(live.plan.id), [true], 'agreed plan: overdue')
  const object = await api.get(`/v1/development-objectives/${done.objective.id}`, READER)
  t.equal(object.json().overdue, false, 'the objective read alone agrees')
  const report = (await api.get(`/v1/development-plan-reports/overdue-objectives?orgUnitId=${u2.id}&limit=100`, READER)).json().data
  t.same(report.filter((r: any) => r.ownerId === owner.id).map((r: any) => r.planId), [live.plan.id], 'the report counts the agreed plan only')
  const csv = await api.get('/v1/development-plans/export?format=csv', READER)
  t.equal(csv.statusCode, 200)
  const rows = parse(csv.body, { columns: true }) as Array<Record<string, string>>
  t.same(
    rows.filter((r) => r.ownerId === owner.id).map((r) => [r.planStatus, r.overdue]).sort(),
    [['agreed', 'true'], ['completed', 'false'], ['lapsed', 'false']],
    'the CSV export agrees'
  )
})
