import t from 'tap'
import { buildPeopleApp, unique } from './factories.js'

const api = await buildPeopleApp()
t.teardown(() => api.close())

t.test('a grade is created, read, changed and deleted', async (t) => {
  const res = await api.post('/v1/grades', { code: 'PS', name: 'Police Sergeant', staffType: 'officer', level: 20, externalId: 'rank-ps' })
  t.equal(res.statusCode, 201)
  const grade = res.json()
  t.equal(res.headers.location, `/v1/grades/${grade.id}`)
  t.match(grade, { code: 'PS', name: 'Police Sergeant', staffType: 'officer', level: 20, externalId: 'rank-ps', version: 1 })

  t.same((await api.get(`/v1/grades/${grade.id}`)).json(), grade)

  const patched = await api.patch(`/v1/grades/${grade.id}`, { name: 'Sergeant', level: 21 }, { headers: { 'if-match': '"1"' } })
  t.equal(patched.statusCode, 200)
  t.match(patched.json(), { code: 'PS', name: 'Sergeant', level: 21, version: 2 })
  t.equal((await api.patch(`/v1/grades/${grade.id}`, { name: 'Stale' }, { headers: { 'if-match': '"1"' } })).statusCode, 412)

  t.equal((await api.delete(`/v1/grades/${grade.id}`)).statusCode, 204)
  t.equal((await api.get(`/v1/grades/${grade.id}`)).statusCode, 404)
})

t.test('a duplicate code is a 409 conflict', async (t) => {
  const grade = await api.grade()
  const res = await api.post('/v1/grades', { code: grade.code, name: 'Copy', staffType: 'staff', level: 3 })
  t.equal(res.statusCode, 409)
  t.equal(res.json().type, '/problems/conflict')
})

t.test('a level outside 0–100 or an unknown staff type is a 400 naming the field', async (t) => {
  const high = await api.post('/v1/grades', { code: unique('G'), name: 'Too high', staffType: 'officer', level: 101 })
  t.equal(high.statusCode, 400)
  t.ok(high.json().errors.some((e: { pointer: string }) => e.pointer === '/level'))
  const kind = await api.post('/v1/grades', { code: unique('G'), name: 'Odd', staffType: 'wizard', level: 1 })
  t.equal(kind.statusCode, 400)
  t.ok(kind.json().errors.some((e: { pointer: string }) => e.pointer === '/staffType'))
})

t.test('a grade someone holds cannot be deleted (409) until nobody holds it', async (t) => {
  const grade = await api.grade()
  const other = await api.grade()
  const person = await api.person({ gradeId: grade.id })
  const res = await api.delete(`/v1/grades/${grade.id}`)
  t.equal(res.statusCode, 409)
  t.equal(res.json().type, '/problems/still-referenced')
  t.equal((await api.get(`/v1/grades/${grade.id}`)).statusCode, 200)

  // Someone who has left still holds the grade in their record.
  await api.patch(`/v1/people/${person.id}`, { status: 'left' })
  t.equal((await api.delete(`/v1/grades/${grade.id}`)).statusCode, 409)

  await api.patch(`/v1/people/${person.id}`, { gradeId: other.id })
  t.equal((await api.delete(`/v1/grades/${grade.id}`)).statusCode, 204)
})

t.test('filters by staff type and level range', async (t) => {
  const tag = unique('lvl')
  // Levels 60+ are used only by this test, so the ranges below see these grades alone.
  const pc = await api.grade({ code: `${tag}-PC`, staffType: 'officer', level: 60 })
  const ps = await api.grade({ code: `${tag}-PS`, staffType: 'officer', level: 62 })
  const insp = await api.grade({ code: `${tag}-INSP`, staffType: 'officer', level: 64 })
  const bandE = await api.grade({ code: `${tag}-E`, staffType: 'staff', level: 60 })
  const bandC = await api.grade({ code: `${tag}-C`, staffType: 'staff', level: 64 })
  const pcso = await api.grade({ code: `${tag}-PCSO`, staffType: 'pcso', level: 59 })

  t.same(await api.ids('/v1/grades?levelMin=60&levelMax=64&staffType=officer'), [pc.id, ps.id, insp.id].sort())
  t.same(await api.ids('/v1/grades?levelMin=60&levelMax=64'), [pc.id, ps.id, insp.id, bandE.id, bandC.id].sort())
  t.same(await api.ids('/v1/grades?levelMin=62&levelMax=64'), [ps.id, insp.id, bandC.id].sort(), 'both ends are inclusive')
  t.same(await api.ids('/v1/grades?levelMin=59&levelMax=59'), [pcso.id])
  t.same(await api.ids('/v1/grades?levelMin=59&staffType=pcso'), [pcso.id])
  t.same(await api.ids('/v1/grades?levelMin=65'), [])

  const sorted = await api.all('/v1/grades?levelMin=59&levelMax=64')
  t.same(sorted.map((g) => g.level), [59, 60, 60, 62, 64, 64], 'sorted by level by default')
  const byCode = await api.all('/v1/grades?levelMin=59&levelMax=64&sort=code')
  t.same(byCode.map((g) => g.code), [...byCode.map((g) => g.code)].sort())
})

t.test('an unknown sort is a 400', async (t) => {
  const res = await api.get('/v1/grades?sort=name')
  t.equal(res.statusCode, 400)
  t.equal(res.json().type, '/problems/validation')
})

t.test('grade changes are audited and published', async (t) => {
  const grade = await api.grade()
  await api.patch(`/v1/grades/${grade.id}`, { name: 'Renamed' })
  const audit = await api.get(`/v1/audit-records?entityType=grade&entityId=${grade.id}&sort=id`)
  t.same(audit.json().data.map((r: { action: string }) => r.action), ['grade.created', 'grade.updated'])
  t.match(audit.json().data[1], { before: { name: grade.name }, after: { name: 'Renamed' } })
  const events = await api.get('/v1/events?type=grade.*&limit=500')
  t.ok(events.json().data.some((e: { type: string; entityId: string }) => e.type === 'grade.updated' && e.entityId === grade.id))
})
