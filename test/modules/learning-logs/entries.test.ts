import t from 'tap'
import { buildLearningApp, unique } from './factories.js'

const api = await buildLearningApp()
t.teardown(() => api.close())

const unit = await api.orgUnit({ kind: 'ocu', externalId: unique('OU') })
const okafor = await api.person({ givenName: 'Grace', familyName: 'Okafor', orgUnitId: unit.id, externalId: unique('P') })
const hughes = await api.person({ givenName: 'Thomas', preferredName: 'Tom', familyName: 'Hughes', orgUnitId: unit.id })
const young = await api.person({ givenName: 'Sam', familyName: 'Young', orgUnitId: unit.id })

const base = { summary: 'Officers arriving did not know where to report.', sourceKind: 'operational_debrief', orgUnitId: unit.id }

t.test('a public entry names no person', async (t) => {
  const refused = async (body: Record<string, unknown>) => {
    const res = await api.post('/v1/learning-log-entries', { ...base, dissemination: 'public', ...body })
    t.equal(res.statusCode, 422, res.body)
    t.equal(res.json().type, '/problems/public-entry-names-person')
    return res.json().errors as Array<{ in: string; pointer: string; detail: string }>
  }
  // The full name of anyone in the people records, whole words, any case.
  let errors = await refused({ title: 'Debrief raised by grace okafor' })
  t.same(errors, [{ in: 'body', pointer: '/title', detail: 'names a person (“grace okafor”); a public entry names no one' }])
  errors = await refused({ title: 'Cordon points', notes: 'Per Tom Hughes the map was out of date.' })
  t.same(errors.map((e) => e.pointer), ['/notes'], 'a preferred name with the family name')
  // A title or rank before a capitalised word, in the records or not.
  errors = await refused({ title: 'Cordon points', summary: 'DCI Marsh and Sir William noted the delay.' })
  t.match(errors[0].detail, /“DCI Marsh”, “Sir William”/)
  // The family name of a person the entry refers to (here: who identified it), as a capitalised word.
  errors = await refused({ title: 'The map for young officers', summary: 'Sergeant Young had the only copy.', identifiedById: young.id })
  t.same(errors.map((e) => e.pointer), ['/summary'], '“young officers” is not flagged, “Sergeant Young” is')
  errors = await refused({ title: 'Young officers need the map', identifiedById: young.id })
  t.same(errors.map((e) => e.pointer), ['/title'], 'a known limit: the capitalised word at the start of a sentence is flagged')
  t.equal(await api.ctx.database.db.selectFrom('learning_log_entries').select('id').execute().then((r) => r.length), 0, 'nothing written')

  const ok = await api.post('/v1/learning-log-entries', { ...base, dissemination: 'public', title: 'young officers need the rendezvous point on the map', identifiedById: young.id })
  t.equal(ok.statusCode, 201, ok.body)
  const named = await api.post('/v1/learning-log-entries', { ...base, title: 'Raised by Grace Okafor', identifiedById: okafor.id })
  t.equal(named.statusCode, 201, 'an internal entry may name people')

  // Making it public, or naming someone in a public one, is refused the same way (pointer in entry for fields not sent).
  let res = await api.patch(`/v1/learning-log-entries/${named.json().id}`, { dissemination: 'public' })
  t.equal(res.statusCode, 422)
  t.same(res.json().errors.map((e: any) => [e.in, e.pointer]), [['entry', '/title']])
  res = await api.patch(`/v1/learning-log-entries/${ok.json().id}`, { summary: 'Found by PC Patel' })
  t.equal(res.statusCode, 422)
  t.same(res.json().errors.map((e: any) => [e.in, e.pointer]), [['body', '/summary']])

  // Linking a person whose family name the public text carries.
  const pub = await api.post('/v1/learning-log-entries', { ...base, dissemination: 'public', title: 'Hughes Road cordon was too small', summary: 'The cordon on Hughes Road left the footpath open.' })
  t.equal(pub.statusCode, 201)
  res = await api.patch(`/v1/learning-log-entries/${pub.json().id}`, { identifiedById: hughes.id })
  t.equal(res.statusCode, 422, 'the identifying officer’s family name is in the public text')
  t.same(res.json().errors.map((e: any) => [e.in, e.pointer]).sort(), [['entry', '/summary'], ['entry', '/title']])
  const entry = await api.walk(await api.entry({ ...base, dissemination: 'public', title: 'Hughes Road cordon was too small', identifiedById: young.id }), 'accountability', { unitId: unit.id, ownerId: young.id })
  res = await api.move(entry.id, { to: 'platform', accountability: { ownerId: hughes.id, level: 'ocu' } })
  t.equal(res.statusCode, 422, 'an owner whose name the public text carries')
  res = await api.move(entry.id, { to: 'platform', accountability: { ownerId: okafor.id, level: 'ocu' } })
  t.equal(res.statusCode, 200)
  res = await api.put(`/v1/learning-log-entries/${entry.id}/accountability`, { ownerId: hughes.id, level: 'ocu' })
  t.equal(res.statusCode, 422)
})

t.test('links: exactly one target of a kind the link takes', async (t) => {
  const entry = await api.entry()
  const other = await api.entry()
  const programme = await api.activeProgramme()
  const cohort = await api.cohort({ programmeId: programme.id })
  const link = (body: Record<string, unknown>) => api.post(`/v1/learning-log-entries/${entry.id}/links`, body)

  let res = await link({ kind: 'related', programmeId: programme.id, cohortId: cohort.id })
  t.equal(res.statusCode, 422)
  res = await link({ kind: 'related' })
  t.equal(res.statusCode, 422)
  res = await link({ kind: 'duplicate_of', programmeId: programme.id })
  t.equal(res.statusCode, 422)
  t.equal(res.json().errors[0].pointer, '/programmeId')
  res = await link({ kind: 'related', entryId: entry.id })
  t.equal(res.statusCode, 422, 'not to itself')
  res = await link({ kind: 'produced_by', recommendationId: '00000000-0000-4000-8000-000000000000' })
  t.equal(res.statusCode, 422)
  t.equal(res.json().type, '/problems/invalid-reference')

  res = await link({ kind: 'addressed_by', cohortId: cohort.id, note: 'Cordon input added to this run' })
  t.equal(res.statusCode, 201)
  const created = res.json()
  t.equal(created.targetType, 'cohort')
  res = await link({ kind: 'addressed_by', cohortId: cohort.id })
  t.equal(res.statusCode, 409)
  res = await link({ kind: 'related', entryId: other.id })
  t.equal(res.statusCode, 201)

  const byProgramme = await api.get(`/v1/learning-log-entries?programmeId=${programme.id}`)
  t.same(byProgramme.json().data.map((e: any) => e.id), [entry.id], 'a link to a cohort is found by its programme')

  res = await api.delete(`/v1/learning-log-entries/${entry.id}/links/${created.id}?reason=Wrong%20cohort`)
  t.equal(res.statusCode, 204)
  res = await api.delete(`/v1/learning-log-entries/${entry.id}/links/${created.id}`)
  t.equal(res.statusCode, 404)
  const links = await api.all(`/v1/learning-log-entries/${entry.id}/links`)
  t.same(links.map((l) => l.kind), ['related'])
  const trail = await api.trail(entry.id)
  t.same(trail.map((i) => i.kind), ['created', 'linked', 'linked', 'unlinked'])
  t.equal(trail[3].note, 'Wrong cohort')
})

t.test('PATCH changes origin fields, with If-Match; the trail keeps what changed', async (t) => {
  const entry = await api.entry({ tags: ['cordon'] })
  let res = await api.request('PATCH', `/v1/learning-log-entries/${entry.id}`, { title: 'Rendezvous point missing from briefing', tags: ['cordon', 'briefing'] }, { headers: { 'if-match': '"1"' } })
  t.equal(res.statusCode, 200)
  t.equal(res.json().version, 2)
  res = await api.request('PATCH', `/v1/learning-log-entries/${entry.id}`, { title: 'Stale' }, { headers: { 'if-match': '"1"' } })
  t.equal(res.statusCode, 412)
  res = await api.patch(`/v1/learning-log-entries/${entry.id}`, { orgUnitId: '00000000-0000-4000-8000-000000000000' })
  t.equal(res.statusCode, 422)
  res = await api.patch(`/v1/learning-log-entries/${entry.id}`, { stage: 'closed' })
  t.equal(res.statusCode, 400, 'the stage is not a field')
  const trail = await api.trail(entry.id)
  t.equal(trail[1].kind, 'updated')
  t.same(trail[1].data.changed.tags, { before: ['cordon'], after: ['cordon', 'briefing'] })
})

t.test('import from a debrief spreadsheet (CSV) and export', async (t) => {
  const csv = [
    'externalId,title,summary,sourceKind,sourceReference,eventDate,orgUnitExternalId,identifiedByExternalId,identifiedOn,tags,dissemination',
    `DEBRIEF-1,Radio coverage in the tunnel,Handsets lost signal below ground.,operational_debrief,Op Tunnel debrief,2009-02-10,${unit.externalId},${okafor.externalId},2009-02-12,radio|public order,organisation`,
    `DEBRIEF-2,Water supplies for long cordons,Officers on cordons for 10 hours had no water.,operational_debrief,Op Tunnel debrief,2009-02-10,${unit.externalId},,2009-02-12,welfare,internal_unit`
  ].join('\n')
  let res = await api.import('learning-log-entries', csv, 'text/csv')
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json().counts, { read: 2, created: 2, updated: 0, unchanged: 0, failed: 0 })
  res = await api.import('learning-log-entries', csv, 'text/csv')
  t.same(res.json().counts, { read: 2, created: 0, updated: 0, unchanged: 2, failed: 0 }, 'the same file again changes nothing')

  const imported = (await api.get('/v1/learning-log-entries?externalId=DEBRIEF-1')).json().data[0]
  t.match(imported.reference, /^OL-2009-\d{4}$/)
  t.same(imported.tags, ['radio', 'public order'])
  t.equal(imported.stage, 'origin')

  const bad = [
    'externalId,title,summary,sourceKind,orgUnitExternalId,stage,dissemination',
    `DEBRIEF-3,Good,Fine.,operational_debrief,${unit.externalId},,organisation`,
    `DEBRIEF-4,Bad,Unknown unit.,operational_debrief,NOPE,,organisation`,
    `DEBRIEF-5,Named,Raised by DCI Marsh.,operational_debrief,${unit.externalId},,public`,
    `DEBRIEF-6,Moved,Already moved.,operational_debrief,${unit.externalId},review,organisation`
  ].join('\n')
  res = await api.import('learning-log-entries', bad, 'text/csv')
  t.equal(res.statusCode, 422)
  t.same(res.json().failures.map((f: any) => [f.line, f.errors[0].pointer]), [[3, '/orgUnitExternalId'], [4, '/summary'], [5, '/stage']])
  t.equal((await api.get('/v1/learning-log-entries?externalId=DEBRIEF-3')).json().data.length, 0, 'atomic: nothing written')

  const exported = await api.get('/v1/learning-log-entries/export?format=csv')
  t.equal(exported.statusCode, 200)
  const lines = exported.body.trim().split('\n')
  t.equal(lines[0], 'externalId,reference,title,summary,notes,kind,sourceKind,sourceReference,eventDate,orgUnitExternalId,identifiedByExternalId,identifiedOn,dissemination,tags,stage')
  const again = await api.import('learning-log-entries', lines.filter((l, i) => i === 0 || l.includes('DEBRIEF-')).join('\n'), 'text/csv')
  t.same(again.json().counts.unchanged, 2, 'an export imports back unchanged')
})
