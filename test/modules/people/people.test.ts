import t from 'tap'
import { buildPeopleApp, unique } from './factories.js'

const api = await buildPeopleApp()
t.teardown(() => api.close())

const MISSING = '00000000-0000-4000-8000-000000000000'
const pointers = (body: { errors?: Array<{ pointer: string }> }) => (body.errors ?? []).map((e) => e.pointer).sort()

t.test('a person is created, read and changed', async (t) => {
  const unit = await api.orgUnit()
  const grade = await api.grade()
  const res = await api.post('/v1/people', {
    externalId: unique('P'),
    givenName: 'Ada',
    familyName: 'Lovelace',
    preferredName: 'Ada',
    email: 'ada.lovelace@example.org',
    staffType: 'staff',
    gradeId: grade.id,
    orgUnitId: unit.id,
    startDate: '2020-04-01'
  })
  t.equal(res.statusCode, 201)
  const person = res.json()
  t.equal(res.headers.location, `/v1/people/${person.id}`)
  t.match(person, { givenName: 'Ada', familyName: 'Lovelace', staffType: 'staff', gradeId: grade.id, orgUnitId: unit.id, status: 'active', startDate: '2020-04-01', leavingDate: null, version: 1 })
  t.same((await api.get(`/v1/people/${person.id}`)).json(), person)

  const left = await api.patch(`/v1/people/${person.id}`, { status: 'left', leavingDate: '2024-03-31' }, { headers: { 'if-match': '"1"' } })
  t.equal(left.statusCode, 200)
  t.match(left.json(), { status: 'left', leavingDate: '2024-03-31', givenName: 'Ada', version: 2 })
  t.equal((await api.patch(`/v1/people/${person.id}`, { givenName: 'A' }, { headers: { 'if-match': '"1"' } })).statusCode, 412)

  const cleared = await api.patch(`/v1/people/${person.id}`, { preferredName: null, gradeId: null })
  t.match(cleared.json(), { preferredName: null, gradeId: null, orgUnitId: unit.id }, 'null clears a field; absent leaves it')
})

t.test('people are never deleted: DELETE is not an operation', async (t) => {
  const person = await api.person()
  const res = await api.delete(`/v1/people/${person.id}`)
  t.ok(res.statusCode === 404 || res.statusCode === 405, `refused (${res.statusCode})`)
  t.equal((await api.get(`/v1/people/${person.id}`)).statusCode, 200)
})

t.test('an email already used by someone else, in any case, is a 409', async (t) => {
  const email = `${unique('dup')}@example.org`
  await api.person({ email })
  const res = await api.post('/v1/people', { givenName: 'B', familyName: 'B', staffType: 'staff', email: email.toUpperCase() })
  t.equal(res.statusCode, 409)
  t.equal(res.json().type, '/problems/conflict')
})

t.test('a missing grade, org unit or manager is a 422 invalid-reference pointing at each field', async (t) => {
  const res = await api.post('/v1/people', { givenName: 'N', familyName: 'N', staffType: 'officer', gradeId: MISSING, orgUnitId: MISSING, lineManagerId: MISSING })
  t.equal(res.statusCode, 422)
  t.equal(res.json().type, '/problems/invalid-reference')
  t.same(pointers(res.json()), ['/gradeId', '/lineManagerId', '/orgUnitId'])

  const person = await api.person()
  for (const field of ['gradeId', 'orgUnitId', 'lineManagerId']) {
    const patch = await api.patch(`/v1/people/${person.id}`, { [field]: MISSING })
    t.equal(patch.statusCode, 422, field)
    t.same(pointers(patch.json()), [`/${field}`])
  }
  t.equal((await api.get(`/v1/people/${person.id}`)).json().version, 1, 'nothing was changed')
})

t.test('a malformed id in the path is a 400, an unknown one a 404', async (t) => {
  t.equal((await api.get('/v1/people/not-a-uuid')).statusCode, 400)
  t.equal((await api.get(`/v1/people/${MISSING}`)).statusCode, 404)
  t.equal((await api.patch(`/v1/people/${MISSING}`, { givenName: 'X' })).statusCode, 404)
})

t.test('nobody can be their own line manager', async (t) => {
  const person = await api.person()
  const res = await api.patch(`/v1/people/${person.id}`, { lineManagerId: person.id })
  t.equal(res.statusCode, 422)
  t.equal(res.json().type, '/problems/hierarchy-cycle')
  t.same(pointers(res.json()), ['/lineManagerId'])
  t.equal((await api.get(`/v1/people/${person.id}`)).json().lineManagerId, null)
})

t.test('a manager cannot be made to report to their own report, directly or through others', async (t) => {
  const a = await api.person()
  const b = await api.person({ lineManagerId: a.id })
  const c = await api.person({ lineManagerId: b.id })

  const direct = await api.patch(`/v1/people/${a.id}`, { lineManagerId: b.id })
  t.equal(direct.statusCode, 422)
  t.equal(direct.json().type, '/problems/hierarchy-cycle')

  const indirect = await api.patch(`/v1/people/${a.id}`, { lineManagerId: c.id })
  t.equal(indirect.statusCode, 422)
  t.equal(indirect.json().type, '/problems/hierarchy-cycle')
  t.equal((await api.get(`/v1/people/${a.id}`)).json().lineManagerId, null, 'A still has no manager')

  const sideways = await api.person()
  t.equal((await api.patch(`/v1/people/${a.id}`, { lineManagerId: sideways.id })).statusCode, 200, 'a manager outside the chain is fine')
})

t.test('GET /people/{id}/reports lists direct reports only', async (t) => {
  const boss = await api.person()
  const r1 = await api.person({ lineManagerId: boss.id })
  const r2 = await api.person({ lineManagerId: boss.id })
  await api.person({ lineManagerId: r1.id })
  const res = await api.get(`/v1/people/${boss.id}/reports`)
  t.equal(res.statusCode, 200)
  t.same(res.json().data.map((p: { id: string }) => p.id).sort(), [r1.id, r2.id].sort())

  await api.patch(`/v1/people/${r2.id}`, { status: 'left' })
  t.same((await api.get(`/v1/people/${boss.id}/reports?status=active`)).json().data.map((p: { id: string }) => p.id), [r1.id])
  t.same((await api.get(`/v1/people/${r1.id}/reports?status=left`)).json().data, [])
  t.equal((await api.get(`/v1/people/${MISSING}/reports`)).statusCode, 404)
})

t.test('list filters', async (t) => {
  const tag = unique('flt')
  const top = await api.orgUnit({ name: `${tag} top`, kind: 'business_group' })
  const mid = await api.orgUnit({ name: `${tag} mid`, kind: 'borough', parentId: top.id })
  const leaf = await api.orgUnit({ name: `${tag} leaf`, kind: 'team', parentId: mid.id })
  const elsewhere = await api.orgUnit({ name: `${tag} elsewhere` })
  // Levels 80+ are used only here, so the range filters see these grades alone.
  const pc = await api.grade({ staffType: 'officer', level: 80 })
  const ps = await api.grade({ staffType: 'officer', level: 82 })
  const insp = await api.grade({ staffType: 'officer', level: 84 })
  const bandD = await api.grade({ staffType: 'staff', level: 82 })
  const pcso = await api.grade({ staffType: 'pcso', level: 79 })

  const boss = await api.person({ givenName: 'Olivia', familyName: `${tag}-Okafor`, orgUnitId: top.id, gradeId: insp.id, email: `${tag}-olivia@example.org` })
  const sgt = await api.person({ givenName: 'Sam', familyName: `${tag}-Patel`, orgUnitId: mid.id, gradeId: ps.id, lineManagerId: boss.id, externalId: `${tag}-sgt` })
  const pcA = await api.person({ givenName: 'Ravi', familyName: `${tag}-Jones`, preferredName: 'Rav', orgUnitId: leaf.id, gradeId: pc.id, lineManagerId: sgt.id })
  const staff = await api.person({ givenName: 'Chloé', familyName: `${tag}-Brown`, staffType: 'staff', orgUnitId: leaf.id, gradeId: bandD.id, lineManagerId: sgt.id })
  const community = await api.person({ givenName: 'Kim', familyName: `${tag}-Lee`, staffType: 'pcso', orgUnitId: elsewhere.id, gradeId: pcso.id })
  const leaver = await api.person({ givenName: 'Lee', familyName: `${tag}-Gone`, orgUnitId: mid.id, gradeId: ps.id, status: 'left' })

  const ids = (...people: Array<{ id: string }>) => people.map((p) => p.id).sort()
  const q = (s: string) => api.ids(`/v1/people?${s}`)

  t.same(await q(`orgUnitId=${mid.id}`), ids(sgt, leaver), 'orgUnitId alone: that unit only')
  t.same(await q(`orgUnitId=${mid.id}&includeDescendants=true`), ids(sgt, leaver, pcA, staff), 'with includeDescendants: the subtree too')
  t.same(await q(`orgUnitId=${top.id}&includeDescendants=true`), ids(boss, sgt, leaver, pcA, staff))
  t.same(await q(`orgUnitId=${leaf.id}&includeDescendants=true`), ids(pcA, staff))
  t.same(await q(`gradeId=${ps.id}`), ids(sgt, leaver))
  t.same(await q('levelMin=80&levelMax=82'), ids(pcA, sgt, leaver, staff), 'a level range spans staff types')
  t.same(await q('levelMin=82&levelMax=84&staffType=officer'), ids(boss, sgt, leaver))
  t.same(await q('levelMin=79&levelMax=79'), ids(community))
  t.same(await q(`staffType=staff&orgUnitId=${top.id}&includeDescendants=true`), ids(staff))
  t.same(await q(`status=left&orgUnitId=${top.id}&includeDescendants=true`), ids(leaver))
  t.same(await q(`status=active&orgUnitId=${mid.id}`), ids(sgt))
  t.same(await q(`lineManagerId=${sgt.id}`), ids(pcA, staff))
  t.same(await q(`externalId=${tag}-sgt`), ids(sgt))
  t.same(await q(`email=${encodeURIComponent(`${tag}-OLIVIA@Example.ORG`)}`), ids(boss), 'email matches whatever the case')
  t.same(await q(`q=${encodeURIComponent(`${tag}-pat`)}`), ids(sgt), 'q matches the family name, case-insensitively')
  t.same(await q(`q=rav&orgUnitId=${leaf.id}`), ids(pcA), 'q matches the preferred name')
  t.same(await q(`q=chlo&orgUnitId=${leaf.id}`), ids(staff), 'q matches the given name')
  t.same(await q(`q=${encodeURIComponent('%')}&orgUnitId=${leaf.id}`), [], '% is literal in q')

  const sorted = await api.all(`/v1/people?orgUnitId=${top.id}&includeDescendants=true`)
  t.same(sorted.map((p) => p.familyName), [...sorted.map((p) => p.familyName)].sort(), 'sorted by family name')
})

t.test('list filters reject malformed values with 400', async (t) => {
  for (const query of ['orgUnitId=nope', 'levelMin=-1', 'levelMax=101', 'staffType=pilot', 'status=retired', 'sort=email', 'limit=501']) {
    const res = await api.get(`/v1/people?${query}`)
    t.equal(res.statusCode, 400, query)
  }
})

t.test('person responses never carry diversity data', async (t) => {
  const unit = await api.orgUnit()
  const person = await api.person({ orgUnitId: unit.id, externalId: unique('DIV') })
  const put = await api.put(`/v1/people/${person.id}/diversity-record`, { ethnicity: 'M3', sex: 'female', disability: 'yes', religionOrBelief: 'buddhist', ethnicitySelfDefined: 'SelfDescribedHeritage' })
  t.equal(put.statusCode, 201)
  const forbidden = /ethnicity|M3|religion|buddhist|disability|SelfDescribedHeritage|sexualOrientation|genderIdentity/i
  const bodies = [
    (await api.get(`/v1/people/${person.id}`)).body,
    (await api.get(`/v1/people?orgUnitId=${unit.id}`)).body,
    (await api.patch(`/v1/people/${person.id}`, { givenName: 'Renamed' })).body,
    (await api.get('/v1/people/export')).body,
    (await api.get('/v1/people/export?format=csv')).body
  ]
  for (const body of bodies) t.notMatch(body, forbidden)
  t.same(Object.keys((await api.get(`/v1/people/${person.id}`)).json()).sort(), [
    'createdAt', 'email', 'externalId', 'familyName', 'givenName', 'gradeId', 'id', 'leavingDate', 'lineManagerId',
    'orgUnitId', 'preferredName', 'staffType', 'startDate', 'status', 'updatedAt', 'version'
  ])
})

t.test('person changes are audited with before and after, and published', async (t) => {
  const person = await api.person()
  await api.patch(`/v1/people/${person.id}`, { familyName: 'Changed' })
  const audit = (await api.get(`/v1/audit-records?entityType=person&entityId=${person.id}&sort=id`)).json().data
  t.same(audit.map((r: { action: string }) => r.action), ['person.created', 'person.updated'])
  t.match(audit[1], { before: { familyName: person.familyName }, after: { familyName: 'Changed' }, actor: 'test-admin' })
  const events = (await api.get('/v1/events?type=person.updated&limit=500')).json().data
  t.ok(events.some((e: { entityId: string; data: { familyName: string } }) => e.entityId === person.id && e.data.familyName === 'Changed'))
})
