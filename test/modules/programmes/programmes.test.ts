import t from 'tap'
import { ineligibilityReasons } from '../../../src/modules/programmes/eligibility.js'
import { expectProblem } from '../../platform/expect-problem.js'
import { existingFrameworkElementId } from '../assessments/factories.js'
import { buildProgrammesApp, unique, type Programme, type ProgrammeStatus } from './factories.js'

const api = await buildProgrammesApp()
t.teardown(() => api.close())

const MISSING = '00000000-0000-4000-8000-000000000000'
const pointers = (body: { errors?: Array<{ pointer: string }> }) => (body.errors ?? []).map((e) => e.pointer).sort()
const ids = (...items: Array<{ id: string }>) => items.map((x) => x.id).sort()

t.test('a programme is created as a draft with every field, read, and changed under If-Match', async (t) => {
  const owner = await api.orgUnit({ kind: 'department' })
  const element = await existingFrameworkElementId(api)
  const code = unique('IMPACT').replace(/[^A-Za-z0-9_.-]/g, '_')
  const body = {
    externalId: unique('ext'),
    code,
    title: 'IMPACT development programme',
    kind: 'programme',
    aim: 'Help middle to senior police staff managers identify and achieve development objectives',
    keyFeatures: ['Development workouts with psychometric and multi-rater feedback', 'Short work placements or individual coaching'],
    provider: 'DBM',
    delivery: 'blended',
    duration: '2-day workshop, then placement or coaching',
    durationDays: 2.5,
    accreditation: null,
    eligibility: { levelMin: 3, levelMax: 5, staffTypes: ['staff'], notes: 'Civilian middle to senior managers' },
    targetGroups: [],
    selectionRequired: false,
    secondApprovalRequired: true,
    defaultCapacity: 12,
    minParticipants: 10,
    costPerEvent: 2400,
    costPerPerson: 199.99,
    annualTarget: 100,
    pilotSize: 40,
    targetYears: 4,
    rolloutStartsOn: '2007-04-01',
    ownerOrgUnitId: owner.id,
    frameworkElementIds: [element]
  }
  const res = await api.post('/v1/programmes', body)
  t.equal(res.statusCode, 201, res.body)
  const created = res.json() as Programme
  t.equal(res.headers.location, `/v1/programmes/${created.id}`)
  t.equal(res.headers.etag, '"1"')
  t.match(created, { ...body, status: 'draft', version: 1 })
  t.same((await api.get(`/v1/programmes/${created.id}`)).json(), created)

  const changed = await api.patch(`/v1/programmes/${created.id}`, { title: 'IMPACT', costPerPerson: null }, { headers: { 'if-match': '"1"' } })
  t.equal(changed.statusCode, 200)
  t.match(changed.json(), { title: 'IMPACT', costPerPerson: null, costPerEvent: 2400, version: 2 })
  t.equal(changed.headers.etag, '"2"')
  expectProblem(t, await api.patch(`/v1/programmes/${created.id}`, { title: 'Stale' }, { headers: { 'if-match': '"1"' } }), 412, 'precondition-failed')
  t.equal((await api.get(`/v1/programmes/${created.id}`)).json().title, 'IMPACT', 'the stale change was not applied')
})

t.test('eligibility is merged field by field; null clears a field', async (t) => {
  const programme = await api.programme({ eligibility: { levelMin: 2, levelMax: 5, staffTypes: ['officer', 'staff'], notes: 'Via PDR' } })
  const res = await api.patch(`/v1/programmes/${programme.id}`, { eligibility: { levelMax: 6 } })
  t.same(res.json().eligibility, { levelMin: 2, levelMax: 6, staffTypes: ['officer', 'staff'], notes: 'Via PDR' })
  const cleared = await api.patch(`/v1/programmes/${programme.id}`, { eligibility: { levelMin: null, notes: null, staffTypes: [] } })
  t.same(cleared.json().eligibility, { levelMin: null, levelMax: 6, staffTypes: [], notes: null })
})

t.test('schema errors are 400 validation problems pointing at each field', async (t) => {
  const missing = expectProblem(t, await api.post('/v1/programmes', {}), 400, 'validation')
  t.same(pointers(missing), ['/code', '/kind', '/title'])
  const bad = expectProblem(
    t,
    await api.post('/v1/programmes', {
      code: 'has space',
      title: 'T',
      kind: 'lecture',
      costPerEvent: -1,
      targetGroups: ['left_handed'],
      keyFeatures: ['one|two'],
      frameworkElementIds: ['not-a-uuid'],
      eligibility: { levelMin: -1, staffTypes: ['wizard'] },
      colour: 'blue'
    }),
    400,
    'validation'
  )
  for (const pointer of ['/code', '/kind', '/costPerEvent', '/targetGroups/0', '/keyFeatures/0', '/frameworkElementIds/0', '/eligibility/levelMin', '/eligibility/staffTypes/0', '/colour']) {
    t.ok(pointers(bad).includes(pointer), `points at ${pointer}`)
  }
  const programme = await api.programme()
  expectProblem(t, await api.patch(`/v1/programmes/${programme.id}`, { status: 'active' }), 400, 'validation')
  t.equal((await api.get(`/v1/programmes/${programme.id}`)).json().status, 'draft', 'PATCH cannot change the status')
  t.equal((await api.get('/v1/programmes/not-a-uuid')).statusCode, 400)
  expectProblem(t, await api.get(`/v1/programmes/${MISSING}`), 404, 'not-found')
})

t.test('rules across fields are 422 problems', async (t) => {
  const range = expectProblem(t, await api.post('/v1/programmes', { code: unique('R'), title: 'R', kind: 'course', eligibility: { levelMin: 5, levelMax: 2 } }), 422, 'unprocessable')
  t.same(pointers(range), ['/eligibility/levelMax'])
  const sizes = expectProblem(t, await api.post('/v1/programmes', { code: unique('S'), title: 'S', kind: 'course', defaultCapacity: 10, minParticipants: 12 }), 422, 'unprocessable')
  t.same(pointers(sizes), ['/minParticipants'])
  const owner = expectProblem(t, await api.post('/v1/programmes', { code: unique('O'), title: 'O', kind: 'course', ownerOrgUnitId: MISSING }), 422, 'invalid-reference')
  t.same(pointers(owner), ['/ownerOrgUnitId'])

  const programme = await api.programme({ eligibility: { levelMin: 2 } })
  const patch = expectProblem(t, await api.patch(`/v1/programmes/${programme.id}`, { eligibility: { levelMax: 1 } }), 422, 'unprocessable')
  t.same(pointers(patch), ['/eligibility/levelMax'], 'checked against the merged eligibility')
})

t.test('a code or externalId already used is a 409 conflict', async (t) => {
  const first = await api.programme({ externalId: unique('dup') })
  expectProblem(t, await api.post('/v1/programmes', { code: first.code, title: 'Again', kind: 'course' }), 409, 'conflict')
  expectProblem(t, await api.post('/v1/programmes', { code: unique('C'), title: 'Again', kind: 'course', externalId: first.externalId }), 409, 'conflict')
})

t.test('the status moves only along draft → pilot → active → retired (and draft → active)', async (t) => {
  const allowed: Record<ProgrammeStatus, ProgrammeStatus[]> = { draft: ['pilot', 'active'], pilot: ['active', 'retired'], active: ['retired'], retired: [] }
  const statuses: ProgrammeStatus[] = ['draft', 'pilot', 'active', 'retired']
  for (const from of statuses) {
    for (const to of statuses) {
      const programme = await api.programme({ status: from })
      const res = await api.post(`/v1/programmes/${programme.id}/transitions`, { to, reason: 'test' })
      if (allowed[from].includes(to)) {
        t.equal(res.statusCode, 200, `${from} → ${to} allowed`)
        t.match(res.json(), { status: to, version: programme.version + 1 })
      } else {
        const problem = expectProblem(t, res, 409, 'illegal-transition')
        t.match(problem, { from, to, allowed: allowed[from] }, `${from} → ${to} refused, naming the moves open`)
        t.match(problem.detail, from === to ? /already/ : new RegExp(`cannot move from ${from} to ${to}`))
        t.equal((await api.get(`/v1/programmes/${programme.id}`)).json().status, from, 'unchanged')
      }
    }
  }
})

t.test('a transition is audited with who and why, and published as programme.<status>', async (t) => {
  const programme = await api.programme()
  const res = await api.post(`/v1/programmes/${programme.id}/transitions`, { to: 'pilot', reason: 'Pilot with 40 participants' }, { sub: 'l-and-d-lead' })
  t.equal(res.statusCode, 200)
  await api.moveProgramme(programme.id, 'active', 'Pilot evaluated well')
  const audit = (await api.get(`/v1/audit-records?entityType=programme&entityId=${programme.id}&sort=id`)).json().data
  t.same(audit.map((r: { action: string }) => r.action), ['programme.created', 'programme.pilot', 'programme.active'])
  t.match(audit[1], { actor: 'l-and-d-lead', before: { status: 'draft' }, after: { status: 'pilot', previousStatus: 'draft', reason: 'Pilot with 40 participants' } })
  const events = await api.eventsOf(programme.id, 'programme.*')
  t.same(events.map((e) => e.type), ['programme.created', 'programme.pilot', 'programme.active'])
  t.match(events[2].data, { id: programme.id, status: 'active', previousStatus: 'pilot', reason: 'Pilot evaluated well' })
})

t.test('a transition honours If-Match', async (t) => {
  const programme = await api.programme()
  expectProblem(t, await api.post(`/v1/programmes/${programme.id}/transitions`, { to: 'active' }, { headers: { 'if-match': '"7"' } }), 412, 'precondition-failed')
  const ok = await api.post(`/v1/programmes/${programme.id}/transitions`, { to: 'active' }, { headers: { 'if-match': '"1"' } })
  t.equal(ok.statusCode, 200)
  t.equal(ok.headers.etag, '"2"')
  expectProblem(t, await api.post(`/v1/programmes/${programme.id}/transitions`, { to: 'retired' }, { headers: { 'if-match': '"1"' } }), 412, 'precondition-failed')
  expectProblem(t, await api.post(`/v1/programmes/${programme.id}/transitions`, { to: 'archived' }), 400, 'validation')
})

t.test('scopes: reading needs programmes:read or programmes:nominate, changing needs programmes:write', async (t) => {
  const programme = await api.programme()
  const read = { scopes: ['programmes:read'] }
  const nominate = { scopes: ['programmes:nominate'] }
  const other = { scopes: ['people:write'] }
  t.equal((await api.get('/v1/programmes', read)).statusCode, 200)
  t.equal((await api.get(`/v1/programmes/${programme.id}`, nominate)).statusCode, 200, 'a nominator sees what there is to nominate for')
  expectProblem(t, await api.get('/v1/programmes', other), 403, 'forbidden')
  expectProblem(t, await api.post('/v1/programmes', { code: unique('X'), title: 'X', kind: 'course' }, read), 403, 'forbidden')
  expectProblem(t, await api.patch(`/v1/programmes/${programme.id}`, { title: 'X' }, nominate), 403, 'forbidden')
  expectProblem(t, await api.post(`/v1/programmes/${programme.id}/transitions`, { to: 'active' }, read), 403, 'forbidden')
  expectProblem(t, await api.delete(`/v1/programmes/${programme.id}`, read), 403, 'forbidden')
  expectProblem(t, await api.post('/v1/programmes/import', '[]', { ...read, headers: { 'content-type': 'application/json' } }), 403, 'forbidden')
  t.equal((await api.post('/v1/programmes', { code: unique('W'), title: 'W', kind: 'course' }, { scopes: ['programmes:write'] })).statusCode, 201)
  const anonymous = await api.app.inject({ method: 'GET', url: '/v1/programmes' })
  t.equal(anonymous.statusCode, 401)
})

t.test('only a draft without cohorts can be deleted', async (t) => {
  const draft = await api.programme()
  expectProblem(t, await api.delete(`/v1/programmes/${draft.id}`, { headers: { 'if-match': '"9"' } }), 412, 'precondition-failed')
  const deleted = await api.delete(`/v1/programmes/${draft.id}`, { headers: { 'if-match': '"1"' } })
  t.equal(deleted.statusCode, 204)
  t.equal((await api.get(`/v1/programmes/${draft.id}`)).statusCode, 404)
  t.match((await api.eventsOf(draft.id, 'programme.deleted'))[0], { data: { id: draft.id } })

  const planned = await api.programme()
  await api.cohort({ programmeId: planned.id })
  t.match(expectProblem(t, await api.delete(`/v1/programmes/${planned.id}`), 409, 'still-referenced').detail, /cohorts/)

  const active = await api.activeProgramme()
  t.match(expectProblem(t, await api.delete(`/v1/programmes/${active.id}`), 409, 'programme-status').detail, /only a draft/)
  expectProblem(t, await api.delete(`/v1/programmes/${MISSING}`), 404, 'not-found')
})

t.test('list filters: status, kind, target group, code, externalId; sorted by title or creation', async (t) => {
  const tag = unique('lst')
  const a = await api.programme({ title: `${tag} Alpha`, aim: tag, kind: 'workshop', targetGroups: ['women'], externalId: `${tag}-a` })
  const b = await api.programme({ title: `${tag} Bravo`, aim: tag, kind: 'course', targetGroups: ['minority_ethnic', 'women'], status: 'active' })
  const c = await api.programme({ title: `${tag} Charlie`, aim: tag, kind: 'coaching', targetGroups: ['disabled'], status: 'retired' })
  const q = (s: string) => api.ids(`/v1/programmes?q=${tag}&${s}`)
  t.same(await q(''), ids(a, b, c))
  t.same(await q('status=active'), ids(b))
  t.same(await q('status=retired'), ids(c))
  t.same(await q('kind=workshop'), ids(a))
  t.same(await q('targetGroup=women'), ids(a, b))
  t.same(await q('targetGroup=minority_ethnic'), ids(b))
  t.same(await q('targetGroup=lgb'), [])
  t.same(await q(`code=${b.code}`), ids(b))
  t.same(await q(`externalId=${tag}-a`), ids(a))

  const byTitle = await api.get(`/v1/programmes?q=${tag}&limit=2`)
  t.same(byTitle.json().data.map((p: Programme) => p.title), [`${tag} Alpha`, `${tag} Bravo`])
  t.match(byTitle.headers.link, /rel="next"/)
  const rest = await api.get(`/v1/programmes?q=${tag}&limit=2&cursor=${encodeURIComponent(byTitle.json().page.nextCursor)}`)
  t.same(rest.json().data.map((p: Programme) => p.title), [`${tag} Charlie`])
  t.equal(rest.json().page.nextCursor, null)
  const byCreation = await api.all<Programme>(`/v1/programmes?q=${tag}&sort=createdAt&limit=1`)
  t.same(byCreation.map((p) => p.id), [a.id, b.id, c.id])

  for (const query of ['status=live', 'kind=lecture', 'targetGroup=left_handed', 'sort=cost', 'eligibleFor=nope', 'limit=0']) {
    expectProblem(t, await api.get(`/v1/programmes?${query}`), 400, 'validation')
  }
})

t.test('full-text search stems English words in code, title, aim and provider', async (t) => {
  const tag = unique('fts').replace(/[^a-z0-9]/gi, '')
  const consultation = await api.programme({ title: `Planning and Managing Corporate Consultations ${tag}`, provider: 'Dialogue by Design' })
  const coaching = await api.programme({ title: `Coaching for managers ${tag}`, aim: 'To support officers reaching their full potential through mentoring' })
  const q = (s: string) => api.ids(`/v1/programmes?q=${encodeURIComponent(`${s} ${tag}`)}`)
  t.same(await q('consultation'), ids(consultation), 'consultation finds Consultations')
  t.same(await q('planned'), ids(consultation), 'planned finds Planning')
  t.same(await q('dialogue'), ids(consultation), 'the provider is searched')
  t.same(await q('mentor'), ids(coaching), 'the aim is searched')
  t.same(await q('coaching manager'), ids(coaching), 'every word must match')
  t.same(await q('inspection'), [])
  t.same(await api.ids(`/v1/programmes?q=${encodeURIComponent(consultation.code)}`), ids(consultation), 'the code is searched')
  t.equal((await api.get(`/v1/programmes?q=${encodeURIComponent("'&|!(")}`)).statusCode, 200, 'query syntax is not interpreted')
})

t.test('eligibility filters compare grade levels across ranks and staff bands, as ineligibilityReasons does', async (t) => {
  const tag = unique('elig').replace(/[^a-z0-9]/gi, '')
  const programmes = {
    sergeantToSuperintendent: await api.programme({ aim: tag, eligibility: { levelMin: 2, levelMax: 5 } }),
    officersOnly: await api.programme({ aim: tag, eligibility: { levelMin: 2, levelMax: 5, staffTypes: ['officer'] } }),
    staffOnly: await api.programme({ aim: tag, eligibility: { staffTypes: ['staff'] } }),
    anyone: await api.programme({ aim: tag }),
    senior: await api.programme({ aim: tag, eligibility: { levelMin: 6 } }),
    nonManagerial: await api.programme({ aim: tag, eligibility: { levelMax: 1, staffTypes: ['staff', 'pcso'] } })
  }
  const people = {
    constable: await api.personWithGrade(1, 'officer'),
    bandE: await api.personWithGrade(1, 'staff'),
    sergeant: await api.personWithGrade(2, 'officer'),
    bandD: await api.personWithGrade(2, 'staff'),
    superintendent: await api.personWithGrade(5, 'officer'),
    bandA: await api.personWithGrade(5, 'staff'),
    chiefSuperintendent: await api.personWithGrade(6, 'officer'),
    pcso: await api.personWithGrade(1, 'pcso')
  }
  const ungraded = await api.person({ staffType: 'staff' })
  const rows = await api.ctx.database.db
    .selectFrom('programmes')
    .select(['id', 'eligible_level_min', 'eligible_level_max', 'eligible_staff_types'])
    .where('id', 'in', Object.values(programmes).map((p) => p.id))
    .execute()
  const expected = (staffType: string, level: number | null) =>
    rows.filter((p) => ineligibilityReasons(p, { staff_type: staffType as never, level }).length === 0).map((p) => p.id).sort()

  for (const [name, { person, grade }] of Object.entries(people)) {
    const byPerson = await api.ids(`/v1/programmes?q=${tag}&eligibleFor=${person.id}`)
    t.same(byPerson, expected(person.staffType, grade.level), `${name}: the same as ineligibilityReasons`)
    t.same(await api.ids(`/v1/programmes?q=${tag}&gradeId=${grade.id}`), byPerson, `${name}: the grade gives the same answer`)
  }
  t.same(await api.ids(`/v1/programmes?q=${tag}&eligibleFor=${ungraded.id}`), expected('staff', null), 'no grade: only programmes without a level range')

  const by = (person: { id: string }) => api.ids(`/v1/programmes?q=${tag}&eligibleFor=${person.id}`)
  t.same(await by(people.bandD.person), ids(programmes.sergeantToSuperintendent, programmes.staffOnly, programmes.anyone), 'band D is a sergeant’s equivalent')
  t.same(await by(people.sergeant.person), ids(programmes.sergeantToSuperintendent, programmes.officersOnly, programmes.anyone))
  t.same(await by(people.bandA.person), await by(people.superintendent.person).then((x) => x.filter((id) => id !== programmes.officersOnly.id).concat(programmes.staffOnly.id).sort()))
  t.same(await by(people.pcso.person), ids(programmes.anyone, programmes.nonManagerial))
  t.same(await by(people.chiefSuperintendent.person), ids(programmes.anyone, programmes.senior))
  t.same(await by(ungraded), ids(programmes.staffOnly, programmes.anyone))

  const both = await api.ids(`/v1/programmes?q=${tag}&eligibleFor=${people.bandD.person.id}&gradeId=${people.sergeant.grade.id}`)
  t.same(both, ids(programmes.sergeantToSuperintendent, programmes.anyone), 'both filters apply together')
  t.same(pointers(expectProblem(t, await api.get(`/v1/programmes?eligibleFor=${MISSING}`), 422, 'invalid-reference')), ['/eligibleFor'])
  t.same(pointers(expectProblem(t, await api.get(`/v1/programmes?gradeId=${MISSING}`), 422, 'invalid-reference')), ['/gradeId'])
})
