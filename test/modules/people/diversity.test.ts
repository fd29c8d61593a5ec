import t from 'tap'
import { buildPeopleApp, unique, type Person } from './factories.js'

const api = await buildPeopleApp()
t.teardown(() => api.close())

const url = (p: { id: string }) => `/v1/people/${p.id}/diversity-record`
const READ = { scopes: ['diversity:read'] }
const WRITE = { scopes: ['diversity:write'] }

t.test('PUT creates (201) then replaces (200, version 2); GET reads it; DELETE erases it', async (t) => {
  const person = await api.person()
  const first = await api.put(url(person), { ethnicity: 'B1', sex: 'male', disability: 'no' }, WRITE)
  t.equal(first.statusCode, 201)
  t.equal(first.headers.location, url(person))
  t.match(first.json(), { personId: person.id, ethnicity: 'B1', sex: 'male', disability: 'no', version: 1 })

  const second = await api.put(url(person), { ethnicity: 'B2', sex: 'male' }, WRITE)
  t.equal(second.statusCode, 200)
  t.match(second.json(), { ethnicity: 'B2', version: 2 })
  t.equal(second.json().disability, null, 'a field left out of a PUT is cleared')
  t.equal(second.headers.etag, '"2"')

  const got = await api.get(url(person), READ)
  t.equal(got.statusCode, 200)
  t.same(got.json(), second.json())

  const again = await api.put(url(person), { ethnicity: 'B2', sex: 'male' }, WRITE)
  t.equal(again.statusCode, 200)
  t.equal(again.json().version, 2, 'the same answers again change nothing')

  t.equal((await api.delete(url(person), WRITE)).statusCode, 204)
  t.equal((await api.get(url(person), READ)).statusCode, 404)
  t.equal((await api.delete(url(person), WRITE)).statusCode, 404)
})

t.test('a stale If-Match on PUT or DELETE is a 412 and the record stays', async (t) => {
  const person = await api.person()
  await api.put(url(person), { ethnicity: 'A1' }, WRITE)
  await api.put(url(person), { ethnicity: 'A2' }, WRITE)
  const put = await api.put(url(person), { ethnicity: 'A3' }, { ...WRITE, headers: { 'if-match': '"1"' } })
  t.equal(put.statusCode, 412)
  t.equal(put.json().type, '/problems/precondition-failed')
  t.equal((await api.delete(url(person), { ...WRITE, headers: { 'if-match': '"1"' } })).statusCode, 412)
  t.match((await api.get(url(person), READ)).json(), { ethnicity: 'A2', version: 2 })
  t.equal((await api.put(url(person), { ethnicity: 'A3' }, { ...WRITE, headers: { 'if-match': '"2"' } })).statusCode, 200)
})

t.test('an invalid ethnicity code or answer is a 400 naming the field', async (t) => {
  const person = await api.person()
  const res = await api.put(url(person), { ethnicity: 'Z9' }, WRITE)
  t.equal(res.statusCode, 400)
  t.equal(res.json().type, '/problems/validation')
  t.ok(res.json().errors.some((e: { pointer: string }) => e.pointer === '/ethnicity'))
  t.equal((await api.put(url(person), { sex: 'sometimes' }, WRITE)).statusCode, 400)
  t.equal((await api.get(url(person), READ)).statusCode, 404, 'nothing was stored')
})

t.test('a record for a person who does not exist is a 404', async (t) => {
  const missing = { id: '00000000-0000-4000-8000-000000000000' }
  t.equal((await api.put(url(missing), { ethnicity: 'W1' }, WRITE)).statusCode, 404)
  t.equal((await api.get(url(missing), READ)).statusCode, 404)
})

t.test('individual records need diversity:read / diversity:write', async (t) => {
  const person = await api.person()
  await api.put(url(person), { ethnicity: 'W2' }, WRITE)
  for (const scopes of [['people:read'], ['people:write'], ['diversity:report'], ['audit:read']]) {
    t.equal((await api.get(url(person), { scopes })).statusCode, 403, `GET with ${scopes}`)
    t.equal((await api.put(url(person), { ethnicity: 'W9' }, { scopes })).statusCode, 403, `PUT with ${scopes}`)
    t.equal((await api.delete(url(person), { scopes })).statusCode, 403, `DELETE with ${scopes}`)
  }
  t.equal((await api.put(url(person), { ethnicity: 'W9' }, READ)).statusCode, 403, 'read does not grant write')
  t.equal((await api.get(url(person), { scopes: ['admin'] })).statusCode, 200, 'admin works')
  t.equal((await api.get(url(person), READ)).json().ethnicity, 'W2', 'the refused writes changed nothing')
})

t.test('the audit trail and the change feed name the person but never the answers', async (t) => {
  const person = await api.person()
  // Values nobody else in this file writes, so finding them anywhere would be a leak.
  const selfDefined = `Heritage-${unique('sd')}`
  await api.put(url(person), { ethnicity: 'M2', ethnicitySelfDefined: selfDefined, religionOrBelief: 'sikh', sexualOrientation: 'bisexual' }, WRITE)
  await api.put(url(person), { ethnicity: 'O1', ethnicitySelfDefined: selfDefined, religionOrBelief: 'sikh' }, WRITE)
  await api.delete(url(person), WRITE)

  const audit = await api.get(`/v1/audit-records?entityType=diversity-record&entityId=${person.id}&sort=id`)
  t.equal(audit.statusCode, 200)
  t.same(audit.json().data.map((r: { action: string }) => r.action), ['diversity-record.created', 'diversity-record.updated', 'diversity-record.deleted'])
  const events = await api.get('/v1/events?type=diversity-record.*&limit=500')
  const mine = events.json().data.filter((e: { entityId: string }) => e.entityId === person.id)
  t.equal(mine.length, 3)
  for (const text of [audit.body, JSON.stringify(mine)]) {
    t.notMatch(text, /"M2"|"O1"/, 'no ethnicity code')
    t.notMatch(text, selfDefined, 'no self-described ethnicity')
    t.notMatch(text, /sikh|bisexual|ethnicity|religion|orientation/i, 'no other answer or field name')
  }
})

/** `count` people in `unit` with this ethnicity (or no record when undefined). */
async function population(orgUnitId: string, gradeId: string, counts: Record<string, number>): Promise<Person[]> {
  const people: Person[] = []
  for (const [ethnicity, n] of Object.entries(counts)) {
    for (let i = 0; i < n; i++) {
      const person = await api.person({ orgUnitId, gradeId })
      if (ethnicity !== 'none') await api.put(url(person), { ethnicity }, WRITE)
      people.push(person)
    }
  }
  return people
}

t.test('aggregates by org unit suppress cells under 5 and round the rest to the nearest 5', async (t) => {
  const top = await api.orgUnit({ kind: 'business_group' })
  const u1 = await api.orgUnit({ parentId: top.id })
  const u2 = await api.orgUnit({ parentId: top.id })
  const grade = await api.grade()
  await population(u1.id, grade.id, { W1: 6, A1: 2, none: 1 })
  await population(u2.id, grade.id, { B2: 5, W1: 4 })

  const res = await api.get(`/v1/diversity/aggregates?characteristic=ethnicity&groupBy=orgUnit&orgUnitId=${top.id}`, READ)
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.threshold, 5)
  t.equal(body.roundedTo, 5)
  const cell = (orgUnitId: string, value: string | null) => body.cells.find((c: { orgUnitId: string; value: string | null }) => c.orgUnitId === orgUnitId && c.value === value)
  t.match(cell(u1.id, 'W1'), { count: 5, suppressed: false }, '6 is shown as 5')
  t.match(cell(u1.id, 'A1'), { count: null, suppressed: true })
  t.match(cell(u1.id, null), { count: null, suppressed: true }, 'people with no record form their own (suppressed) cell')
  t.match(cell(u2.id, 'B2'), { count: 5, suppressed: false }, 'exactly 5 is shown')
  t.match(cell(u2.id, 'W1'), { count: null, suppressed: true }, '4 is suppressed')
  t.equal(body.cells.length, 5)
  for (const c of body.cells) t.ok(c.suppressed ? c.count === null : c.count >= 5 && c.count % 5 === 0, 'no cell shows a count under 5 or an exact count')
  t.notOk(body.cells.some((c: { orgUnitId: string }) => c.orgUnitId === top.id), 'no totals row that would reveal suppressed cells')

  const none = await api.get(`/v1/diversity/aggregates?characteristic=ethnicity&groupBy=none&orgUnitId=${top.id}`, READ)
  const w1 = none.json().cells.find((c: { value: string }) => c.value === 'W1')
  t.match(w1, { count: 10, suppressed: false }, 'W1 across both units: 6 + 4, rounded')
  t.not(w1.count - cell(u1.id, 'W1').count, 4, 'the withheld 4 cannot be recovered by subtraction')
  t.notOk('orgUnitId' in w1)

  const byGrade = await api.get(`/v1/diversity/aggregates?characteristic=ethnicity&groupBy=grade&orgUnitId=${top.id}`, READ)
  t.match(byGrade.json().cells.find((c: { value: string }) => c.value === 'B2'), { gradeId: grade.id, count: 5 })
})

t.test('diversity:report reads aggregates but not individual records; people scopes read neither', async (t) => {
  const person = await api.person()
  await api.put(url(person), { sex: 'female' }, WRITE)
  const report = { scopes: ['diversity:report'] }
  t.equal((await api.get('/v1/diversity/aggregates?characteristic=sex', report)).statusCode, 200)
  t.equal((await api.get(url(person), report)).statusCode, 403)
  t.equal((await api.get('/v1/diversity/aggregates?characteristic=sex', READ)).statusCode, 200)
  t.equal((await api.get('/v1/diversity/aggregates?characteristic=sex', { scopes: ['people:read'] })).statusCode, 403)
  t.equal((await api.get('/v1/diversity/aggregates?characteristic=sex', { scopes: ['people:write'] })).statusCode, 403)
})

t.test('an unknown characteristic is a 400', async (t) => {
  const res = await api.get('/v1/diversity/aggregates?characteristic=height', READ)
  t.equal(res.statusCode, 400)
})
