import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { existingFrameworkElementId } from '../assessments/factories.js'
import { buildProgrammesApp, csv, ndjson, unique, type Cohort, type CohortSession, type Programme } from './factories.js'

const api = await buildProgrammesApp()
t.teardown(() => api.close())

const PROGRAMME_COLUMNS = [
  'externalId', 'code', 'title', 'kind', 'aim', 'keyFeatures', 'provider', 'duration', 'durationDays', 'accreditation', 'levelMin', 'levelMax',
  'staffTypes', 'eligibilityNotes', 'targetGroups', 'selectionRequired', 'defaultCapacity', 'minParticipants', 'costPerEvent', 'costPerPerson',
  'ownerOrgUnitExternalId', 'status'
]
const COHORT_COLUMNS = ['externalId', 'programmeExternalId', 'programmeCode', 'title', 'stream', 'startsOn', 'endsOn', 'venue', 'capacity', 'cost', 'facilitators', 'status']
const SESSION_COLUMNS = ['externalId', 'cohortExternalId', 'startsAt', 'endsAt', 'title', 'purpose', 'method']

const programmeBy = async (externalId: string) => (await api.get(`/v1/programmes?externalId=${encodeURIComponent(externalId)}`)).json().data[0] as Programme
const cohortBy = async (externalId: string) => (await api.get(`/v1/cohorts?externalId=${encodeURIComponent(externalId)}`)).json().data[0] as Cohort
const code = (p: string) => p.replace(/[^A-Za-z0-9_.-]/g, '_')

t.test('programmes import from CSV with lists as |-separated cells, and again as unchanged', async (t) => {
  const p = unique('pi')
  const owner = await api.orgUnit({ externalId: `${p}-hrd`, kind: 'department' })
  const rows = [
    {
      externalId: `${p}-promo`,
      code: code(`${p}-PROMO`),
      title: 'Promotability Programme for BME and female Managers',
      kind: 'programme',
      aim: 'To provide managers with the skills, knowledge and experience to plan and prepare for promotion',
      keyFeatures: 'Based on key behaviours within the relevant role profile|360 degree feedback against those behaviours|coaching/ buddying/mentoring',
      levelMin: 2,
      levelMax: 5,
      eligibilityNotes: 'Identified via PDR and a “gateway” event',
      targetGroups: 'minority_ethnic|women',
      selectionRequired: 'true',
      defaultCapacity: 12,
      minParticipants: 10,
      ownerOrgUnitExternalId: `${p}-hrd`,
      status: 'active'
    },
    {
      externalId: `${p}-path`,
      code: code(`${p}-PATH`),
      title: 'Introductory Certificate in Management (PATH National)',
      kind: 'qualification',
      keyFeatures: 'Accredited by the institute of leadership and management|Delivered over 11 days',
      duration: '11 days',
      durationDays: 11,
      accreditation: 'Institute of Leadership and Management',
      levelMax: 1,
      staffTypes: 'officer|staff',
      costPerEvent: '2400.50',
      costPerPerson: '200'
    }
  ]
  const body = csv(PROGRAMME_COLUMNS, rows)
  const res = await api.import('programmes', body, 'text/csv')
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json().counts, { read: 2, created: 2, updated: 0, unchanged: 0, failed: 0 })
  const promo = await programmeBy(`${p}-promo`)
  t.match(promo, {
    kind: 'programme',
    status: 'active',
    keyFeatures: ['Based on key behaviours within the relevant role profile', '360 degree feedback against those behaviours', 'coaching/ buddying/mentoring'],
    eligibility: { levelMin: 2, levelMax: 5, staffTypes: [], notes: 'Identified via PDR and a “gateway” event' },
    targetGroups: ['minority_ethnic', 'women'],
    selectionRequired: true,
    defaultCapacity: 12,
    minParticipants: 10,
    ownerOrgUnitId: owner.id
  })
  t.match(await programmeBy(`${p}-path`), { status: 'draft', durationDays: 11, costPerEvent: 2400.5, costPerPerson: 200, eligibility: { levelMax: 1, staffTypes: ['officer', 'staff'] } })

  const mark = await api.trailMark()
  t.same((await api.import('programmes', body, 'text/csv')).json().counts, { read: 2, created: 0, updated: 0, unchanged: 2, failed: 0 })
  t.same(await api.trailMark(), mark, 'no audit records and no events for an unchanged file')

  const asJson = ndjson([{ ...rows[1], keyFeatures: ['Accredited by the institute of leadership and management', 'Delivered over 11 days'], staffTypes: ['staff', 'officer'], costPerEvent: 2400.5, costPerPerson: 200, targetGroups: [] }])
  t.same((await api.import('programmes', asJson, 'application/x-ndjson')).json().counts, { read: 1, created: 0, updated: 0, unchanged: 1, failed: 0 }, 'arrays in JSON are the same lists')
})

t.test('an export imports back unchanged, in CSV and in NDJSON', async (t) => {
  const p = unique('rt')
  const element = await existingFrameworkElementId(api)
  await api.import('programmes', ndjson([
    { externalId: `${p}-a`, code: code(`${p}-A`), title: 'Transform programme', kind: 'programme', keyFeatures: ['For Bands A and B', '2-day Career Management Workouts'], levelMin: 4, levelMax: 5, staffTypes: ['staff'], targetGroups: ['women', 'minority_ethnic'], frameworkElementIds: [element] }
  ]), 'application/x-ndjson')
  const exported = await api.get('/v1/programmes/export?format=csv')
  t.equal(exported.statusCode, 200)
  t.match(exported.body, /For Bands A and B\|2-day Career Management Workouts/)
  t.same((await api.import('programmes', exported.body, 'text/csv')).json().counts.failed, 0)
  t.equal((await api.import('programmes', exported.body, 'text/csv')).json().counts.created, 0)
  const lines = (await api.get('/v1/programmes/export')).body
  const again = await api.import('programmes', lines, 'application/x-ndjson')
  t.equal(again.json().counts.updated + again.json().counts.created + again.json().counts.failed, 0, 'every NDJSON row unchanged')
})

t.test('a status change by import follows the transitions and is published', async (t) => {
  const p = unique('st')
  const row = { externalId: `${p}-x`, code: code(`${p}-X`), title: 'Positive Action Leadership Programme', kind: 'course', duration: 'four days' }
  await api.import('programmes', ndjson([{ ...row, status: 'pilot' }]), 'application/x-ndjson')
  const retire = await api.import('programmes', ndjson([{ ...row, status: 'retired', duration: '4 days' }]), 'application/x-ndjson')
  t.same(retire.json().counts, { read: 1, created: 0, updated: 1, unchanged: 0, failed: 0 })
  const retired = await programmeBy(`${p}-x`)
  t.match(retired, { status: 'retired', duration: '4 days' })
  const events = await api.eventsOf(retired.id, 'programme.*')
  t.same(events.map((e) => e.type), ['programme.created', 'programme.updated', 'programme.retired'])

  const back = await api.import('programmes', ndjson([{ ...row, status: 'active', title: 'Changed' }]), 'application/x-ndjson')
  const problem = expectProblem(t, back, 422, 'import-rejected')
  t.match(problem.failures, [{ line: 1, errors: [{ pointer: '/status', detail: /cannot move from retired to active/ }] }])
  t.match(await programmeBy(`${p}-x`), { status: 'retired', title: 'Positive Action Leadership Programme' }, 'nothing written')
  t.equal((await api.import('programmes', ndjson([{ ...row, duration: '4 days' }]), 'application/x-ndjson')).json().counts.unchanged, 1, 'no status: kept as it is')
})

t.test('bad programme rows fail with their line and field', async (t) => {
  const p = unique('bad')
  const res = await api.import('programmes', csv(PROGRAMME_COLUMNS, [
    { externalId: `${p}-1`, code: code(`${p}-1`), title: 'Fine', kind: 'course' },
    { externalId: `${p}-2`, code: code(`${p}-2`), title: 'Range', kind: 'course', levelMin: 5, levelMax: 2 },
    { externalId: `${p}-3`, code: code(`${p}-3`), title: 'Staff', kind: 'course', staffTypes: 'officer|wizard' },
    { externalId: `${p}-4`, code: code(`${p}-4`), title: 'Owner', kind: 'course', ownerOrgUnitExternalId: 'nowhere' },
    { externalId: `${p}-5`, code: code(`${p}-5`), title: 'Kind', kind: 'lecture', targetGroups: 'women|left_handed' }
  ]), 'text/csv')
  const problem = expectProblem(t, res, 422, 'import-rejected')
  const byLine = new Map((problem.failures as Array<{ line: number; errors: Array<{ pointer: string }> }>).map((f) => [f.line, f.errors.map((e) => e.pointer)]))
  t.same([...byLine.keys()], [3, 4, 5, 6])
  t.same(byLine.get(3), ['/levelMax'])
  t.ok(byLine.get(4)!.includes('/staffTypes'))
  t.same(byLine.get(5), ['/ownerOrgUnitExternalId'])
  t.ok(byLine.get(6)!.includes('/kind') && byLine.get(6)!.includes('/targetGroups'))
  t.equal(await programmeBy(`${p}-1`), undefined, 'atomic: nothing written')
  const dry = await api.import('programmes', csv(PROGRAMME_COLUMNS, [{ externalId: `${p}-1`, code: code(`${p}-1`), title: 'Fine', kind: 'course' }]), 'text/csv', 'dryRun=true')
  t.match(dry.json(), { dryRun: true, committed: false, counts: { created: 1 } })
  t.equal(await programmeBy(`${p}-1`), undefined, 'a dry run writes nothing')
})

t.test('cohorts import by programme externalId or code, with programme defaults and statuses', async (t) => {
  const p = unique('ci')
  const programme = await api.activeProgramme({ externalId: `${p}-prog`, defaultCapacity: 12, costPerEvent: 2400 })
  const byCode = await api.activeProgramme({ defaultCapacity: 20 })
  const res = await api.import('cohorts', csv(COHORT_COLUMNS, [
    { externalId: `${p}-sep`, programmeExternalId: `${p}-prog`, stream: 'policy', startsOn: '2030-09-14', endsOn: '2030-09-14', venue: 'Civil Service Sports Club', facilitators: 'Trainer One|Trainer Two', status: 'open' },
    { externalId: `${p}-oct`, programmeCode: byCode.code, title: 'October', startsOn: '2030-10-12', endsOn: '2030-10-12', capacity: 8, cost: 1000 }
  ]), 'text/csv')
  t.equal(res.statusCode, 200, res.body)
  t.match(await cohortBy(`${p}-sep`), { programmeId: programme.id, capacity: 12, cost: 2400, status: 'open', facilitators: ['Trainer One', 'Trainer Two'], stream: 'policy' })
  t.match(await cohortBy(`${p}-oct`), { programmeId: byCode.id, capacity: 8, cost: 1000, status: 'planned', title: 'October' })

  const moved = await api.import('cohorts', ndjson([
    { externalId: `${p}-sep`, programmeExternalId: `${p}-prog`, stream: 'policy', startsOn: '2030-09-14', endsOn: '2030-09-14', venue: 'Civil Service Sports Club', facilitators: ['Trainer One', 'Trainer Two'], status: 'closed' }
  ]), 'application/x-ndjson')
  t.same(moved.json().counts, { read: 1, created: 0, updated: 1, unchanged: 0, failed: 0 })
  const sep = await cohortBy(`${p}-sep`)
  t.equal(sep.status, 'closed')
  t.same((await api.eventsOf(sep.id, 'cohort.*')).map((e) => e.type), ['cohort.created', 'cohort.closed'])

  const refused = await api.import('cohorts', ndjson([
    { externalId: `${p}-sep`, programmeExternalId: `${p}-prog`, startsOn: '2030-09-14', endsOn: '2030-09-14', status: 'completed' },
    { externalId: `${p}-oct`, programmeExternalId: `${p}-prog`, startsOn: '2030-10-12', endsOn: '2030-10-12' },
    { externalId: `${p}-new`, programmeExternalId: 'nothing', startsOn: '2030-10-12', endsOn: '2030-10-12' },
    { externalId: `${p}-new2`, startsOn: '2030-10-12', endsOn: '2030-10-11' }
  ]), 'application/x-ndjson')
  const problem = expectProblem(t, refused, 422, 'import-rejected')
  t.match(problem.failures, [
    { line: 1, errors: [{ pointer: '/status', detail: /cannot move from closed to completed/ }] },
    { line: 2, errors: [{ pointer: '/programmeExternalId', detail: /another programme/ }] },
    { line: 3, errors: [{ pointer: '/programmeExternalId', detail: /no programme/ }] },
    { line: 4, errors: [{ pointer: '/programmeExternalId', detail: /required/ }] }
  ])
})

t.test('a cohort’s status on creation by import depends on its programme', async (t) => {
  const p = unique('cs')
  const draft = await api.programme({ externalId: `${p}-draft`, defaultCapacity: 10 })
  const retired = await api.programme({ externalId: `${p}-old`, defaultCapacity: 10, status: 'retired' })
  const row = (externalId: string, programmeExternalId: string, status: string) => ({ externalId, programmeExternalId, startsOn: '2004-09-14', endsOn: '2004-09-14', status })
  const res = await api.import('cohorts', ndjson([
    row(`${p}-1`, `${p}-old`, 'completed'),
    row(`${p}-2`, `${p}-draft`, 'planned'),
    row(`${p}-3`, `${p}-draft`, 'open'),
    row(`${p}-4`, `${p}-old`, 'planned')
  ]), 'application/x-ndjson', 'atomic=false')
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json().counts, { read: 4, created: 2, updated: 0, unchanged: 0, failed: 2 })
  t.match(res.json().failures, [{ line: 3, errors: [{ pointer: '/status', detail: /draft programme/ }] }, { line: 4, errors: [{ pointer: '/status', detail: /retired programme/ }] }])
  t.match(await cohortBy(`${p}-1`), { programmeId: retired.id, status: 'completed' }, 'history of a retired programme')
  t.match(await cohortBy(`${p}-2`), { programmeId: draft.id, status: 'planned' })
})

t.test('cancelling a cohort by import cancels its enrolments in play', async (t) => {
  const p = unique('cc')
  const programme = await api.activeProgramme({ externalId: `${p}-prog`, defaultCapacity: 10 })
  const cohort = await api.cohort({ programmeId: programme.id, externalId: `${p}-c`, status: 'open' })
  const { person } = await api.personWithGrade(2)
  const enrolment = await api.enrolment(cohort.id, person.id, 'nominated')
  const res = await api.import('cohorts', ndjson([{ externalId: `${p}-c`, programmeExternalId: `${p}-prog`, startsOn: cohort.startsOn, endsOn: cohort.endsOn, title: cohort.title, status: 'cancelled' }]), 'application/x-ndjson')
  t.equal(res.statusCode, 200, res.body)
  t.equal((await api.enrolmentRow(enrolment.id)).status, 'cancelled')
  t.same((await api.eventsOf(enrolment.id, 'enrolment.cancelled')).length, 1)
})

t.test('agenda sessions import by cohort externalId, within the cohort’s dates', async (t) => {
  const p = unique('si')
  const cohort = await api.cohort({ externalId: `${p}-c`, startsOn: '2030-09-14', endsOn: '2030-09-14' })
  const other = await api.cohort({ externalId: `${p}-other` })
  const rows = [
    { externalId: `${p}-1`, cohortExternalId: `${p}-c`, startsAt: '2030-09-14T09:45:00Z', endsAt: '2030-09-14T11:00:00Z', title: 'Session 1: Overview of consultation processes', purpose: 'To find out where people are and what their experience is', method: 'Facilitated plenary discussion, then small groups' },
    { externalId: `${p}-2`, cohortExternalId: `${p}-c`, startsAt: '2030-09-14T11:15:00Z', endsAt: '2030-09-14T12:45:00Z', title: 'Session 2: Planning consultation', purpose: 'To familiarise participants with using process planning matrix', method: "Teams of 3-4 on the 'London Borough of Booting' scenario" }
  ]
  const res = await api.import('cohort-sessions', csv(SESSION_COLUMNS, rows), 'text/csv')
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json().counts, { read: 2, created: 2, updated: 0, unchanged: 0, failed: 0 })
  const agenda = (await api.get(`/v1/cohorts/${cohort.id}/sessions`)).json().data as CohortSession[]
  t.match(agenda, [{ externalId: `${p}-1`, method: /plenary/ }, { externalId: `${p}-2`, method: /Booting/ }])
  t.same((await api.import('cohort-sessions', csv(SESSION_COLUMNS, rows), 'text/csv')).json().counts.unchanged, 2)

  const bad = await api.import('cohort-sessions', ndjson([
    { ...rows[0], startsAt: '2030-09-13T09:00:00Z' },
    { ...rows[1], cohortExternalId: `${p}-other` },
    { ...rows[1], externalId: `${p}-3`, cohortExternalId: 'nowhere' }
  ]), 'application/x-ndjson')
  const problem = expectProblem(t, bad, 422, 'import-rejected')
  t.match(problem.failures, [
    { line: 1, errors: [{ pointer: '/startsAt', detail: /within the cohort/ }] },
    { line: 2, errors: [{ pointer: '/cohortExternalId', detail: /another cohort/ }] },
    { line: 3, errors: [{ pointer: '/cohortExternalId', detail: /no cohort/ }] }
  ])
  t.ok(other, 'the other cohort stays without sessions')

  const exported = await api.get('/v1/cohort-sessions/export?format=csv')
  t.match(exported.body, new RegExp(`${p}-1,${p}-c,2030-09-14T09:45:00.000Z`))
  t.equal((await api.import('cohort-sessions', exported.body, 'text/csv')).json().counts.failed, 0, 'the export imports back')
})

t.test('sessions imported into a cohort with attendance recompute it', async (t) => {
  const p = unique('sr')
  const cohort = await api.cohort({ externalId: `${p}-c`, status: 'running' })
  const session = await api.session(cohort)
  const { person } = await api.personWithGrade(2)
  const enrolment = await api.enrolment(cohort.id, person.id, 'selected')
  await api.put(`/v1/cohorts/${cohort.id}/sessions/${session.id}/attendance`, { entries: [{ enrolmentId: enrolment.id, present: true }] })
  t.equal((await api.enrolmentRow(enrolment.id)).attendance, 'full')
  await api.import('cohort-sessions', ndjson([{ externalId: `${p}-pm`, cohortExternalId: `${p}-c`, startsAt: `${cohort.startsOn}T14:00:00Z`, endsAt: `${cohort.startsOn}T15:00:00Z`, title: 'Afternoon' }]), 'application/x-ndjson')
  t.equal((await api.enrolmentRow(enrolment.id)).attendance, 'partial')
})

t.test('imports need programmes:write, exports programmes:read', async (t) => {
  for (const resource of ['programmes', 'cohorts', 'cohort-sessions']) {
    expectProblem(t, await api.import(resource, '[]', 'application/json', '', { scopes: ['programmes:read'] }), 403, 'forbidden')
    t.equal((await api.get(`/v1/${resource}/export`, { scopes: ['programmes:read'] })).statusCode, 200, `${resource} export`)
    expectProblem(t, await api.get(`/v1/${resource}/export`, { scopes: ['programmes:nominate'] }), 403, 'forbidden')
  }
})
