import t from 'tap'
import { buildPeopleApp, unique } from './factories.js'

const api = await buildPeopleApp()
t.teardown(() => api.close())

t.test('an org unit is created, read, changed and deleted', async (t) => {
  const externalId = unique('OU')
  const res = await api.post('/v1/org-units', { name: 'Westminster BCU', kind: 'borough', externalId })
  t.equal(res.statusCode, 201)
  const unit = res.json()
  t.equal(res.headers.location, `/v1/org-units/${unit.id}`)
  t.equal(res.headers.etag, '"1"')
  t.match(unit, { name: 'Westminster BCU', kind: 'borough', externalId, parentId: null, status: 'active', version: 1 })

  const got = await api.get(`/v1/org-units/${unit.id}`)
  t.equal(got.statusCode, 200)
  t.same(got.json(), unit)

  const patched = await api.patch(`/v1/org-units/${unit.id}`, { name: 'Westminster and Kensington BCU', status: 'closed' }, { headers: { 'if-match': '"1"' } })
  t.equal(patched.statusCode, 200)
  t.match(patched.json(), { name: 'Westminster and Kensington BCU', status: 'closed', kind: 'borough', version: 2 })
  t.equal(patched.headers.etag, '"2"')

  const stale = await api.patch(`/v1/org-units/${unit.id}`, { name: 'Again' }, { headers: { 'if-match': '"1"' } })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().type, '/problems/precondition-failed')

  const deleted = await api.delete(`/v1/org-units/${unit.id}`)
  t.equal(deleted.statusCode, 204)
  t.equal((await api.get(`/v1/org-units/${unit.id}`)).statusCode, 404)
  t.equal((await api.delete(`/v1/org-units/${unit.id}`)).statusCode, 404)
})

t.test('a duplicate externalId is a 409 conflict', async (t) => {
  const externalId = unique('OU')
  await api.orgUnit({ externalId })
  const res = await api.post('/v1/org-units', { name: 'Other', kind: 'team', externalId })
  t.equal(res.statusCode, 409)
  t.equal(res.json().type, '/problems/conflict')
})

t.test('a missing parent is a 422 invalid-reference pointing at parentId', async (t) => {
  const res = await api.post('/v1/org-units', { name: 'Orphan', kind: 'team', parentId: '00000000-0000-4000-8000-000000000000' })
  t.equal(res.statusCode, 422)
  t.equal(res.json().type, '/problems/invalid-reference')
  t.same(res.json().errors.map((e: { pointer: string }) => e.pointer), ['/parentId'])
})

t.test('reading needs people:read and writing needs people:write', async (t) => {
  const unit = await api.orgUnit()
  t.equal((await api.get(`/v1/org-units/${unit.id}`, { scopes: ['people:read'] })).statusCode, 200)
  t.equal((await api.get(`/v1/org-units/${unit.id}`, { scopes: ['diversity:read'] })).statusCode, 403)
  t.equal((await api.post('/v1/org-units', { name: 'No', kind: 'team' }, { scopes: ['people:read'] })).statusCode, 403)
  t.equal((await api.post('/v1/org-units', { name: 'Yes', kind: 'team' }, { scopes: ['people:write'] })).statusCode, 201)
  const anonymous = await api.app.inject({ method: 'GET', url: `/v1/org-units/${unit.id}` })
  t.equal(anonymous.statusCode, 401)
})

// A small tree used by the listing and moving tests:
//   service
//   ├── groupA
//   │   ├── boroughA1
//   │   │   └── teamA1x
//   │   └── boroughA2
//   └── groupB
async function tree() {
  const tag = unique('tree')
  const service = await api.orgUnit({ name: `${tag} service`, kind: 'service' })
  const groupA = await api.orgUnit({ name: `${tag} group A`, kind: 'business_group', parentId: service.id })
  const groupB = await api.orgUnit({ name: `${tag} group B`, kind: 'business_group', parentId: service.id })
  const boroughA1 = await api.orgUnit({ name: `${tag} borough A1`, kind: 'borough', parentId: groupA.id })
  const boroughA2 = await api.orgUnit({ name: `${tag} borough A2`, kind: 'borough', parentId: groupA.id })
  const teamA1x = await api.orgUnit({ name: `${tag} team A1x`, kind: 'team', parentId: boroughA1.id })
  return { tag, service, groupA, groupB, boroughA1, boroughA2, teamA1x }
}

t.test('parentId lists direct children only', async (t) => {
  const { service, groupA, groupB, boroughA1, boroughA2 } = await tree()
  t.same(await api.ids(`/v1/org-units?parentId=${service.id}`), [groupA.id, groupB.id].sort())
  t.same(await api.ids(`/v1/org-units?parentId=${groupA.id}`), [boroughA1.id, boroughA2.id].sort())
  t.same(await api.ids(`/v1/org-units?parentId=${groupB.id}`), [])
})

t.test('parentId=root lists top-level units and nothing below them', async (t) => {
  const { service, groupA, teamA1x } = await tree()
  const roots = await api.all('/v1/org-units?parentId=root&limit=500')
  t.ok(roots.every((u) => u.parentId === null), 'every unit listed has no parent')
  const ids = roots.map((u) => u.id)
  t.ok(ids.includes(service.id))
  t.notOk(ids.includes(groupA.id))
  t.notOk(ids.includes(teamA1x.id))
})

t.test('descendantsOf lists the whole subtree but not the unit itself', async (t) => {
  const { service, groupA, groupB, boroughA1, boroughA2, teamA1x } = await tree()
  t.same(await api.ids(`/v1/org-units?descendantsOf=${service.id}`), [groupA.id, groupB.id, boroughA1.id, boroughA2.id, teamA1x.id].sort())
  t.same(await api.ids(`/v1/org-units?descendantsOf=${groupA.id}`), [boroughA1.id, boroughA2.id, teamA1x.id].sort())
  t.same(await api.ids(`/v1/org-units?descendantsOf=${teamA1x.id}`), [])
})

t.test('filters by kind, status, externalId and name', async (t) => {
  const { tag, service, groupA, groupB, boroughA1, boroughA2 } = await tree()
  const sub = `descendantsOf=${service.id}`
  t.same(await api.ids(`/v1/org-units?${sub}&kind=business_group`), [groupA.id, groupB.id].sort())
  await api.patch(`/v1/org-units/${boroughA2.id}`, { status: 'closed' })
  t.same(await api.ids(`/v1/org-units?${sub}&status=closed`), [boroughA2.id])
  t.same(await api.ids(`/v1/org-units?${sub}&kind=borough&status=active`), [boroughA1.id])

  const externalId = unique('EXT')
  await api.patch(`/v1/org-units/${groupB.id}`, { externalId })
  t.same(await api.ids(`/v1/org-units?externalId=${externalId}`), [groupB.id])
  t.same(await api.ids(`/v1/org-units?externalId=${unique('nobody')}`), [])

  // Case-insensitive "contains"; % and _ are literal, not wildcards.
  t.same(await api.ids(`/v1/org-units?q=${encodeURIComponent(`${tag} BOROUGH`)}`), [boroughA1.id, boroughA2.id].sort())
  t.same(await api.ids(`/v1/org-units?q=${encodeURIComponent(`${tag} group %`)}`), [])
})

t.test('an unknown kind in the filter is a 400 validation problem', async (t) => {
  const res = await api.get('/v1/org-units?kind=galaxy')
  t.equal(res.statusCode, 400)
  t.equal(res.json().type, '/problems/validation')
})

t.test('the list pages with a cursor and a Link header', async (t) => {
  const { service } = await tree()
  const first = await api.get(`/v1/org-units?descendantsOf=${service.id}&limit=2`)
  t.equal(first.json().data.length, 2)
  t.ok(first.json().page.nextCursor)
  t.match(first.headers.link, /rel="next"/)
  const everything = await api.all(`/v1/org-units?descendantsOf=${service.id}&limit=2`)
  t.equal(everything.length, 5)
  t.equal(new Set(everything.map((u) => u.id)).size, 5, 'no unit appears twice across pages')
})

t.test('PATCH parentId moves a unit with its subtree', async (t) => {
  const { service, groupA, groupB, boroughA1, teamA1x } = await tree()
  const moved = await api.patch(`/v1/org-units/${boroughA1.id}`, { parentId: groupB.id })
  t.equal(moved.statusCode, 200)
  t.equal(moved.json().parentId, groupB.id)
  t.same(await api.ids(`/v1/org-units?descendantsOf=${groupB.id}`), [boroughA1.id, teamA1x.id].sort())
  t.notOk((await api.ids(`/v1/org-units?descendantsOf=${groupA.id}`)).includes(teamA1x.id))

  const toTop = await api.patch(`/v1/org-units/${groupA.id}`, { parentId: null })
  t.equal(toTop.statusCode, 200)
  t.equal(toTop.json().parentId, null)
  t.ok((await api.ids('/v1/org-units?parentId=root')).includes(groupA.id))
  t.notOk((await api.ids(`/v1/org-units?parentId=${service.id}`)).includes(groupA.id))

  const missing = await api.patch(`/v1/org-units/${groupB.id}`, { parentId: '00000000-0000-4000-8000-000000000000' })
  t.equal(missing.statusCode, 422)
  t.equal(missing.json().type, '/problems/invalid-reference')
  t.equal((await api.get(`/v1/org-units/${groupB.id}`)).json().parentId, service.id)

  const audit = await api.get(`/v1/audit-records?entityType=org-unit&entityId=${boroughA1.id}&action=org-unit.moved`)
  t.equal(audit.json().data.length, 1, 'the move is audited as a move')
})

t.test('moving a unit under itself is a 422 hierarchy-cycle and changes nothing', async (t) => {
  const { groupA } = await tree()
  const res = await api.patch(`/v1/org-units/${groupA.id}`, { parentId: groupA.id, name: 'Renamed' })
  t.equal(res.statusCode, 422)
  t.equal(res.json().type, '/problems/hierarchy-cycle')
  t.same(res.json().errors.map((e: { pointer: string }) => e.pointer), ['/parentId'])
  const after = (await api.get(`/v1/org-units/${groupA.id}`)).json()
  t.match(after, { parentId: groupA.parentId, name: groupA.name, version: 1 })
})

t.test('moving a unit under its own descendant is a 422 hierarchy-cycle and changes nothing', async (t) => {
  const { service, groupA, teamA1x, boroughA1 } = await tree()
  for (const below of [boroughA1, teamA1x]) {
    const res = await api.patch(`/v1/org-units/${groupA.id}`, { parentId: below.id })
    t.equal(res.statusCode, 422)
    t.equal(res.json().type, '/problems/hierarchy-cycle')
  }
  const after = (await api.get(`/v1/org-units/${groupA.id}`)).json()
  t.equal(after.parentId, service.id)
  t.equal(after.version, 1)
  t.same(await api.ids(`/v1/org-units?parentId=${boroughA1.id}`), [teamA1x.id], 'the subtree is as it was')
})

t.test('a unit with child units cannot be deleted (409)', async (t) => {
  const { groupA, boroughA2 } = await tree()
  const res = await api.delete(`/v1/org-units/${groupA.id}`)
  t.equal(res.statusCode, 409)
  t.equal(res.json().type, '/problems/still-referenced')
  t.equal((await api.get(`/v1/org-units/${groupA.id}`)).statusCode, 200)
  t.equal((await api.delete(`/v1/org-units/${boroughA2.id}`)).statusCode, 204, 'a leaf can go')
})

t.test('a unit with people cannot be deleted (409) until they move', async (t) => {
  const unit = await api.orgUnit()
  const other = await api.orgUnit()
  const person = await api.person({ orgUnitId: unit.id })
  const res = await api.delete(`/v1/org-units/${unit.id}`)
  t.equal(res.statusCode, 409)
  t.equal(res.json().type, '/problems/still-referenced')
  await api.patch(`/v1/people/${person.id}`, { orgUnitId: other.id })
  t.equal((await api.delete(`/v1/org-units/${unit.id}`)).statusCode, 204)
})

t.test('a stale If-Match on delete is a 412 and the unit stays', async (t) => {
  const unit = await api.orgUnit()
  await api.patch(`/v1/org-units/${unit.id}`, { name: 'Changed' })
  const res = await api.delete(`/v1/org-units/${unit.id}`, { headers: { 'if-match': '"1"' } })
  t.equal(res.statusCode, 412)
  t.equal((await api.get(`/v1/org-units/${unit.id}`)).statusCode, 200)
})

t.test('an unknown field in the body is a 400 naming it', async (t) => {
  const res = await api.post('/v1/org-units', { name: 'X', kind: 'team', colour: 'blue' })
  t.equal(res.statusCode, 400)
  t.ok(res.json().errors.some((e: { pointer: string }) => e.pointer === '/colour'))
})
