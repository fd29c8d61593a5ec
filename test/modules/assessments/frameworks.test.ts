import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildAssessmentsApp, frameworkCode, type Framework, type FrameworkElement } from './factories.js'

const api = await buildAssessmentsApp()
t.teardown(() => api.close())

const MISSING = '00000000-0000-4000-8000-000000000000'
const pointers = (body: { errors?: Array<{ pointer: string }> }) => (body.errors ?? []).map((e) => e.pointer).sort()
const ifMatch = (version: number) => ({ headers: { 'if-match': `"${version}"` } })
/** Codes of a tree, nested as [code, [children]] — what a reader of the tree sees. */
const shape = (nodes: Array<Record<string, any>>): unknown[] => nodes.map((n) => (n.children.length ? [n.code, shape(n.children)] : n.code))

t.test('a draft framework is created, read, changed under If-Match and published once sound', async (t) => {
  const code = frameworkCode()
  const res = await api.post('/v1/frameworks', { code, name: '  MPS values  ', kind: 'values', description: 'Working together\r\nwith all our citizens' })
  t.equal(res.statusCode, 201, res.body)
  const created = res.json() as Framework
  t.equal(res.headers.location, `/v1/frameworks/${created.id}`)
  t.equal(res.headers.etag, '"1"')
  t.match(created, { code, versionNumber: 1, name: 'MPS values', kind: 'values', description: 'Working together\nwith all our citizens', status: 'draft', publishedAt: null, elementCount: 0, version: 1 })
  t.same((await api.get(`/v1/frameworks/${created.id}`)).json(), created)

  expectProblem(t, await api.post('/v1/frameworks', { code, name: 'Again', kind: 'values' }), 409, 'conflict')
  const renamed = await api.patch(`/v1/frameworks/${created.id}`, { name: 'MPS values and behaviours' }, ifMatch(1))
  t.equal(renamed.statusCode, 200)
  t.match(renamed.json(), { name: 'MPS values and behaviours', version: 2 })
  expectProblem(t, await api.patch(`/v1/frameworks/${created.id}`, { name: 'Stale' }, ifMatch(1)), 412, 'precondition-failed')
  t.equal((await api.get(`/v1/frameworks/${created.id}`)).json().name, 'MPS values and behaviours', 'the stale change was not applied')

  // An empty tree cannot be published, and says why.
  const empty = expectProblem(t, await api.post(`/v1/frameworks/${created.id}/transitions`, { to: 'published' }), 409, 'framework-unsound')
  t.same(pointers(empty), ['/elements'])
  t.match(empty.errors![0].detail, /no behaviour indicator/)

  const value = await api.element(created.id, { code: 'V1', kind: 'value', title: 'We will build trust by listening and responding' })
  const lonely = expectProblem(t, await api.post(`/v1/frameworks/${created.id}/transitions`, { to: 'published' }), 409, 'framework-unsound')
  t.same(pointers(lonely), ['/elements', '/elements/V1'])
  await api.element(created.id, { code: 'V1-P1', parentId: value.id, title: 'encourage constructive feedback' })
  await api.element(created.id, { code: 'V1-N1', parentId: value.id, title: 'see time spent building relationships with others as pointless', polarity: 'negative' })

  const current = (await api.get(`/v1/frameworks/${created.id}`)).json() as Framework
  t.equal(current.version, 5, 'each element added moved the framework’s version')
  expectProblem(t, await api.post(`/v1/frameworks/${created.id}/transitions`, { to: 'published' }, ifMatch(4)), 412, 'precondition-failed')
  const published = await api.post(`/v1/frameworks/${created.id}/transitions`, { to: 'published', reason: 'Approved by Management Board' }, ifMatch(5))
  t.equal(published.statusCode, 200, published.body)
  t.match(published.json(), { status: 'published', version: 6, elementCount: 3 })
  t.ok(published.json().publishedAt)

  const events = (await api.get(`/v1/events?type=framework.published`)).json().data.filter((e: any) => e.entityId === created.id)
  t.equal(events.length, 1)
  t.match(events[0].data, { previousStatus: 'draft', reason: 'Approved by Management Board' })
})

t.test('every change to a published version or its elements is refused with 409 framework-frozen', async (t) => {
  const framework = await api.publishedFramework()
  const tree = await api.tree(framework.id)
  const value = tree.elements[0]
  const before = await api.trailMark()
  expectProblem(t, await api.patch(`/v1/frameworks/${framework.id}`, { name: 'Changed' }), 409, 'framework-frozen')
  expectProblem(t, await api.delete(`/v1/frameworks/${framework.id}`), 409, 'framework-frozen')
  expectProblem(t, await api.post(`/v1/frameworks/${framework.id}/elements`, { code: 'NEW', kind: 'behaviour', title: 'x', parentId: value.id }), 409, 'framework-frozen')
  expectProblem(t, await api.patch(`/v1/framework-elements/${value.id}`, { title: 'Changed' }), 409, 'framework-frozen')
  expectProblem(t, await api.patch(`/v1/framework-elements/${value.children[1].id}`, { position: 0 }), 409, 'framework-frozen')
  expectProblem(t, await api.delete(`/v1/framework-elements/${value.children[0].id}`), 409, 'framework-frozen')
  t.same(await api.trailMark(), before, 'nothing written, no audit record, no event')
  t.same(await api.tree(framework.id), tree, 'the version is as it was')
})

t.test('status moves: draft → published → retired, nothing else', async (t) => {
  const draft = await api.importedFramework()
  const retireDraft = expectProblem(t, await api.post(`/v1/frameworks/${draft.id}/transitions`, { to: 'retired' }), 409, 'illegal-transition')
  t.match(retireDraft, { from: 'draft', to: 'retired', allowed: ['published'] })
  await api.publish(draft.id)
  expectProblem(t, await api.post(`/v1/frameworks/${draft.id}/transitions`, { to: 'published' }), 409, 'illegal-transition')
  const retired = await api.post(`/v1/frameworks/${draft.id}/transitions`, { to: 'retired' })
  t.equal(retired.json().status, 'retired')
  t.ok(retired.json().publishedAt, 'a retired version keeps when it was published')
  const again = expectProblem(t, await api.post(`/v1/frameworks/${draft.id}/transitions`, { to: 'published' }), 409, 'illegal-transition')
  t.match(again.detail, /retired is final/)
  expectProblem(t, await api.post(`/v1/frameworks/${draft.id}/transitions`, { to: 'draft' }), 400, 'validation')
  expectProblem(t, await api.post(`/v1/frameworks/${MISSING}/transitions`, { to: 'published' }), 404, 'not-found')
})

t.test('publishing checks the tree and names every element at fault', async (t) => {
  const res = await api.post('/v1/frameworks/import', {
    code: frameworkCode(),
    name: 'Unsound',
    kind: 'competency',
    elements: [
      { code: 'CL', kind: 'cluster', title: 'A cluster with nothing in it' },
      { code: 'B0', kind: 'behaviour', title: 'A behaviour at the top' },
      { code: 'C1', kind: 'competency', title: 'Negative competency', polarity: 'negative', children: [{ code: 'C1-B', kind: 'behaviour', title: 'ok' }] },
      { code: 'V1', kind: 'value', title: 'A value in a competency framework', children: [{ code: 'V1-B', kind: 'behaviour', title: 'ok' }] },
      { code: 'C2', kind: 'competency', title: 'Under a behaviour', children: [{ code: 'C2-C', kind: 'cluster', title: 'A cluster under a competency' }] }
    ]
  })
  t.equal(res.statusCode, 201, 'a draft may be unsound')
  const problem = expectProblem(t, await api.post(`/v1/frameworks/${res.json().id}/transitions`, { to: 'published' }), 409, 'framework-unsound')
  t.same(pointers(problem), ['/elements/B0', '/elements/C1', '/elements/C2', '/elements/C2-C', '/elements/C2-C', '/elements/CL', '/elements/V1'])
  const detail = (pointer: string) => problem.errors!.filter((e) => e.pointer === pointer).map((e) => e.detail)
  t.match(detail('/elements/B0'), [/a behaviour sits at the top level; it belongs under a competency or a value/])
  t.match(detail('/elements/C1'), [/only behaviour indicators may be negative/])
  t.match(detail('/elements/V1'), [/a competency framework holds competencies, not values/])
  t.match(detail('/elements/C2'), [/has no behaviour indicators/])
  t.match(detail('/elements/CL'), [/has no competencies or values/])
  t.equal((await api.get(`/v1/frameworks/${res.json().id}`)).json().status, 'draft', 'still a draft')
})

t.test('elements are added, changed, moved and reordered in a draft; positions stay dense', async (t) => {
  const framework = await api.framework({ kind: 'competency' })
  const cluster = await api.element(framework.id, { code: 'CL1', kind: 'cluster', title: 'Resolute, compassionate and committed' })
  const c1 = await api.element(framework.id, { code: 'C1', kind: 'competency', title: 'We are emotionally aware', parentId: cluster.id })
  const c2 = await api.element(framework.id, { code: 'C2', kind: 'competency', title: 'We take ownership', parentId: cluster.id })
  const b1 = await api.element(framework.id, { code: 'B1', parentId: c1.id })
  const b2 = await api.element(framework.id, { code: 'B2', parentId: c1.id })
  const b0 = await api.element(framework.id, { code: 'B0', parentId: c1.id, position: 0 })
  t.equal(b0.lineageId, b0.id, 'a new element is its own lineage')
  t.same(shape((await api.tree(framework.id)).elements), [['CL1', [['C1', ['B0', 'B1', 'B2']], 'C2']]])

  // Reorder within the parent, then move to another parent (appended), then to a given position.
  const reordered = await api.patch(`/v1/framework-elements/${b2.id}`, { position: 0 }, ifMatch(1))
  t.equal(reordered.statusCode, 200, reordered.body)
  t.match(reordered.json(), { position: 0, version: 2 })
  t.same(shape((await api.tree(framework.id)).elements), [['CL1', [['C1', ['B2', 'B0', 'B1']], 'C2']]])
  const moved = await api.patch(`/v1/framework-elements/${b0.id}`, { parentId: c2.id })
  t.match(moved.json(), { parentId: c2.id, position: 0 })
  await api.patch(`/v1/framework-elements/${b2.id}`, { parentId: c2.id, position: 0, title: 'Shows empathy' })
  t.same(shape((await api.tree(framework.id)).elements), [['CL1', [['C1', ['B1']], ['C2', ['B2', 'B0']]]]])
  const listed = (await api.get(`/v1/frameworks/${framework.id}/elements?parentId=${c2.id}`)).json().data as FrameworkElement[]
  t.same(listed.map((e) => [e.code, e.position, e.title]), [['B2', 0, 'Shows empathy'], ['B0', 1, 'A behaviour']])
  const moves = (await api.get(`/v1/events?type=framework-element.moved`)).json().data.filter((e: any) => e.entityId === b0.id)
  t.match(moves[0].data, { id: b0.id, parentId: c2.id, previousParentId: c1.id })

  // A move under itself or its own descendant would make a loop.
  const mark = await api.trailMark()
  const loop = expectProblem(t, await api.patch(`/v1/framework-elements/${cluster.id}`, { parentId: b2.id }), 422, 'hierarchy-cycle')
  t.same(pointers(loop), ['/parentId'])
  expectProblem(t, await api.patch(`/v1/framework-elements/${c1.id}`, { parentId: c1.id }), 422, 'hierarchy-cycle')
  t.same(await api.trailMark(), mark, 'refused moves write nothing')
  const other = await api.importedFramework()
  const foreign = (await api.tree(other.id)).elements[0].id
  expectProblem(t, await api.patch(`/v1/framework-elements/${b1.id}`, { parentId: foreign }), 422, 'invalid-reference')
  expectProblem(t, await api.post(`/v1/frameworks/${framework.id}/elements`, { code: 'X', kind: 'behaviour', title: 'x', parentId: MISSING }), 422, 'invalid-reference')
  expectProblem(t, await api.post(`/v1/frameworks/${framework.id}/elements`, { code: 'B1', kind: 'behaviour', title: 'x' }), 409, 'conflict')
  expectProblem(t, await api.patch(`/v1/framework-elements/${b1.id}`, { title: 'stale' }, ifMatch(9)), 412, 'precondition-failed')

  // Back to the top level, then delete a subtree: its siblings close up.
  await api.patch(`/v1/framework-elements/${c2.id}`, { parentId: null, position: 0 })
  t.same(shape((await api.tree(framework.id)).elements), [['C2', ['B2', 'B0']], ['CL1', [['C1', ['B1']]]]])
  t.equal((await api.delete(`/v1/framework-elements/${c2.id}`)).statusCode, 204)
  t.same(shape((await api.tree(framework.id)).elements), [['CL1', [['C1', ['B1']]]]])
  t.equal((await api.get(`/v1/framework-elements/${b2.id}`)).statusCode, 404, 'the subtree went with it')
  t.equal((await api.get(`/v1/frameworks/${framework.id}/elements?topLevel=true`)).json().data[0].position, 0)
  t.equal((await api.publish(framework.id)).status, 'published')
})

t.test('a new version is a draft copy with the same lineages; versions live side by side', async (t) => {
  const v1 = await api.publishedFramework()
  const res = await api.post(`/v1/frameworks/${v1.id}/versions`, { name: 'Values and behaviours 2024' })
  t.equal(res.statusCode, 201, res.body)
  const v2 = res.json() as Framework
  t.match(v2, { code: v1.code, versionNumber: 2, name: 'Values and behaviours 2024', kind: 'values', status: 'draft', basedOnId: v1.id, elementCount: 3, version: 1 })
  const [t1, t2] = [await api.tree(v1.id), await api.tree(v2.id)]
  const flat = (nodes: Array<Record<string, any>>): Array<Record<string, any>> => nodes.flatMap((n) => [n, ...flat(n.children)])
  t.same(shape(t2.elements), shape(t1.elements), 'the same tree')
  t.same(flat(t2.elements).map((e) => e.lineageId), flat(t1.elements).map((e) => e.lineageId), 'each copy shares its original’s lineage')
  t.notOk(flat(t2.elements).some((e) => flat(t1.elements).some((o) => o.id === e.id)), 'with new ids')

  // The copy changes; the published version does not.
  const negative = flat(t2.elements).find((e) => e.code === 'V1-N1')!
  await api.patch(`/v1/framework-elements/${negative.id}`, { title: 'forget that quality is a vital part of our performance' })
  t.same(await api.tree(v1.id), t1)
  await api.publish(v2.id)
  const v3 = (await api.post(`/v1/frameworks/${v2.id}/versions`, {})).json() as Framework
  t.equal(v3.versionNumber, 3)

  const all = (await api.get(`/v1/frameworks?code=${v1.code}`)).json().data as Framework[]
  t.same(all.map((f) => [f.versionNumber, f.status]), [[1, 'published'], [2, 'published'], [3, 'draft']])
  const latest = (await api.get(`/v1/frameworks?code=${v1.code}&latestPublished=true`)).json().data as Framework[]
  t.same(latest.map((f) => f.id), [v2.id], 'the newest published version')
  const drafts = (await api.get(`/v1/frameworks?code=${v1.code}&status=draft&kind=values`)).json().data as Framework[]
  t.same(drafts.map((f) => f.id), [v3.id])
  t.same((await api.get(`/v1/frameworks?code=${v1.code}&kind=competency`)).json().data, [])
  t.same((await api.get(`/v1/frameworks/${v2.id}/elements?lineageId=${negative.lineageId}`)).json().data.map((e: FrameworkElement) => e.id), [negative.id])

  // A draft can be thrown away; the version it was copied from stays.
  t.equal((await api.delete(`/v1/frameworks/${v3.id}`)).statusCode, 204)
  t.equal((await api.get(`/v1/frameworks/${v3.id}`)).statusCode, 404)
  expectProblem(t, await api.post(`/v1/frameworks/${MISSING}/versions`, {}), 404, 'not-found')
})

t.test('scopes and tokens: 401 without a token, 403 without the scope', async (t) => {
  const framework = await api.importedFramework()
  const none = await api.app.inject({ method: 'GET', url: '/v1/frameworks' })
  expectProblem(t, none, 401, 'unauthorized')
  expectProblem(t, await api.get('/v1/frameworks', { scopes: ['people:read'] }), 403, 'forbidden')
  t.equal((await api.get('/v1/frameworks', { scopes: ['assessments:read'] })).statusCode, 200)
  t.equal((await api.get(`/v1/frameworks/${framework.id}/tree`, { scopes: ['assessments:read'] })).statusCode, 200)
  expectProblem(t, await api.post('/v1/frameworks', { code: frameworkCode(), name: 'x', kind: 'values' }, { scopes: ['assessments:read'] }), 403, 'forbidden')
  expectProblem(t, await api.post(`/v1/frameworks/${framework.id}/transitions`, { to: 'published' }, { scopes: ['assessments:read'] }), 403, 'forbidden')
  expectProblem(t, await api.patch(`/v1/framework-elements/${(await api.tree(framework.id)).elements[0].id}`, { title: 'x' }, { scopes: ['assessments:read'] }), 403, 'forbidden')
  t.equal((await api.post('/v1/frameworks', { code: frameworkCode(), name: 'x', kind: 'values' }, { scopes: ['assessments:write'] })).statusCode, 201)
})

t.test('a replayed Idempotency-Key answers the first version copy again', async (t) => {
  const v1 = await api.publishedFramework()
  const headers = { 'idempotency-key': `copy-${v1.id}` }
  const first = await api.post(`/v1/frameworks/${v1.id}/versions`, {}, { headers })
  const second = await api.post(`/v1/frameworks/${v1.id}/versions`, {}, { headers })
  t.equal(second.statusCode, 201)
  t.equal(second.json().id, first.json().id)
  t.equal(second.headers['idempotent-replayed'], 'true')
  t.equal((await api.get(`/v1/frameworks?code=${v1.code}`)).json().data.length, 2, 'one copy made')
})

t.test('programmes refuse framework element ids that do not exist, and an element a programme links stays', async (t) => {
  const framework = await api.importedFramework()
  const behaviour = (await api.tree(framework.id)).elements[0].children[0]
  const code = frameworkCode()
  const refused = expectProblem(t, await api.post('/v1/programmes', { code, title: 'P', kind: 'course', frameworkElementIds: [behaviour.id, MISSING] }), 422, 'invalid-reference')
  t.same(refused.errors, [{ in: 'body', pointer: '/frameworkElementIds/1', detail: 'no such framework element' }])
  t.same((await api.get(`/v1/programmes?code=${code}`)).json().data, [], 'nothing written')
  const programme = await api.create('/v1/programmes', { code, title: 'P', kind: 'course', frameworkElementIds: [behaviour.id] })
  expectProblem(t, await api.patch(`/v1/programmes/${programme.id}`, { frameworkElementIds: [MISSING] }), 422, 'invalid-reference')
  const row = { externalId: `${code}-x`, code: `${code}-X`, title: 'Imported', kind: 'course', frameworkElementIds: `${behaviour.id}|${MISSING}` }
  const imported = expectProblem(t, await api.import('programmes', JSON.stringify([row]), 'application/json'), 422, 'import-rejected')
  t.match(imported.failures, [{ line: 1, errors: [{ pointer: '/frameworkElementIds/1', detail: `no framework element ${MISSING}` }] }])

  expectProblem(t, await api.delete(`/v1/framework-elements/${behaviour.id}`), 409, 'still-referenced')
  expectProblem(t, await api.delete(`/v1/frameworks/${framework.id}`), 409, 'still-referenced')
})

t.test('element and framework lists page through keyset cursors', async (t) => {
  const framework = await api.importedFramework({
    kind: 'competency',
    elements: [
      { code: 'B', kind: 'competency', title: 'B', children: [{ code: 'B-2', kind: 'behaviour', title: 'b2' }, { code: 'B-1', kind: 'behaviour', title: 'b1' }] },
      { code: 'A', kind: 'competency', title: 'A', children: [{ code: 'A-1', kind: 'behaviour', title: 'a1' }] }
    ]
  })
  const byPosition = await api.all<FrameworkElement>(`/v1/frameworks/${framework.id}/elements?limit=2`)
  t.same(byPosition.slice(0, 2).map((e) => e.code), ['B', 'A'], 'top level first, in order')
  t.same(byPosition.map((e) => e.code).sort(), ['A', 'A-1', 'B', 'B-1', 'B-2'])
  t.same(byPosition.filter((e) => e.parentId === byPosition[0].id).map((e) => e.code), ['B-2', 'B-1'], 'children in order')
  t.same((await api.all<FrameworkElement>(`/v1/frameworks/${framework.id}/elements?limit=1&sort=code`)).map((e) => e.code), ['A', 'A-1', 'B', 'B-1', 'B-2'])
  t.same((await api.all<FrameworkElement>(`/v1/frameworks/${framework.id}/elements?kind=behaviour&limit=1`)).map((e) => e.code).sort(), ['A-1', 'B-1', 'B-2'])
  expectProblem(t, await api.get(`/v1/frameworks/${framework.id}/elements?cursor=bogus`), 400, 'invalid-cursor')
  expectProblem(t, await api.get(`/v1/frameworks/${MISSING}/elements`), 404, 'not-found')

  const all = await api.all<Framework>('/v1/frameworks?limit=2')
  // Each code's versions together, in version order (the order of codes is the database's collation).
  const seen: string[] = []
  for (const [i, f] of all.entries()) {
    const previous = all[i - 1]
    if (previous?.code === f.code) t.ok(f.versionNumber > previous.versionNumber, `${f.code} v${f.versionNumber} after v${previous.versionNumber}`)
    else {
      t.notOk(seen.includes(f.code), `${f.code} in one run`)
      seen.push(f.code)
    }
  }
  t.equal(new Set(all.map((f) => f.id)).size, all.length, 'no framework twice')
  t.same((await api.all<Framework>('/v1/frameworks?limit=3&sort=name')).length, all.length)
})
