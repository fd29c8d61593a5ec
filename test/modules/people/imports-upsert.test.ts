import t from 'tap'
import { buildPeopleApp, csv, ndjson, unique, type OrgUnit } from './factories.js'

const api = await buildPeopleApp()
t.teardown(() => api.close())

const PERSON_COLUMNS = ['externalId', 'givenName', 'familyName', 'email', 'staffType', 'gradeCode', 'gradeExternalId', 'orgUnitExternalId', 'lineManagerExternalId', 'status', 'startDate']
const personRow = (externalId: string, fields: Record<string, unknown> = {}) => ({ externalId, givenName: 'Pat', familyName: externalId, staffType: 'officer', ...fields })

async function personByExternalId(externalId: string) {
  const data = (await api.get(`/v1/people?externalId=${encodeURIComponent(externalId)}`)).json().data
  return data[0] as Record<string, any> | undefined
}

t.test('grades import from CSV, NDJSON and a JSON array, upserting by externalId', async (t) => {
  const p = unique('gr')
  const first = await api.import('grades', csv(['externalId', 'code', 'name', 'staffType', 'level'], [
    { externalId: `${p}-pc`, code: `${p}-PC`, name: 'Police Constable', staffType: 'officer', level: 1 },
    { externalId: `${p}-ps`, code: `${p}-PS`, name: 'Police Sergeant', staffType: 'officer', level: 2 }
  ]), 'text/csv')
  t.equal(first.statusCode, 200)
  t.match(first.json(), { resource: 'grades', committed: true, dryRun: false, atomic: true, failures: [] })
  t.same(first.json().counts, { read: 2, created: 2, updated: 0, unchanged: 0, failed: 0 })
  const pc = (await api.all(`/v1/grades?levelMax=1`)).find((g) => g.externalId === `${p}-pc`)
  t.match(pc, { code: `${p}-PC`, level: 1, staffType: 'officer' }, 'CSV cells are converted to the row types')

  const second = await api.import('grades', ndjson([
    { externalId: `${p}-pc`, code: `${p}-PC`, name: 'Police Constable', staffType: 'officer', level: 1 },
    { externalId: `${p}-ps`, code: `${p}-PS`, name: 'Sergeant', staffType: 'officer', level: 2 },
    { externalId: `${p}-e`, code: `${p}-E`, name: 'Band E', staffType: 'staff', level: 1 }
  ]), 'application/x-ndjson')
  t.same(second.json().counts, { read: 3, created: 1, updated: 1, unchanged: 1, failed: 0 })

  const third = await api.import('grades', JSON.stringify([{ externalId: `${p}-e`, code: `${p}-E`, name: 'Band E (staff)', staffType: 'staff', level: 1 }]), 'application/json')
  t.same(third.json().counts, { read: 1, created: 0, updated: 1, unchanged: 0, failed: 0 })
  const bandE = (await api.all('/v1/grades?staffType=staff&levelMax=1')).find((g) => g.externalId === `${p}-e`)
  t.match(bandE, { name: 'Band E (staff)', version: 2 })
})

t.test('org units import with a parent listed after its child', async (t) => {
  const p = unique('ou')
  const body = csv(['externalId', 'name', 'kind', 'parentExternalId'], [
    { externalId: `${p}-team`, name: 'Response Team 1', kind: 'team', parentExternalId: `${p}-bcu` },
    { externalId: `${p}-bcu`, name: 'Central West BCU', kind: 'borough', parentExternalId: `${p}-fl` },
    { externalId: `${p}-fl`, name: 'Frontline Policing', kind: 'business_group' }
  ])
  const res = await api.import('org-units', body, 'text/csv')
  t.equal(res.statusCode, 200)
  t.same(res.json().counts, { read: 3, created: 3, updated: 0, unchanged: 0, failed: 0 })
  const units = await api.all<OrgUnit>('/v1/org-units?limit=500')
  const byExt = new Map(units.map((u) => [u.externalId, u]))
  const unit = (suffix: string) => byExt.get(`${p}-${suffix}`)!
  t.equal(unit('team').parentId, unit('bcu').id)
  t.equal(unit('bcu').parentId, unit('fl').id)
  t.equal(unit('fl').parentId, null)
  t.same(await api.ids(`/v1/org-units?descendantsOf=${unit('fl').id}`), [unit('team').id, unit('bcu').id].sort())

  const mark = await api.trailMark()
  const again = await api.import('org-units', body, 'text/csv')
  t.same(again.json().counts, { read: 3, created: 0, updated: 0, unchanged: 3, failed: 0 })
  t.same(await api.trailMark(), mark, 'no audit records and no events for an unchanged file')

  const audit = (await api.get(`/v1/audit-records?entityType=org-unit&entityId=${unit('team').id}`)).json().data
  t.equal(audit.length, 1, 'one audit record for the created unit, its parent already set')
  t.equal(audit[0].after.parentId, unit('bcu').id)
})

t.test('an org unit import that moves a unit under its own descendant fails that row', async (t) => {
  const p = unique('mv')
  await api.import('org-units', ndjson([
    { externalId: `${p}-a`, name: 'A', kind: 'business_group' },
    { externalId: `${p}-b`, name: 'B', kind: 'borough', parentExternalId: `${p}-a` }
  ]), 'application/x-ndjson')
  const res = await api.import('org-units', ndjson([
    { externalId: `${p}-b`, name: 'B', kind: 'borough', parentExternalId: `${p}-a` },
    { externalId: `${p}-a`, name: 'A', kind: 'business_group', parentExternalId: `${p}-b` }
  ]), 'application/x-ndjson')
  t.equal(res.statusCode, 422)
  t.equal(res.json().type, '/problems/import-rejected')
  t.same(res.json().failures.map((f: { line: number }) => f.line), [2])
  t.equal(res.json().failures[0].errors[0].pointer, '/parentExternalId')
  const a = (await api.get(`/v1/org-units?externalId=${p}-a`)).json().data[0]
  t.equal(a.parentId, null, 'A is still at the top')
})

t.test('people import resolves org units and grades by externalId or code', async (t) => {
  const p = unique('ref')
  const unit = await api.orgUnit({ externalId: `${p}-unit` })
  const byCode = await api.grade({ code: `${p}-PS`.replace(/[^A-Za-z0-9_.-]/g, '_') })
  const byExt = await api.grade({ externalId: `${p}-band-c`, staffType: 'staff' })
  const res = await api.import('people', csv(PERSON_COLUMNS, [
    personRow(`${p}-1`, { orgUnitExternalId: `${p}-unit`, gradeCode: byCode.code, startDate: '2019-09-02' }),
    personRow(`${p}-2`, { orgUnitExternalId: `${p}-unit`, gradeExternalId: `${p}-band-c`, staffType: 'staff' })
  ]), 'text/csv')
  t.equal(res.statusCode, 200, res.body)
  const one = await personByExternalId(`${p}-1`)
  const two = await personByExternalId(`${p}-2`)
  t.match(one, { orgUnitId: unit.id, gradeId: byCode.id, startDate: '2019-09-02', status: 'active' })
  t.match(two, { orgUnitId: unit.id, gradeId: byExt.id, staffType: 'staff' })
})

t.test('a manager listed after their reports is resolved', async (t) => {
  const p = unique('mgr')
  const rows = [
    personRow(`${p}-pc1`, { lineManagerExternalId: `${p}-sgt` }),
    personRow(`${p}-pc2`, { lineManagerExternalId: `${p}-sgt` }),
    personRow(`${p}-sgt`, { lineManagerExternalId: `${p}-insp` }),
    personRow(`${p}-insp`)
  ]
  const res = await api.import('people', ndjson(rows), 'application/x-ndjson')
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json().counts, { read: 4, created: 4, updated: 0, unchanged: 0, failed: 0 })
  const sgt = await personByExternalId(`${p}-sgt`)
  const insp = await personByExternalId(`${p}-insp`)
  t.equal(sgt!.lineManagerId, insp!.id)
  const reports = (await api.get(`/v1/people/${sgt!.id}/reports`)).json().data.map((r: { externalId: string }) => r.externalId).sort()
  t.same(reports, [`${p}-pc1`, `${p}-pc2`])

  const created = (await api.get(`/v1/audit-records?entityType=person&entityId=${sgt!.id}`)).json().data
  t.equal(created.length, 1)
  t.equal(created[0].after.lineManagerId, insp!.id, 'the audit record shows the resolved manager')
  const events = (await api.get('/v1/events?type=person.created&limit=500')).json().data.filter((e: { entityId: string }) => e.entityId === sgt!.id)
  t.equal(events.length, 1)
})

t.test('importing the same file twice changes nothing the second time', async (t) => {
  const p = unique('twice')
  await api.orgUnit({ externalId: `${p}-unit` })
  const body = csv(PERSON_COLUMNS, [
    personRow(`${p}-a`, { lineManagerExternalId: `${p}-c`, orgUnitExternalId: `${p}-unit`, email: `${p}-a@example.org` }),
    personRow(`${p}-b`, { lineManagerExternalId: `${p}-a`, status: 'left', startDate: '2001-01-31' }),
    personRow(`${p}-c`, { givenName: 'Jo, "the boss"' })
  ])
  const first = await api.import('people', body, 'text/csv')
  t.same(first.json().counts, { read: 3, created: 3, updated: 0, unchanged: 0, failed: 0 })
  const before = await api.trailMark()
  const versions = await Promise.all([`${p}-a`, `${p}-b`, `${p}-c`].map(async (x) => (await personByExternalId(x))!.version))

  const second = await api.import('people', body, 'text/csv')
  t.equal(second.statusCode, 200)
  t.same(second.json().counts, { read: 3, created: 0, updated: 0, unchanged: 3, failed: 0 })
  t.same(await api.trailMark(), before, 'no new audit records or events')
  const after = await Promise.all([`${p}-a`, `${p}-b`, `${p}-c`].map(async (x) => (await personByExternalId(x))!.version))
  t.same(after, versions, 'no version moved')
})

t.test('a changed row is updated and only that row is audited', async (t) => {
  const p = unique('upd')
  const rows = [personRow(`${p}-a`), personRow(`${p}-b`, { lineManagerExternalId: `${p}-a` })]
  await api.import('people', ndjson(rows), 'application/x-ndjson')
  const mark = await api.trailMark()
  rows[1] = { ...rows[1], familyName: 'Renamed' }
  const res = await api.import('people', ndjson(rows), 'application/x-ndjson')
  t.same(res.json().counts, { read: 2, created: 0, updated: 1, unchanged: 1, failed: 0 })
  const b = await personByExternalId(`${p}-b`)
  t.match(b, { familyName: 'Renamed', version: 2 })
  const audit = (await api.get(`/v1/audit-records?sort=id&limit=500`)).json().data.filter((r: { id: string }) => Number(r.id) > mark.audit)
  t.same(audit.map((r: { action: string; entityId: string }) => [r.action, r.entityId]), [['person.updated', b!.id]])
})

t.test('a field left out of a row is cleared: rows are full representations', async (t) => {
  const p = unique('clr')
  await api.orgUnit({ externalId: `${p}-unit` })
  await api.import('people', ndjson([personRow(`${p}-a`, { orgUnitExternalId: `${p}-unit`, email: `${p}@example.org` })]), 'application/x-ndjson')
  const res = await api.import('people', ndjson([personRow(`${p}-a`)]), 'application/x-ndjson')
  t.same(res.json().counts.updated, 1)
  t.match(await personByExternalId(`${p}-a`), { orgUnitId: null, email: null })
})

t.test('a manager already in the database is resolved too', async (t) => {
  const p = unique('db')
  const boss = await api.person({ externalId: `${p}-boss` })
  await api.import('people', ndjson([personRow(`${p}-r`, { lineManagerExternalId: `${p}-boss` })]), 'application/x-ndjson')
  t.equal((await personByExternalId(`${p}-r`))!.lineManagerId, boss.id)
})

t.test('a manager can be changed to someone later in the same file', async (t) => {
  const p = unique('chg')
  await api.import('people', ndjson([personRow(`${p}-old`), personRow(`${p}-r`, { lineManagerExternalId: `${p}-old` })]), 'application/x-ndjson')
  const res = await api.import('people', ndjson([personRow(`${p}-r`, { lineManagerExternalId: `${p}-new` }), personRow(`${p}-new`)]), 'application/x-ndjson')
  t.same(res.json().counts, { read: 2, created: 1, updated: 1, unchanged: 0, failed: 0 })
  const r = await personByExternalId(`${p}-r`)
  t.equal(r!.lineManagerId, (await personByExternalId(`${p}-new`))!.id)
  t.equal(r!.version, 2, 'one update, not two')
})
