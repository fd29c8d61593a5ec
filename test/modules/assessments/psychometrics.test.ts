import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildAssessmentsApp, csv, unique, type Instrument } from './factories.js'

const api = await buildAssessmentsApp()
t.teardown(() => api.close())

const MISSING = '00000000-0000-4000-8000-000000000000'
const pointers = (body: { errors?: Array<{ pointer: string }> }) => (body.errors ?? []).map((e) => e.pointer).sort()
const asPerson = (personId: string, scopes: string[] = []) => ({ headers: { authorization: `Bearer ${api.ctx.token(scopes, { sub: `person-${personId}`, personId })}` } })
const RESULT_COLUMNS = ['externalId', 'instrumentCode', 'personExternalId', 'assessorExternalId', 'takenOn', 'normGroup', 'providerReference', 'scores']

t.test('an instrument is created with its scales; ranges default by score kind and are checked', async (t) => {
  const code = unique('QUINTAX').replace(/[^A-Za-z0-9_.-]/g, '_')
  const res = await api.post('/v1/instruments', {
    code,
    name: 'Quintax personality measure',
    kind: 'personality',
    provider: 'DBM',
    scales: [
      { code: 'EXT', name: 'Extraversion', scoreKind: 'sten' },
      { code: 'MOT', name: 'Achievement', scoreKind: 'percentile' },
      { code: 'RAW', name: 'Items endorsed', scoreKind: 'raw', minScore: 0, maxScore: 40 }
    ]
  })
  t.equal(res.statusCode, 201, res.body)
  const instrument = res.json() as Instrument
  t.equal(res.headers.etag, '"1"')
  t.same(instrument.scales.map((s) => [s.code, s.scoreKind, s.minScore, s.maxScore, s.position]), [['EXT', 'sten', 1, 10, 0], ['MOT', 'percentile', 1, 99, 1], ['RAW', 'raw', 0, 40, 2]])

  const bad = expectProblem(
    t,
    await api.post('/v1/instruments', {
      code: `${code}-2`,
      name: 'x',
      kind: 'motivation',
      scales: [{ code: 'A', name: 'A', scoreKind: 'raw' }, { code: 'A', name: 'B', scoreKind: 'sten', minScore: 1.5, maxScore: 10 }, { code: 'C', name: 'C', scoreKind: 't_score', minScore: 80, maxScore: 20 }]
    }),
    422,
    'unprocessable'
  )
  t.same(pointers(bad), ['/scales/0/maxScore', '/scales/0/minScore', '/scales/1/code', '/scales/1/minScore', '/scales/2/maxScore'])
  expectProblem(t, await api.post('/v1/instruments', { code, name: 'x', kind: 'personality', scales: [{ code: 'A', name: 'A', scoreKind: 'sten' }] }), 409, 'conflict')

  const added = await api.post(`/v1/instruments/${instrument.id}/scales`, { code: 'AGR', name: 'Agreeableness', scoreKind: 'sten' }, { headers: { 'if-match': '"1"' } })
  t.equal(added.statusCode, 201, added.body)
  t.equal(added.json().version, 2)
  const agr = added.json().scales.find((s: { code: string }) => s.code === 'AGR')
  const moved = await api.patch(`/v1/instruments/${instrument.id}/scales/${agr.id}`, { position: 0, name: 'Agreeableness (A)' })
  t.same(moved.json().scales.map((s: { code: string }) => s.code), ['AGR', 'EXT', 'MOT', 'RAW'])
  expectProblem(t, await api.patch(`/v1/instruments/${instrument.id}/scales/${agr.id}`, { name: 'stale' }, { headers: { 'if-match': '"1"' } }), 412, 'precondition-failed')
  const removed = await api.delete(`/v1/instruments/${instrument.id}/scales/${agr.id}`)
  t.same(removed.json().scales.map((s: { code: string; position: number }) => [s.code, s.position]), [['EXT', 0], ['MOT', 1], ['RAW', 2]])
  expectProblem(t, await api.delete(`/v1/instruments/${instrument.id}/scales/${MISSING}`), 404, 'not-found')
  t.same((await api.get(`/v1/instruments?code=${code}`)).json().data.map((i: Instrument) => i.id), [instrument.id])
})

t.test('a result scores every scale once, within its range', async (t) => {
  const instrument = await api.instrument()
  const person = await api.person()
  const base = { instrumentId: instrument.id, personId: person.id, takenOn: '2006-03-14', normGroup: 'UK managers', providerReference: 'DBM-0042' }
  const res = await api.post('/v1/psychometric-results', { ...base, scores: { B: 87.5, A: 7 } })
  t.equal(res.statusCode, 201, res.body)
  t.match(res.json(), { ...base, instrumentCode: instrument.code, assessorId: null, externalId: null, version: 1 })
  t.same(Object.entries(res.json().scores), [['A', 7], ['B', 87.5]], 'in scale order')

  const mark = await api.trailMark()
  const bad = expectProblem(t, await api.post('/v1/psychometric-results', { ...base, scores: { A: 7.5, B: 100, Z: 1 } }), 422, 'unprocessable')
  t.same(bad.errors, [
    { in: 'body', pointer: '/scores/A', detail: 'sten scores are whole numbers' },
    { in: 'body', pointer: '/scores/B', detail: 'must be from 1 to 99 (percentile)' },
    { in: 'body', pointer: '/scores/Z', detail: 'the instrument has no scale Z; its scales are A, B' }
  ])
  const missing = expectProblem(t, await api.post('/v1/psychometric-results', { ...base, scores: { A: 0 } }), 422, 'unprocessable')
  t.same(pointers(missing), ['/scores/A', '/scores/B'])
  expectProblem(t, await api.post('/v1/psychometric-results', { ...base, scores: { A: '5', B: 50 } }), 400, 'validation')
  expectProblem(t, await api.post('/v1/psychometric-results', { ...base, takenOn: '2999-01-01', scores: { A: 5, B: 50 } }), 422, 'unprocessable')
  const refs = expectProblem(t, await api.post('/v1/psychometric-results', { ...base, personId: MISSING, assessorId: MISSING, scores: { A: 5, B: 50 } }), 422, 'invalid-reference')
  t.same(pointers(refs), ['/assessorId', '/personId'])
  expectProblem(t, await api.post('/v1/psychometric-results', { ...base, instrumentId: MISSING, scores: { A: 5, B: 50 } }), 422, 'invalid-reference')
  t.same(await api.trailMark(), mark, 'nothing written')

  // Scales are fixed once there are results; names may still change.
  const scaleA = instrument.scales[0]
  expectProblem(t, await api.patch(`/v1/instruments/${instrument.id}/scales/${scaleA.id}`, { maxScore: 9 }), 409, 'instrument-in-use')
  expectProblem(t, await api.post(`/v1/instruments/${instrument.id}/scales`, { code: 'C', name: 'C', scoreKind: 'sten' }), 409, 'instrument-in-use')
  expectProblem(t, await api.delete(`/v1/instruments/${instrument.id}/scales/${scaleA.id}`), 409, 'instrument-in-use')
  t.equal((await api.patch(`/v1/instruments/${instrument.id}/scales/${scaleA.id}`, { name: 'Renamed' })).statusCode, 200)

  // Corrected under If-Match; a retired instrument takes no new results.
  const id = res.json().id
  const fixed = await api.patch(`/v1/psychometric-results/${id}`, { scores: { A: 8, B: 87.5 }, normGroup: null }, { headers: { 'if-match': '"1"' } })
  t.equal(fixed.statusCode, 200, fixed.body)
  t.match(fixed.json(), { scores: { A: 8, B: 87.5 }, normGroup: null, version: 2 })
  expectProblem(t, await api.patch(`/v1/psychometric-results/${id}`, { normGroup: 'x' }, { headers: { 'if-match': '"1"' } }), 412, 'precondition-failed')
  await api.patch(`/v1/instruments/${instrument.id}`, { status: 'retired' })
  expectProblem(t, await api.post('/v1/psychometric-results', { ...base, scores: { A: 5, B: 50 } }), 409, 'instrument-retired')
  t.equal((await api.patch(`/v1/psychometric-results/${id}`, { normGroup: 'UK managers 2005' })).statusCode, 200, 'existing results can still be corrected')
})

t.test('events and audit records of a result carry ids, never scores', async (t) => {
  const instrument = await api.instrument()
  const person = await api.person()
  const res = await api.post('/v1/psychometric-results', { instrumentId: instrument.id, personId: person.id, takenOn: '2006-03-14', scores: { A: 3, B: 61.25 } })
  const id = res.json().id
  await api.patch(`/v1/psychometric-results/${id}`, { scores: { A: 4, B: 62.75 } })
  const events = (await api.get('/v1/events?type=psychometric-result.*&limit=500')).json().data.filter((e: { entityId: string }) => e.entityId === id)
  t.same(events.map((e: { type: string }) => e.type), ['psychometric-result.created', 'psychometric-result.updated'])
  const audit = (await api.get(`/v1/audit-records?entityId=${id}`)).json().data
  t.equal(audit.length, 2)
  for (const text of [JSON.stringify(events), JSON.stringify(audit)]) {
    t.notMatch(text, /61\.25|62\.75|"scores"/, 'no score appears')
    t.match(text, new RegExp(person.id), 'the person is named by id')
  }
  t.equal((await api.delete(`/v1/psychometric-results/${id}`)).statusCode, 204)
  t.equal((await api.get(`/v1/psychometric-results/${id}`)).statusCode, 404)
})

t.test('a result is readable by the person, their assessor and assessments:read; to anyone else it does not exist', async (t) => {
  const instrument = await api.instrument()
  const [subject, assessor, stranger, other] = [await api.person(), await api.person(), await api.person(), await api.person()]
  const mine = (await api.post('/v1/psychometric-results', { instrumentId: instrument.id, personId: subject.id, assessorId: assessor.id, takenOn: '2007-01-10', scores: { A: 6, B: 40 } })).json()
  const notAssessed = (await api.post('/v1/psychometric-results', { instrumentId: instrument.id, personId: subject.id, takenOn: '2008-01-10', scores: { A: 5, B: 45 } })).json()
  const url = `/v1/psychometric-results/${mine.id}`

  t.equal((await api.get(url, asPerson(subject.id))).statusCode, 200, 'the person, with no scope at all')
  t.same((await api.get(url, asPerson(subject.id))).json().scores, { A: 6, B: 40 })
  t.equal((await api.get(url, asPerson(assessor.id))).statusCode, 200, 'their assessor')
  t.equal((await api.get(url, { scopes: ['assessments:read'] })).statusCode, 200, 'a reader')
  const hidden = expectProblem(t, await api.get(url, asPerson(stranger.id, ['people:read', 'programmes:write'])), 404, 'not-found')
  const absent = expectProblem(t, await api.get(`/v1/psychometric-results/${MISSING}`, asPerson(stranger.id)), 404, 'not-found')
  t.equal(hidden.title, absent.title, 'the same answer as for a result that does not exist')
  expectProblem(t, await api.get(url, { scopes: ['people:read'] }), 404, 'not-found')
  expectProblem(t, await api.get(`/v1/psychometric-results/${notAssessed.id}`, asPerson(assessor.id)), 404, 'not-found')
  expectProblem(t, await api.app.inject({ method: 'GET', url }), 401, 'unauthorized')

  // A person's list: all for the person and readers, the assessed ones for the assessor, nothing for others.
  const listUrl = `/v1/people/${subject.id}/psychometric-results`
  const ids = (res: { json(): { data: Array<{ id: string }> } }) => res.json().data.map((r) => r.id)
  t.same(ids(await api.get(listUrl, asPerson(subject.id))), [mine.id, notAssessed.id])
  t.same(ids(await api.get(listUrl, { scopes: ['assessments:read'] })), [mine.id, notAssessed.id])
  t.same(ids(await api.get(listUrl, asPerson(assessor.id))), [mine.id])
  expectProblem(t, await api.get(listUrl, asPerson(stranger.id)), 404, 'not-found')
  expectProblem(t, await api.get(`/v1/people/${other.id}/psychometric-results`, asPerson(assessor.id)), 404, 'not-found')
  expectProblem(t, await api.get(`/v1/people/${MISSING}/psychometric-results`), 404, 'not-found')
  t.same(ids(await api.get(`${listUrl}?instrumentId=${MISSING}`, asPerson(subject.id))), [])

  // Writing and the admin list need the scopes.
  expectProblem(t, await api.get('/v1/psychometric-results', asPerson(subject.id)), 403, 'forbidden')
  expectProblem(t, await api.patch(url, { normGroup: 'x' }, asPerson(subject.id, ['assessments:read'])), 403, 'forbidden')
  expectProblem(t, await api.post('/v1/psychometric-results', { instrumentId: instrument.id, personId: subject.id, takenOn: '2007-01-10', scores: { A: 6, B: 40 } }, { scopes: ['assessments:read'] }), 403, 'forbidden')
  const listed = await api.get(`/v1/psychometric-results?personId=${subject.id}&assessorId=${assessor.id}`, { scopes: ['assessments:read'] })
  t.same(ids(listed), [mine.id])
  t.same(ids(await api.get(`/v1/psychometric-results?personId=${subject.id}&takenFrom=2008-01-01&takenTo=2008-12-31`)), [notAssessed.id])
})

t.test('results are imported in bulk by externalId, with per-row errors, and exported back unchanged', async (t) => {
  const instrument = await api.instrument({ scales: [{ code: 'EXT', name: 'Extraversion', scoreKind: 'sten' }, { code: 'ACH', name: 'Achievement', scoreKind: 'percentile' }] })
  const tag = unique('imp')
  const [p1, p2, psychologist] = [await api.person({ externalId: `${tag}-1` }), await api.person({ externalId: `${tag}-2` }), await api.person({ externalId: `${tag}-psy` })]
  const row = (n: number, fields: Record<string, unknown>) => ({ externalId: `${tag}-r${n}`, instrumentCode: instrument.code, takenOn: '2006-05-02', ...fields })
  const good = [
    row(1, { personExternalId: `${tag}-1`, assessorExternalId: `${tag}-psy`, normGroup: 'UK managers, 2005', scores: 'EXT=7|ACH=55.5' }),
    row(2, { personExternalId: `${tag}-2`, providerReference: 'CMQ 17', scores: 'ACH=12|EXT=3' })
  ]
  const bad = [
    row(3, { personExternalId: `${tag}-nobody`, scores: 'EXT=7|ACH=55' }),
    row(4, { personExternalId: `${tag}-1`, scores: 'EXT=11|ACH=x' }),
    row(5, { personExternalId: `${tag}-1`, instrumentCode: 'NOPE', scores: 'EXT=1' }),
    row(6, { personExternalId: `${tag}-1`, scores: 'EXT=1' })
  ]
  const mark = await api.trailMark()
  const rejected = expectProblem(t, await api.import('psychometric-results', csv(RESULT_COLUMNS, [...good, ...bad]), 'text/csv'), 422, 'import-rejected')
  t.same(rejected.counts, { read: 6, created: 2, updated: 0, unchanged: 0, failed: 4 })
  const failures = (rejected.failures as Array<{ line: number; errors: Array<{ pointer: string; detail: string }> }>).map((f) => [f.line, f.errors.map((e) => `${e.pointer}: ${e.detail}`)])
  t.same(failures, [
    [4, [`/personExternalId: no person with externalId ${tag}-nobody`]],
    [5, ['/scores/ACH: "x" is not a number']],
    [6, ['/instrumentCode: no instrument with code NOPE']],
    [7, ['/scores/ACH: is required: every scale of the instrument is scored']]
  ])
  t.same(await api.trailMark(), mark, 'an atomic import with failures writes nothing')

  const ok = await api.import('psychometric-results', csv(RESULT_COLUMNS, good), 'text/csv')
  t.equal(ok.statusCode, 200, ok.body)
  t.same(ok.json().counts, { read: 2, created: 2, updated: 0, unchanged: 0, failed: 0 })
  const first = (await api.get(`/v1/psychometric-results?externalId=${tag}-r1`)).json().data[0]
  t.match(first, { personId: p1.id, assessorId: psychologist.id, normGroup: 'UK managers, 2005', scores: { EXT: 7, ACH: 55.5 } })
  t.same((await api.get(`/v1/people/${p2.id}/psychometric-results`)).json().data[0].scores, { EXT: 3, ACH: 12 })

  const again = await api.import('psychometric-results', JSON.stringify(good.map((g) => ({ ...g }))), 'application/json')
  t.same(again.json().counts, { read: 2, created: 0, updated: 0, unchanged: 2, failed: 0 })
  const changed = await api.import('psychometric-results', JSON.stringify([{ ...good[0], scores: { EXT: 8, ACH: 55.5 } }]), 'application/json')
  t.same(changed.json().counts, { read: 1, created: 0, updated: 1, unchanged: 0, failed: 0 })
  const moved = await api.import('psychometric-results', JSON.stringify([{ ...good[0], personExternalId: `${tag}-2` }]), 'application/json')
  t.match(moved.json().failures, [{ line: 1, errors: [{ pointer: '/personExternalId', detail: /fixed/ }] }])

  const exported = await api.get('/v1/psychometric-results/export?format=csv')
  t.equal(exported.statusCode, 200)
  t.match(exported.body, new RegExp(`${tag}-r1,${instrument.code},${tag}-1,${tag}-psy,2006-05-02,"UK managers, 2005",,EXT=8\\|ACH=55.5`))
  // Results recorded singly without an externalId cannot be matched on import: this file's rows can.
  const ours = exported.body.split('\n').filter((line, i) => i === 0 || line.startsWith(`${tag}-`)).join('\n')
  const back = await api.import('psychometric-results', ours, 'text/csv')
  t.same(back.json().counts, { read: 2, created: 0, updated: 0, unchanged: 2, failed: 0 }, 'every exported row imports back unchanged')
  expectProblem(t, await api.import('psychometric-results', csv(RESULT_COLUMNS, good), 'text/csv', '', { scopes: ['assessments:read'] }), 403, 'forbidden')
})
