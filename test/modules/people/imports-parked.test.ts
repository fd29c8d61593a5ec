import { sql } from 'kysely'
import t from 'tap'
import { buildPeopleApp, ndjson, unique } from './factories.js'

// A row that names a line manager further down the file is written at once with the id reserved
// for that manager (the reference is checked at commit). These are the cases where the manager
// never comes or is refused, so the rows pointing at it are refused once the file is in.
const api = await buildPeopleApp()
t.teardown(() => api.close())

const row = (externalId: string, fields: Record<string, unknown> = {}) => ({ externalId, givenName: 'Jo', familyName: externalId, staffType: 'officer', ...fields })
const lines = (body: { failures: Array<{ line: number }> }) => body.failures.map((f) => f.line)
const person = async (externalId: string) => (await api.get(`/v1/people?externalId=${externalId}`)).json().data[0]

t.test('a parked row whose email is taken fails on its own line; the rows pointing at it fail too, the rest are written', async (t) => {
  const p = unique('parked')
  const email = `${p}@example.org`
  await api.import('people', ndjson([row(`${p}-owner`, { email })]), 'application/x-ndjson')
  const mark = await api.trailMark()
  const res = await api.import('people', ndjson([
    row(`${p}-a`, { email: email.toUpperCase(), lineManagerExternalId: `${p}-boss` }),
    row(`${p}-b`, { lineManagerExternalId: `${p}-a` }),
    row(`${p}-c`, { lineManagerExternalId: `${p}-boss` }),
    row(`${p}-boss`)
  ]), 'application/x-ndjson', 'atomic=false')
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.same(lines(body), [1, 2])
  t.match(body.failures[0].errors[0].detail, /email/)
  t.match(body.failures[1].errors[0], { pointer: '/lineManagerExternalId', detail: `no person with externalId ${p}-a` })
  t.same(body.counts, { read: 4, created: 2, updated: 0, unchanged: 0, failed: 2 })
  t.equal(await person(`${p}-a`), undefined)
  t.equal(await person(`${p}-b`), undefined)
  const boss = await person(`${p}-boss`)
  t.equal((await person(`${p}-c`)).lineManagerId, boss.id)
  t.equal((await api.trailMark()).events - mark.events, 2, 'an event for each written row only')
  const audited = await api.ctx.database.db.selectFrom('audit_records').select('entity_id').where(sql`after->>'externalId'`, 'in', ['a', 'b', 'c', 'boss'].map((x) => `${p}-${x}`)).execute()
  t.equal(audited.length, 2, 'and an audit record for each')
})

t.test('the same file, atomic: nothing is written and every failure is listed', async (t) => {
  const p = unique('parkedatomic')
  const email = `${p}@example.org`
  await api.import('people', ndjson([row(`${p}-owner`, { email })]), 'application/x-ndjson')
  const res = await api.import('people', ndjson([
    row(`${p}-a`, { email, lineManagerExternalId: `${p}-boss` }),
    row(`${p}-c`, { lineManagerExternalId: `${p}-boss` }),
    row(`${p}-boss`)
  ]), 'application/x-ndjson')
  t.equal(res.statusCode, 422)
  t.same(lines(res.json()), [1])
  t.equal(await person(`${p}-boss`), undefined)
  t.equal(await person(`${p}-c`), undefined)
})

t.test('a chain of parked rows (each manager further down) is written in one go, every pointer set', async (t) => {
  const p = unique('chain')
  const n = 40
  const res = await api.import('people', ndjson(Array.from({ length: n }, (_, i) => row(`${p}-${i}`, i < n - 1 ? { lineManagerExternalId: `${p}-${i + 1}` } : {}))), 'application/x-ndjson')
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json().counts, { read: n, created: n, updated: 0, unchanged: 0, failed: 0 })
  const top = await person(`${p}-${n - 1}`)
  const next = await person(`${p}-${n - 2}`)
  t.equal(next.lineManagerId, top.id)
  t.equal(next.version, 1, 'written once')
  const events = (await api.get(`/v1/events?type=person.created&limit=500&after=0`)).json().data.filter((e: { data: { externalId: string } }) => e.data.externalId?.startsWith(`${p}-`))
  t.equal(events.length, n)
  t.ok(events.every((e: { data: { lineManagerId: string | null; externalId: string } }) => e.data.externalId === `${p}-${n - 1}` || e.data.lineManagerId), 'each event carries the row with its manager set')
})
