/**
 * A debrief lesson from origin to a reviewed change in an SOP and a training course, end to end
 * through the client generated from the contract (test/sdk/schema.d.ts) on a real socket: the
 * organisation and a course exist; the debrief team imports the lessons of a debrief spreadsheet
 * as CSV; the learning lead challenges one (action required) and closes a duplicate; an owner is
 * made accountable; the SOP is changed; the course is updated and linked; the review finds it
 * integrated; search finds it from another unit; the trail, the change feed and the reports show
 * what happened.
 */
import t from 'tap'
import type { components } from '../sdk/schema.js'
import { buildTestApp } from '../helpers/app.js'
import { sdkFor } from '../helpers/sdk.js'

type Entry = components['schemas']['LearningLogEntry']

const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' })
t.teardown(() => ctx.close())
const { clientWith } = await sdkFor(ctx)

const admin = clientWith(ctx.token(['admin'], { sub: 'e2e-admin' }))
const lead = clientWith(ctx.token(['learning:write', 'events:read'], { sub: 'e2e-learning-lead' }))
const reader = clientWith(ctx.token(['learning:read'], { sub: 'e2e-reader' }))
const csvBody = { bodySerializer: (body: unknown) => body as string, headers: { 'content-type': 'text/csv' } }

const ids: Record<string, string> = {}
let lesson: Entry

t.test('an administrator sets up the organisation and the course', async (t) => {
  const group = await admin.POST('/v1/org-units', { body: { externalId: 'OU-E2E-TP', name: 'Territorial Policing', kind: 'business_group' } })
  t.equal(group.response.status, 201)
  const borough = await admin.POST('/v1/org-units', { body: { externalId: 'OU-E2E-CN', name: 'Central North', kind: 'borough', parentId: group.data!.id } })
  t.equal(borough.response.status, 201)
  ids.group = group.data!.id
  ids.borough = borough.data!.id
  for (const [key, given, family] of [['debriefer', 'Amina', 'Shah'], ['owner', 'Daniel', 'Reeve']] as const) {
    const person = await admin.POST('/v1/people', { body: { externalId: `P-E2E-${key}`, givenName: given, familyName: family, staffType: 'officer', orgUnitId: borough.data!.id } })
    t.equal(person.response.status, 201)
    ids[key] = person.data!.id
  }
  const course = await admin.POST('/v1/programmes', { body: { code: 'E2E-CORDON', title: 'Cordon management for first-line managers', kind: 'course' } })
  t.equal(course.response.status, 201)
  ids.programme = course.data!.id
})

t.test('the debrief team imports the lessons of a debrief spreadsheet', async (t) => {
  const csv = [
    'externalId,title,summary,notes,sourceKind,sourceReference,eventDate,orgUnitExternalId,identifiedByExternalId,identifiedOn,tags',
    'DBF-1,Cordon briefing named no rendezvous point,Arriving units self-deployed to the inner cordon.,Three units inside the cordon before it was declared safe.,operational_debrief,Op Kirkwall debrief,2009-03-01,OU-E2E-CN,P-E2E-debriefer,2009-03-03,cordon|briefing',
    'DBF-2,No rendezvous point in the cordon briefing,The same finding from the night shift.,,operational_debrief,Op Kirkwall debrief,2009-03-01,OU-E2E-CN,P-E2E-debriefer,2009-03-03,cordon'
  ].join('\n')
  const res = await lead.POST('/v1/learning-log-entries/import', { body: csv as never, ...csvBody })
  t.equal(res.response.status, 200, JSON.stringify(res.error))
  t.same((res.data as components['schemas']['ImportResult']).counts, { read: 2, created: 2, updated: 0, unchanged: 0, failed: 0 })
  const found = await reader.GET('/v1/learning-log-entries', { params: { query: { externalId: 'DBF-1' } } })
  const duplicate = await reader.GET('/v1/learning-log-entries', { params: { query: { externalId: 'DBF-2' } } })
  ids.lesson = found.data!.data[0].id
  ids.duplicate = duplicate.data!.data[0].id
  t.match(found.data!.data[0].reference, /^OL-2009-\d{4}$/)
})

async function move(id: string, body: components['schemas']['LearningLogTransitionRequest'], version: number) {
  const res = await lead.POST('/v1/learning-log-entries/{id}/transitions', { params: { path: { id }, header: { 'if-match': `"${version}"` } as never }, body })
  if (res.response.status !== 200) throw new Error(`${body.to}: ${res.response.status} ${JSON.stringify(res.error)}`)
  return res.data!
}

t.test('challenge: one lesson needs action, the other is a duplicate', async (t) => {
  lesson = await move(ids.lesson, { to: 'challenge', note: 'Quality assured at the borough learning meeting' }, 1)
  const refused = await lead.POST('/v1/learning-log-entries/{id}/transitions', { params: { path: { id: ids.lesson } }, body: { to: 'accountability', challenge: { decision: 'action_required' } } })
  t.equal(refused.response.status, 409)
  t.equal((refused.error as any).type, '/problems/learning-log-stage-incomplete')
  t.same((refused.error as any).errors.map((e: any) => e.pointer), ['/challenge/actionByOrgUnitId'])
  lesson = await move(ids.lesson, { to: 'accountability', challenge: { decision: 'action_required', actionByOrgUnitId: ids.group } }, lesson.version)

  let dup = await move(ids.duplicate, { to: 'challenge' }, 1)
  dup = await move(ids.duplicate, { to: 'closed', challenge: { decision: 'duplicate', reason: 'Same finding as the day shift', duplicateOfId: ids.lesson } }, dup.version)
  t.equal(dup.closure!.kind, 'duplicate')
})

t.test('accountability, then an SOP change, then the training course', async (t) => {
  lesson = await move(ids.lesson, { to: 'platform', accountability: { ownerId: ids.owner, level: 'business_group' } }, lesson.version)
  lesson = await move(ids.lesson, { to: 'delivery', platform: { changes: [{ kind: 'sop', reference: 'SOP-CORDON-2009-03', description: 'Rendezvous point made a mandatory item of the initial briefing' }] } }, lesson.version)
  lesson = await move(
    ids.lesson,
    { to: 'review', delivery: { changes: [{ kind: 'training', reference: 'E2E-CORDON', description: 'Rendezvous input added to the course' }], programmeIds: [ids.programme] } },
    lesson.version
  )
  t.equal(lesson.stage, 'review')
  t.same(lesson.platform.changes.map((c) => c.reference), ['SOP-CORDON-2009-03'])
  t.same(lesson.delivery.changes.map((c) => c.reference), ['E2E-CORDON'])
})

t.test('the review finds the change integrated and the improvement seen', async (t) => {
  const stale = await lead.POST('/v1/learning-log-entries/{id}/transitions', {
    params: { path: { id: ids.lesson }, header: { 'if-match': '"1"' } as never },
    body: { to: 'closed', review: { integrated: 'fully', improvementSeen: true, evidence: 'x' } }
  })
  t.equal(stale.response.status, 412)
  lesson = await move(ids.lesson, { to: 'closed', review: { integrated: 'fully', improvementSeen: true, evidence: 'No unit inside the cordon in the next four debriefs' } }, lesson.version)
  t.equal(lesson.stage, 'closed')
  t.same(lesson.review && { integrated: lesson.review.integrated, improvementSeen: lesson.review.improvementSeen }, { integrated: 'fully', improvementSeen: true })
})

t.test('another unit finds the lesson, and by its course', async (t) => {
  const search = await reader.GET('/v1/learning-log-entries', { params: { query: { q: 'rendezvous cordon' } } })
  t.equal(search.response.status, 200)
  t.equal(search.data!.data[0].id, ids.lesson, 'the title match ranks first')
  const byCourse = await reader.GET('/v1/learning-log-entries', { params: { query: { programmeId: ids.programme } } })
  t.same(byCourse.data!.data.map((e) => e.id), [ids.lesson])
})

t.test('the trail, the change feed and the reports tell the story', async (t) => {
  const trail = await reader.GET('/v1/learning-log-entries/{id}/trail', { params: { path: { id: ids.lesson } } })
  t.same(
    trail.data!.data.map((i) => [i.kind, i.toStage]),
    [['created', 'origin'], ['moved', 'challenge'], ['moved', 'accountability'], ['moved', 'platform'], ['moved', 'delivery'], ['moved', 'review'], ['linked', null], ['moved', 'closed']]
  )
  t.ok(trail.data!.data.slice(1).every((i) => i.actor === 'e2e-learning-lead'))
  t.equal(trail.data!.data[1].note, 'Quality assured at the borough learning meeting')

  const events = await lead.GET('/v1/events', { params: { query: { type: 'learning-log-entry.moved' } } })
  const mine = events.data!.data.filter((e) => e.entityId === ids.lesson).map((e) => (e.data as any).to)
  t.same(mine, ['challenge', 'accountability', 'platform', 'delivery', 'review', 'closed'])

  const outcomes = await reader.GET('/v1/learning-log-reports/review-outcomes')
  t.match(outcomes.data, { closed: 2, closedDuplicate: 1, reviewed: 1 })
  const stages = await reader.GET('/v1/learning-log-reports/stage-by-business-group')
  t.same(stages.data!.rows.map((r) => [r.businessGroupName, r.stages.closed]), [['Territorial Policing', 2]])
  const closed = await reader.GET('/v1/learning-log-reports/closed-lessons', { params: { query: { closureKind: 'reviewed' } } })
  t.same(closed.data!.data.map((c) => [c.id, c.integrated, c.improvementSeen]), [[ids.lesson, 'fully', true]])
})
