import t, { type Test } from 'tap'
import { buildAssessmentsApp } from './factories.js'

// A PATCH that changes nothing (an empty body, or every value as it is) is not a change: same version
// and ETag, no audit record, no event, and (for an element) no new framework version.
const api = await buildAssessmentsApp()
t.teardown(() => api.close())

type Trace = { audit: number; events: number }

async function trace(entityId: string, type: string): Promise<Trace> {
  const audit = (await api.get(`/v1/audit-records?entityId=${entityId}&limit=500`)).json().data.length
  const events = (await api.get(`/v1/events?type=${type}&limit=500`)).json().data.filter((e: { entityId: string }) => e.entityId === entityId).length
  return { audit, events }
}

async function unchanged(t: Test, url: string, body: unknown, etag: string, entityId: string, type: string, before: Trace) {
  const res = await api.patch(url, body, { headers: { 'if-match': etag } })
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.headers.etag, etag, `${JSON.stringify(body)} keeps the ETag`)
  t.equal(res.json().version, Number(etag.replace(/"/g, '')), 'and the version')
  t.same(await trace(entityId, type), before, 'no audit record, no event')
  return res.json()
}

t.test('a result patched with nothing new keeps its version and records nothing', async (t) => {
  const instrument = await api.instrument()
  const person = await api.person()
  const created = await api.post('/v1/psychometric-results', { instrumentId: instrument.id, personId: person.id, takenOn: '2006-03-14', normGroup: 'UK managers', scores: { A: 3, B: 61.25 } })
  t.equal(created.statusCode, 201, created.body)
  const id = created.json().id
  const url = `/v1/psychometric-results/${id}`
  const before = await trace(id, 'psychometric-result.*')
  t.same(before, { audit: 1, events: 1 })
  await unchanged(t, url, {}, '"1"', id, 'psychometric-result.*', before)
  await unchanged(t, url, { takenOn: '2006-03-14', normGroup: '  UK managers ', providerReference: null, assessorId: null, externalId: null, scores: { B: 61.25, A: 3 } }, '"1"', id, 'psychometric-result.*', before)

  const changed = await api.patch(url, { scores: { A: 3, B: 61.5 } }, { headers: { 'if-match': '"1"' } })
  t.equal(changed.headers.etag, '"2"', 'a score that differs is a change')
  t.same(await trace(id, 'psychometric-result.*'), { audit: 2, events: 2 })
  t.same(changed.json().scores, { A: 3, B: 61.5 })
})

t.test('an instrument and its scale patched with nothing new keep their version and record nothing', async (t) => {
  const instrument = await api.instrument({ description: 'Measures', provider: 'DBM' })
  const url = `/v1/instruments/${instrument.id}`
  const before = await trace(instrument.id, 'instrument.*')
  t.same(before, { audit: 1, events: 1 })
  await unchanged(t, url, {}, '"1"', instrument.id, 'instrument.*', before)
  await unchanged(t, url, { name: instrument.name, kind: 'personality', description: 'Measures', provider: 'DBM', status: 'active' }, '"1"', instrument.id, 'instrument.*', before)
  const scale = instrument.scales[1]
  await unchanged(t, `${url}/scales/${scale.id}`, {}, '"1"', instrument.id, 'instrument.*', before)
  await unchanged(t, `${url}/scales/${scale.id}`, { code: 'B', name: 'Scale B', scoreKind: 'percentile', minScore: 1, maxScore: 99, position: 1 }, '"1"', instrument.id, 'instrument.*', before)
  await unchanged(t, `${url}/scales/${scale.id}`, { position: 7 }, '"1"', instrument.id, 'instrument.*', before)

  const moved = await api.patch(`${url}/scales/${scale.id}`, { position: 0 }, { headers: { 'if-match': '"1"' } })
  t.equal(moved.headers.etag, '"2"', 'a move is a change')
  t.same(moved.json().scales.map((s: { code: string }) => s.code), ['B', 'A'])
  const renamed = await api.patch(url, { name: 'Renamed' }, { headers: { 'if-match': '"2"' } })
  t.equal(renamed.headers.etag, '"3"')
  t.same(await trace(instrument.id, 'instrument.*'), { audit: 3, events: 3 })
})

t.test('a framework and its element patched with nothing new keep their versions, so a reviewed publish still goes through', async (t) => {
  const framework = await api.framework({ description: 'Our values' })
  const parent = await api.element(framework.id, { code: 'V1', kind: 'value', title: 'A value' })
  const element = await api.element(framework.id, { code: 'B1', parentId: parent.id, title: 'A behaviour', description: 'Shown', polarity: 'negative' })
  const reviewed = await api.get(`/v1/frameworks/${framework.id}`)
  const etag = reviewed.headers.etag as string
  const before = await trace(framework.id, 'framework.*')
  t.same(before, { audit: 1, events: 1 })
  await unchanged(t, `/v1/frameworks/${framework.id}`, {}, etag, framework.id, 'framework.*', before)
  await unchanged(t, `/v1/frameworks/${framework.id}`, { name: framework.name, kind: 'values', description: 'Our values' }, etag, framework.id, 'framework.*', before)

  const elementUrl = `/v1/framework-elements/${element.id}`
  const elementBefore = await trace(element.id, 'framework-element.*')
  t.same(elementBefore, { audit: 1, events: 1 })
  await unchanged(t, elementUrl, {}, '"1"', element.id, 'framework-element.*', elementBefore)
  await unchanged(
    t,
    elementUrl,
    { code: 'B1', kind: 'behaviour', title: 'A behaviour', description: 'Shown', polarity: 'negative', parentId: parent.id, position: 0 },
    '"1"',
    element.id,
    'framework-element.*',
    elementBefore
  )
  t.equal((await api.get(`/v1/frameworks/${framework.id}`)).headers.etag, etag, 'the framework’s ETag has not moved')
  const published = await api.post(`/v1/frameworks/${framework.id}/transitions`, { to: 'published' }, { headers: { 'if-match': etag } })
  t.equal(published.statusCode, 200, published.body)
})

t.test('an element patch that changes something still moves the framework’s ETag', async (t) => {
  const framework = await api.framework()
  const parent = await api.element(framework.id, { code: 'V1', kind: 'value', title: 'A value' })
  const element = await api.element(framework.id, { code: 'B1', parentId: parent.id })
  const etag = (await api.get(`/v1/frameworks/${framework.id}`)).headers.etag as string
  const res = await api.patch(`/v1/framework-elements/${element.id}`, { title: 'Another behaviour' }, { headers: { 'if-match': '"1"' } })
  t.equal(res.headers.etag, '"2"')
  t.not((await api.get(`/v1/frameworks/${framework.id}`)).headers.etag, etag)
  const stale = await api.post(`/v1/frameworks/${framework.id}/transitions`, { to: 'published' }, { headers: { 'if-match': etag } })
  t.equal(stale.statusCode, 412)
})
