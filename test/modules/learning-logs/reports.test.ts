import t from 'tap'
import { buildLearningApp, type Entry } from './factories.js'

const api = await buildLearningApp()
t.teardown(() => api.close())
const db = api.ctx.database.db

const groupA = await api.orgUnit({ kind: 'business_group', name: 'A Territorial Policing' })
const boroughA = await api.orgUnit({ kind: 'borough', parentId: groupA.id })
const teamA = await api.orgUnit({ kind: 'team', parentId: boroughA.id })
const groupB = await api.orgUnit({ kind: 'business_group', name: 'B Specialist Operations' })
const outside = await api.orgUnit({ kind: 'board', name: 'Management Board' })
const owner = await api.person({ orgUnitId: boroughA.id })
const who = { unitId: boroughA.id, ownerId: owner.id }

const e1 = await api.entry({ orgUnitId: teamA.id, sourceReference: 'Op Kirkwall debrief' })
const e2 = await api.walk(await api.entry({ orgUnitId: boroughA.id, sourceReference: 'Op Kirkwall debrief' }), 'platform', who)
const e3 = await api.walk(await api.entry({ orgUnitId: groupB.id, sourceKind: 'inspection', sourceReference: 'HMIC 2008' }), 'closed', who)
let e4 = await api.walk(await api.entry({ orgUnitId: outside.id, sourceKind: 'complaint' }), 'challenge', who)
e4 = (await api.move(e4.id, { to: 'closed', challenge: { decision: 'no_action', reason: 'Dealt with locally' } })).json()
const e5 = await api.entry({ orgUnitId: boroughA.id, kind: 'notable_practice', sourceReference: 'Op Kirkwall debrief' })

/**
 * Controlled time: each entry's stage moves happen at these days after T0 (100 days ago), in the
 * order of its trail; the entry's stage_entered_at follows its last move.
 */
const T0 = Date.now() - 100 * 86_400_000
const DAYS: Array<[Entry, number[]]> = [
  [e1, [0]],
  [e2, [0, 2, 6, 16]],
  [e3, [0, 4, 5, 8, 9, 20, 30]],
  [e4, [0, 6, 7]],
  [e5, [50]]
]
for (const [entry, days] of DAYS) {
  const moves = await db.selectFrom('learning_log_trail').select('id').where('entry_id', '=', entry.id).where('to_stage', 'is not', null).orderBy('id').execute()
  if (moves.length !== days.length) throw new Error(`${entry.reference}: ${moves.length} moves, ${days.length} times`)
  for (const [i, move] of moves.entries()) await db.updateTable('learning_log_trail').set({ occurred_at: new Date(T0 + days[i] * 86_400_000) }).where('id', '=', move.id).execute()
  await db.updateTable('learning_log_entries').set({ stage_entered_at: new Date(T0 + days[days.length - 1] * 86_400_000) }).where('id', '=', entry.id).execute()
}

const report = async (path: string) => {
  const res = await api.get(`/v1/learning-log-reports/${path}`, { scopes: ['learning:read'] })
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`)
  return res.json()
}
const zero = { origin: 0, challenge: 0, accountability: 0, platform: 0, delivery: 0, review: 0, closed: 0 }

t.test('counts by stage and business group', async (t) => {
  const body = await report('stage-by-business-group')
  t.same(body.rows, [
    { businessGroupId: groupA.id, businessGroupName: 'A Territorial Policing', stages: { ...zero, origin: 2, platform: 1 }, total: 3 },
    { businessGroupId: groupB.id, businessGroupName: 'B Specialist Operations', stages: { ...zero, closed: 1 }, total: 1 },
    { businessGroupId: null, businessGroupName: null, stages: { ...zero, closed: 1 }, total: 1 }
  ])
  t.same(body.totals, { stages: { ...zero, origin: 2, platform: 1, closed: 2 }, total: 5 })
})

t.test('median days in each stage, from the trail', async (t) => {
  const body = await report('stage-durations')
  const by = Object.fromEntries(body.stages.map((s: any) => [s.stage, s]))
  // origin stays 2 (e2), 4 (e3), 6 (e4): median 4. challenge 4, 1, 1: 1. accountability 10, 3: 6.5.
  t.same(by.origin, { stage: 'origin', completedStays: 3, medianDays: 4, inStageNow: 2, medianDaysSoFar: by.origin.medianDaysSoFar })
  t.equal(Math.round(by.origin.medianDaysSoFar), 75, 'e1 100 days and e5 50 days so far')
  t.same(by.challenge, { stage: 'challenge', completedStays: 3, medianDays: 1, inStageNow: 0, medianDaysSoFar: null })
  t.same(by.accountability, { stage: 'accountability', completedStays: 2, medianDays: 6.5, inStageNow: 0, medianDaysSoFar: null })
  t.equal(by.platform.completedStays, 1)
  t.equal(by.platform.medianDays, 1)
  t.equal(by.platform.inStageNow, 1)
  t.equal(by.delivery.medianDays, 11)
  t.equal(by.review.medianDays, 10)
  t.notOk(by.closed, 'closed is where entries end')
  const inspections = await report('stage-durations?sourceKind=inspection')
  t.equal(inspections.stages.find((s: any) => s.stage === 'origin').medianDays, 4, 'filtered to e3')
})

t.test('entries stuck beyond a threshold, longest first', async (t) => {
  t.same((await report('stuck?days=90')).data.map((e: any) => e.id), [e1.id])
  const body = await report('stuck?days=45')
  t.same(body.data.map((e: any) => e.id), [e1.id, e2.id, e5.id])
  t.same(body.data.map((e: any) => e.daysInStage), [100, 84, 50])
  t.same((await report('stuck?days=45&stage=platform')).data.map((e: any) => e.id), [e2.id])
  const refused = await api.get('/v1/learning-log-reports/stuck')
  t.equal(refused.statusCode, 400, 'days is required')
})

t.test('sources that produce the most lessons', async (t) => {
  const body = await report('sources')
  t.same(body.bySourceKind, [
    { sourceKind: 'operational_debrief', entries: 3, lessons: 2, notablePractices: 1, actionRequired: 1, closedNoAction: 0, closedDuplicate: 0, closedReviewed: 0, improvementSeen: 0 },
    { sourceKind: 'complaint', entries: 1, lessons: 1, notablePractices: 0, actionRequired: 0, closedNoAction: 1, closedDuplicate: 0, closedReviewed: 0, improvementSeen: 0 },
    { sourceKind: 'inspection', entries: 1, lessons: 1, notablePractices: 0, actionRequired: 1, closedNoAction: 0, closedDuplicate: 0, closedReviewed: 1, improvementSeen: 1 }
  ])
  t.same(body.topSources, [
    { sourceKind: 'operational_debrief', sourceReference: 'Op Kirkwall debrief', entries: 3, lessons: 2 },
    { sourceKind: 'inspection', sourceReference: 'HMIC 2008', entries: 1, lessons: 1 }
  ])
  t.same((await report('sources?top=1')).topSources.length, 1)
})

t.test('closed lessons with their review outcome', async (t) => {
  const outcomes = await report('review-outcomes')
  t.equal(outcomes.closed, 2)
  t.equal(outcomes.closedNoAction, 1)
  t.equal(outcomes.closedDuplicate, 0)
  t.equal(outcomes.reviewed, 1)
  t.same(outcomes.outcomes.filter((o: any) => o.entries > 0), [{ integrated: 'fully', improvementSeen: true, entries: 1 }])
  t.equal(outcomes.outcomes.length, 6)

  const closed = await report('closed-lessons')
  const byId = Object.fromEntries(closed.data.map((c: any) => [c.id, c]))
  t.same(Object.keys(byId).sort(), [e3.id, e4.id].sort())
  t.match(byId[e3.id], { closureKind: 'reviewed', integrated: 'fully', improvementSeen: true, evidence: 'Audit of 20 cases' })
  t.match(byId[e4.id], { closureKind: 'no_action', closureReason: 'Dealt with locally', integrated: null })
  t.same((await report('closed-lessons?closureKind=reviewed')).data.map((c: any) => c.id), [e3.id])
  const forbidden = await api.get('/v1/learning-log-reports/closed-lessons', { scopes: ['programmes:read'] })
  t.equal(forbidden.statusCode, 403)
})

t.test('the sources report puts the sources of most lessons first, not of most entries', async (t) => {
  // Entries identified in 2001 only, so the report over 2001 sees nothing else.
  const add = async (sourceKind: string, sourceReference: string, lessons: number, notable: number) => {
    for (let i = 0; i < lessons + notable; i++) {
      await api.entry({ orgUnitId: groupB.id, sourceKind, sourceReference, identifiedOn: '2001-06-01', kind: i < lessons ? 'lesson_identified' : 'notable_practice' })
    }
  }
  await add('operational_debrief', 'Op Alpha debrief', 1, 3) // most entries, one lesson
  await add('operational_debrief', 'Op Bravo debrief', 2, 0)
  await add('inspection', 'HMIC 2001', 2, 1)
  await add('employment_tribunal', 'Claim 17', 2, 0)
  await add('complaint', 'Complaint 9', 0, 4) // entries, but no lessons at all
  const body = await report('sources?identifiedFrom=2001-01-01&identifiedTo=2001-12-31')
  // Hand-computed: lessons desc, then entries desc, then kind, then reference.
  t.same(body.topSources.map((s: any) => [s.sourceReference, s.lessons, s.entries]), [
    ['HMIC 2001', 2, 3],
    ['Claim 17', 2, 2], // employment_tribunal sorts before operational_debrief
    ['Op Bravo debrief', 2, 2],
    ['Op Alpha debrief', 1, 4],
    ['Complaint 9', 0, 4]
  ])
  t.same(body.bySourceKind.map((s: any) => [s.sourceKind, s.lessons, s.entries]), [
    ['operational_debrief', 3, 6],
    ['inspection', 2, 3],
    ['employment_tribunal', 2, 2],
    ['complaint', 0, 4]
  ])
  t.same((await report('sources?identifiedFrom=2001-01-01&identifiedTo=2001-12-31&top=2')).topSources.map((s: any) => s.sourceReference), ['HMIC 2001', 'Claim 17'])
})
