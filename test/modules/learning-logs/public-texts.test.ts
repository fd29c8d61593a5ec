import t, { type Test } from 'tap'
import { buildLearningApp, unique, type Entry } from './factories.js'

// Every free text a public entry shows names no person: not only title, summary and notes, but the
// source reference, tags, the stages' none-needed reasons and changes, the review's evidence and the
// closure reason. Checked as a move records them, and over all stored text when an entry is made public.
const api = await buildLearningApp()
t.teardown(() => api.close())

const unit = await api.orgUnit({ kind: 'ocu', externalId: unique('OU') })
const okafor = await api.person({ givenName: 'Grace', familyName: 'Okafor', orgUnitId: unit.id })
const owner = await api.person({ givenName: 'Sam', familyName: 'Young', orgUnitId: unit.id })
const who = { unitId: unit.id, ownerId: owner.id }
const base = { summary: 'Officers arriving did not know where to report.', sourceKind: 'operational_debrief', orgUnitId: unit.id, identifiedById: owner.id }

type Problem = { type: string; errors: Array<{ in: string; pointer: string; detail: string }> }
const namesPerson = (t: Test, res: { statusCode: number; body: string; json(): unknown }, expected: Array<[string, string]>) => {
  t.equal(res.statusCode, 422, res.body)
  const body = res.json() as Problem
  t.equal(body.type, '/problems/public-entry-names-person')
  t.same(body.errors.map((e) => [e.in, e.pointer]).sort(), [...expected].sort())
}


const publicEntry = (fields: Record<string, unknown> = {}) => api.entry({ ...base, title: 'Rendezvous point missing', dissemination: 'public', ...fields })
const unchanged = async (t: Test, entry: Entry) => {
  const now = (await api.get(`/v1/learning-log-entries/${entry.id}`)).json()
  t.equal(now.version, entry.version, 'nothing written')
  t.equal(now.stage, entry.stage)
}

t.test('a public entry is created with a source reference and tags that name no one', async (t) => {
  const res = await api.post('/v1/learning-log-entries', { ...base, title: 'Cordon', dissemination: 'public', sourceReference: 'Debrief by Grace Okafor', tags: ['cordon', 'DCI Marsh'] })
  namesPerson(t, res, [['body', '/sourceReference'], ['body', '/tags/1']])
  const ok = await api.post('/v1/learning-log-entries', { ...base, title: 'Cordon', dissemination: 'public', sourceReference: 'Op Tunnel debrief', tags: ['cordon'] })
  t.equal(ok.statusCode, 201, ok.body)
  namesPerson(t, await api.patch(`/v1/learning-log-entries/${ok.json().id}`, { sourceReference: 'Mr Smith’s notes' }), [['body', '/sourceReference']])
})

t.test('closing a public entry at challenge: the reason becomes the closure reason, so it names no one', async (t) => {
  const entry = await api.walk(await publicEntry(), 'challenge', who)
  namesPerson(t, await api.move(entry.id, { to: 'closed', challenge: { decision: 'no_action', reason: 'Grace Okafor says it is covered' } }), [['body', '/challenge/reason']])
  await unchanged(t, entry)
  const ok = await api.move(entry.id, { to: 'closed', challenge: { decision: 'no_action', reason: 'Already covered by the cordon SOP' } })
  t.equal(ok.statusCode, 200, ok.body)
  t.equal(ok.json().closure.reason, 'Already covered by the cordon SOP')
})

t.test('the platform and delivery outcomes of a public entry name no one', async (t) => {
  const entry = await api.walk(await publicEntry(), 'platform', who)
  namesPerson(t, await api.move(entry.id, { to: 'delivery', platform: { noneNeededReason: 'Supt Hale decided the SOP stands' } }), [['body', '/platform/noneNeededReason']])
  namesPerson(
    t,
    await api.move(entry.id, { to: 'delivery', platform: { changes: [{ kind: 'sop', reference: 'SOP-12' }, { kind: 'policy', reference: 'POL-3 per Mr Okafor', description: 'Rewritten by grace okafor' }] } }),
    [['body', '/platform/changes/1/description'], ['body', '/platform/changes/1/reference']]
  )
  await unchanged(t, entry)
  const atDelivery = await api.move(entry.id, { to: 'delivery', platform: { changes: [{ kind: 'sop', reference: 'SOP-12', description: 'Rendezvous point added' }] } })
  t.equal(atDelivery.statusCode, 200, atDelivery.body)
  const moved = atDelivery.json() as Entry
  namesPerson(t, await api.move(entry.id, { to: 'review', delivery: { changes: [{ kind: 'training', reference: 'CRS-1', description: 'Taught by PC Patel' }] } }), [['body', '/delivery/changes/0/description']])
  namesPerson(t, await api.move(entry.id, { to: 'review', delivery: { noneNeededReason: 'Sir William said so' } }), [['body', '/delivery/noneNeededReason']])
  await unchanged(t, moved)
  const atReview = await api.move(entry.id, { to: 'review', delivery: { changes: [{ kind: 'training', reference: 'CRS-1', description: 'Briefing module' }] } })
  t.equal(atReview.statusCode, 200, atReview.body)
  namesPerson(t, await api.move(entry.id, { to: 'closed', review: { integrated: 'fully', improvementSeen: true, evidence: 'DS Brown audited 20 cases' } }), [['body', '/review/evidence']])
  await unchanged(t, atReview.json())
  const closed = await api.move(entry.id, { to: 'closed', review: { integrated: 'fully', improvementSeen: true, evidence: 'An audit of 20 cases' } })
  t.equal(closed.statusCode, 200, closed.body)
})

t.test('a public entry whose owner changes has all its stored text checked for the owner’s family name', async (t) => {
  const entry = await api.walk(await publicEntry(), 'platform', who)
  const res = await api.move(entry.id, { to: 'delivery', platform: { changes: [{ kind: 'sop', reference: 'SOP-12', description: 'Rendezvous point added at Hale Street' }] } })
  t.equal(res.statusCode, 200, 'no person named Hale is referred to: a street name is fine')
  const hale = await api.person({ givenName: 'Ann', familyName: 'Hale', orgUnitId: unit.id })
  namesPerson(t, await api.put(`/v1/learning-log-entries/${entry.id}/accountability`, { ownerId: hale.id, level: 'ocu' }), [['entry', '/platform/changes/0/description']])
  await unchanged(t, res.json())
})

t.test('making an entry public checks every text it already shows', async (t) => {
  // Internal entries may name people anywhere; each names someone in one stage text.
  const closedAtChallenge = await api.walk(await api.entry({ ...base, title: 'Rendezvous point missing' }), 'challenge', who)
  const closedRes = await api.move(closedAtChallenge.id, { to: 'closed', challenge: { decision: 'no_action', reason: 'DCI Marsh has it in hand' } })
  t.equal(closedRes.statusCode, 200, closedRes.body)
  namesPerson(t, await api.patch(`/v1/learning-log-entries/${closedAtChallenge.id}`, { dissemination: 'public' }), [['entry', '/closure/reason']])
  await unchanged(t, closedRes.json())

  const reviewed = await api.walk(await api.entry({ ...base, title: 'Rendezvous point missing' }), 'platform', who)
  let res = await api.move(reviewed.id, { to: 'delivery', platform: { changes: [{ kind: 'sop', reference: 'SOP-9', description: 'Drafted with Grace Okafor' }] } })
  t.equal(res.statusCode, 200, res.body)
  res = await api.move(reviewed.id, { to: 'review', delivery: { noneNeededReason: 'Insp Rowe: the SOP change suffices' } })
  t.equal(res.statusCode, 200, res.body)
  res = await api.move(reviewed.id, { to: 'closed', review: { integrated: 'partly', improvementSeen: false, evidence: 'Mrs Lee checked the logs' } })
  t.equal(res.statusCode, 200, res.body)
  const closed = res.json() as Entry
  namesPerson(t, await api.patch(`/v1/learning-log-entries/${reviewed.id}`, { dissemination: 'public' }), [
    ['entry', '/delivery/noneNeededReason'],
    ['entry', '/platform/changes/0/description'],
    ['entry', '/review/evidence']
  ])
  await unchanged(t, closed)

  // An import row that makes it public is refused the same way, as the row's errors.
  const externalId = unique('LL')
  t.equal((await api.patch(`/v1/learning-log-entries/${reviewed.id}`, { externalId })).statusCode, 200)
  const csv = [
    'externalId,title,summary,sourceKind,orgUnitExternalId,dissemination',
    `${externalId},Rendezvous point missing,${base.summary},operational_debrief,${unit.externalId},public`
  ].join('\n')
  res = await api.import('learning-log-entries', csv, 'text/csv')
  t.equal(res.statusCode, 422, res.body)
  t.same(res.json().failures[0].errors.map((e: { in: string; pointer: string }) => [e.in, e.pointer]).sort(), [
    ['row', '/delivery/noneNeededReason'],
    ['row', '/platform/changes/0/description'],
    ['row', '/review/evidence']
  ])
  t.equal((await api.get(`/v1/learning-log-entries/${reviewed.id}`)).json().dissemination, 'internal_unit', 'nothing written')
})
