import t from 'tap'
import { buildRecommendationsApp, csv, ndjson } from './factories.js'

const api = await buildRecommendationsApp()
t.teardown(() => api.close())

const COLUMNS = ['externalId', 'sourceCode', 'number', 'title', 'area', 'directedTo', 'themeCodes', 'ownerOrgUnitExternalId', 'ownerPersonExternalId', 'status', 'closureReason', 'statusRationale']

const source = await api.source({ code: 'IMP-SLIR', title: 'The Stephen Lawrence Inquiry' })
await api.theme({ code: 'IMP-TRUST' })
await api.theme({ code: 'IMP-RACIST-INCIDENTS' })
await api.orgUnit({ externalId: 'IMP-DCFD', name: 'Diversity and Citizen Focus Directorate' })
await api.person({ externalId: 'IMP-P1' })

const seventy = () =>
  Array.from({ length: 70 }, (_, i) => ({
    externalId: `IMP-SLIR-${i + 1}`,
    sourceCode: 'IMP-SLIR',
    number: String(i + 1),
    title: `Recommendation ${i + 1}`,
    area: i + 1 >= 12 && i + 1 <= 14 ? 'Definition of racist incident' : 'Other',
    directedTo: i < 39 ? 'Police Services' : 'Others',
    themeCodes: i % 2 ? 'IMP-TRUST|IMP-RACIST-INCIDENTS' : 'IMP-TRUST',
    ownerOrgUnitExternalId: 'IMP-DCFD',
    ownerPersonExternalId: i === 0 ? 'IMP-P1' : '',
    status: i < 20 ? 'in_progress' : ''
  }))

const countOfSource = async () => (await api.all(`/v1/recommendations?sourceId=${source.id}&limit=500`)).length

t.test('a 70-row source with bad rows is refused whole; a dry run reports every error with its line', async (t) => {
  const rows: Array<Record<string, unknown>> = seventy()
  rows[4].themeCodes = 'IMP-TRUST|NO-SUCH-THEME' // line 6
  rows[11].status = 'embedded' // line 13
  rows[32].ownerOrgUnitExternalId = 'NOWHERE' // line 34
  rows[49].title = '' // line 51
  rows[69].status = 'closed' // line 71: no closure reason
  rows[60].number = rows[59].number // line 62: two rows for number 60
  const body = csv(COLUMNS, rows)
  const mark = await api.trailMark()

  const dry = await api.import('recommendations', body, 'text/csv', 'dryRun=true')
  t.equal(dry.statusCode, 200)
  const result = dry.json()
  t.match(result, { dryRun: true, committed: false, counts: { read: 70, failed: 6 } })
  t.same(
    result.failures.map((f: any) => [f.line, f.errors.map((e: any) => e.pointer).join(',')]),
    [[6, '/themeCodes'], [13, '/status'], [34, '/ownerOrgUnitExternalId'], [51, '/title'], [62, '/number'], [71, '/closureReason']]
  )
  t.match(result.failures[1].errors[0].detail, /panel review/)

  const real = await api.import('recommendations', body, 'text/csv')
  t.equal(real.statusCode, 422)
  t.equal(real.json().type, '/problems/import-rejected')
  t.equal(real.json().failures.length, 6)
  t.equal(await countOfSource(), 0, 'nothing written')
  t.same(await api.trailMark(), mark, 'no audit record or event either')
})

t.test('the corrected file imports, again changes nothing, and statuses follow the rules', async (t) => {
  const res = await api.import('recommendations', csv(COLUMNS, seventy()), 'text/csv')
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json().counts, { read: 70, created: 70, failed: 0 })
  const all = await api.all<Record<string, any>>(`/v1/recommendations?sourceId=${source.id}&limit=500`)
  t.same(all.map((r) => r.number), Array.from({ length: 70 }, (_, i) => String(i + 1)), 'ordered as printed')
  t.equal(all.filter((r) => r.directedTo === 'Police Services').length, 39)
  t.equal(all.filter((r) => r.status === 'in_progress').length, 20)
  t.equal(all[1].themeIds.length, 2)
  const history = await api.history(all[0].id)
  t.match(history, [{ from: null, to: 'in_progress', via: 'import' }])

  const again = await api.import('recommendations', csv(COLUMNS, seventy()), 'text/csv')
  t.match(again.json().counts, { unchanged: 70, created: 0, updated: 0 })

  const moves = await api.import(
    'recommendations',
    ndjson([
      { ...seventy()[0], status: 'partially_embedded' },
      { ...seventy()[1], status: 'embedded' },
      { ...seventy()[30], status: 'continuing_challenge' }
    ]),
    'application/x-ndjson'
  )
  t.equal(moves.statusCode, 422)
  t.same(moves.json().failures.map((f: any) => f.line), [2, 3], 'embedded refused; not_started → continuing_challenge is not a move')
  const ok = await api.import('recommendations', ndjson([{ ...seventy()[0], status: 'partially_embedded', statusRationale: 'boroughs report' }]), 'application/x-ndjson')
  t.match(ok.json().counts, { updated: 1 })
  t.match((await api.history(all[0].id)).at(-1), { from: 'in_progress', to: 'partially_embedded', via: 'import', rationale: 'boroughs report' })

  const exported = await api.get('/v1/recommendations/export?format=csv')
  t.equal(exported.statusCode, 200)
  t.equal(exported.body.trim().split('\n').length, 71)
})

t.test('a recommendation recorded without an externalId is matched by source code and number', async (t) => {
  const s = await api.source({ code: 'IMP-HMIC', kind: 'inspection' })
  const rec = await api.recommendation({ sourceId: s.id, number: '4', title: 'Old title' })
  const res = await api.import('recommendations', ndjson([{ externalId: 'HMIC-4', sourceCode: 'IMP-HMIC', number: '4', title: 'New title' }]), 'application/x-ndjson')
  t.match(res.json().counts, { updated: 1, created: 0 })
  t.match((await api.get(`/v1/recommendations/${rec.id}`)).json(), { externalId: 'HMIC-4', title: 'New title' })
  const clash = await api.import('recommendations', ndjson([{ externalId: 'HMIC-4-bis', sourceCode: 'IMP-HMIC', number: '4', title: 'x' }]), 'application/x-ndjson')
  t.equal(clash.statusCode, 422)
  t.match(clash.json().failures[0].errors[0], { pointer: '/number' })
  const scope = await api.import('recommendations', ndjson([{ externalId: 'x', sourceCode: 'IMP-HMIC', number: '5', title: 'x' }]), 'application/x-ndjson', '', { scopes: ['recommendations:read'] })
  t.equal(scope.statusCode, 403)
})

t.test('closureReason goes with the status: a kept status keeps its reason, a different one is refused, never dropped', async (t) => {
  await api.source({ code: 'IMP-CLOSE', title: 'Closure reasons' })
  const base = { sourceCode: 'IMP-CLOSE', title: 'Superseded one' }
  const row = (extra: Record<string, unknown>) => ndjson([{ externalId: 'IMP-CLOSE-1', number: '1', ...base, ...extra }])
  const created = await api.import('recommendations', row({ status: 'closed', closureReason: 'superseded', statusRationale: 'by HMIC rec 4' }), 'application/x-ndjson')
  t.match(created.json().counts, { created: 1 }, created.body)
  const [rec] = await api.all<Record<string, any>>('/v1/recommendations?externalId=IMP-CLOSE-1')
  t.match(rec, { status: 'closed', closureReason: 'superseded' })

  const mark = await api.trailMark()
  for (const [label, extra] of [
    ['status left out', { closureReason: 'not_applicable' }],
    ['status as it is', { status: 'closed', closureReason: 'not_applicable' }]
  ] as const) {
    const res = await api.import('recommendations', row(extra), 'application/x-ndjson')
    t.equal(res.statusCode, 422, `${label}: a different closure reason is refused, not reported unchanged`)
    t.same(res.json().failures[0].errors.map((e: any) => e.pointer), ['/closureReason'])
    t.match(res.json().failures[0].errors[0].detail, /closed as superseded; a closure reason changes only by reopening it/)
  }
  const cleared = await api.import('recommendations', row({ status: 'closed' }), 'application/x-ndjson')
  t.equal(cleared.statusCode, 422, 'a closed recommendation keeps a reason')
  t.match(cleared.json().failures[0].errors[0], { pointer: '/closureReason', detail: /required for a closed recommendation/ })
  t.same(await api.trailMark(), mark, 'nothing written by the refused rows')
  t.match((await api.get(`/v1/recommendations/${rec.id}`)).json(), { status: 'closed', closureReason: 'superseded', version: rec.version })

  for (const extra of [{}, { status: 'closed', closureReason: 'superseded' }]) {
    const same = await api.import('recommendations', row(extra), 'application/x-ndjson')
    t.match(same.json().counts, { unchanged: 1 }, 'the same reason, or reason and status both left out: unchanged')
  }

  // An open recommendation takes no closure reason without closing: refused, not dropped.
  const open = await api.recommendation({ sourceId: rec.sourceId, number: '2', externalId: 'IMP-CLOSE-2' })
  const stray = await api.import('recommendations', ndjson([{ externalId: 'IMP-CLOSE-2', number: '2', ...base, closureReason: 'other' }]), 'application/x-ndjson')
  t.equal(stray.statusCode, 422)
  t.match(stray.json().failures[0].errors, [{ pointer: '/closureReason', detail: 'is given only when closing; the recommendation is not_started' }])
  t.equal((await api.get(`/v1/recommendations/${open.id}`)).json().closureReason, null)

  // Closed as `other` (the rationale is in the history): its export imports back unchanged.
  await api.move(open.id, 'closed', 'merged into the Themed Approach', { closureReason: 'other' })
  const exported = await api.get('/v1/recommendations/export?format=ndjson')
  const lines = exported.body.trim().split('\n').filter((l) => JSON.parse(l).sourceCode === 'IMP-CLOSE')
  t.equal(lines.length, 2)
  const again = await api.import('recommendations', `${lines.join('\n')}\n`, 'application/x-ndjson')
  t.equal(again.statusCode, 200, again.body)
  t.match(again.json().counts, { unchanged: 2, failed: 0 })
})
