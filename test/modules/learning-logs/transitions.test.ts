import t from 'tap'
import { buildLearningApp, type Entry } from './factories.js'

const api = await buildLearningApp()
t.teardown(() => api.close())

const unit = await api.orgUnit({ kind: 'ocu' })
const owner = await api.person({ orgUnitId: unit.id })
const lead = await api.person({ orgUnitId: unit.id })
const who = { unitId: unit.id, ownerId: owner.id }

/** The 409's missing items, as pointer → detail. */
const missing = (body: any) => Object.fromEntries((body.errors ?? []).map((e: any) => [e.pointer, e.detail]))

async function stored(id: string): Promise<Entry> {
  const res = await api.get(`/v1/learning-log-entries/${id}`)
  return res.json()
}

t.test('a new entry starts at origin with a reference from the year it was identified', async (t) => {
  const res = await api.post('/v1/learning-log-entries', {
    title: 'Radio dead spot in the underground car park',
    summary: 'Officers lost contact during a search.',
    sourceKind: 'operational_debrief',
    orgUnitId: unit.id,
    identifiedById: owner.id,
    identifiedOn: '2009-03-02'
  })
  t.equal(res.statusCode, 201)
  const entry = res.json()
  t.match(entry.reference, /^OL-2009-\d{4}$/)
  t.equal(entry.stage, 'origin')
  t.equal(entry.kind, 'lesson_identified')
  t.equal(entry.dissemination, 'internal_unit')
  t.equal(res.headers.location, `/v1/learning-log-entries/${entry.id}`)
  t.equal(res.headers.etag, '"1"')
  const next = await api.entry({ identifiedOn: '2009-05-01' })
  t.equal(Number(next.reference.slice(-4)), Number(entry.reference.slice(-4)) + 1, 'the next entry of the year takes the next number')
  const other = await api.entry({ identifiedOn: '2008-12-31' })
  t.match(other.reference, /^OL-2008-\d{4}$/)
  const trail = await api.trail(entry.id)
  t.same(trail.map((i) => [i.kind, i.toStage, i.actor]), [['created', 'origin', 'test-admin']])
})

t.test('concurrent creates never share a reference', async (t) => {
  const entries = await Promise.all(Array.from({ length: 8 }, () => api.entry({ identifiedOn: '2011-06-01' })))
  const numbers = entries.map((e) => Number(e.reference.slice(-4))).sort((a, b) => a - b)
  t.same(numbers, [1, 2, 3, 4, 5, 6, 7, 8])
})

t.test('an Idempotency-Key replays the create instead of drawing a second reference', async (t) => {
  const body = { title: 'Replayed', summary: 'Once only', sourceKind: 'audit', orgUnitId: unit.id, identifiedOn: '2012-01-01' }
  const headers = { 'idempotency-key': 'll-create-1' }
  const first = await api.request('POST', '/v1/learning-log-entries', body, { headers })
  const second = await api.request('POST', '/v1/learning-log-entries', body, { headers })
  t.equal(first.statusCode, 201)
  t.equal(second.statusCode, 201)
  t.equal(second.json().id, first.json().id)
  t.equal(second.headers['idempotent-replayed'], 'true')
  const reused = await api.request('POST', '/v1/learning-log-entries', { ...body, title: 'Different' }, { headers })
  t.equal(reused.statusCode, 422)
})

t.test('origin needs who identified the learning', async (t) => {
  const entry = await api.entry({ identifiedById: null })
  const res = await api.move(entry.id, { to: 'challenge' })
  t.equal(res.statusCode, 409)
  t.equal(res.json().type, '/problems/learning-log-stage-incomplete')
  t.same(missing(res.json()), { '/identifiedById': 'who identified the learning is required to leave origin (set it with PATCH)' })
  t.match(res.json().detail, /moving from origin to challenge needs: identifiedById/)
  t.equal((await stored(entry.id)).version, 1, 'nothing written')
})

t.test('a move that skips a stage is an illegal transition naming the moves open', async (t) => {
  const entry = await api.entry()
  const res = await api.move(entry.id, { to: 'platform' })
  t.equal(res.statusCode, 409)
  t.equal(res.json().type, '/problems/illegal-transition')
  t.same(res.json().allowed, ['challenge'])
  const same = await api.move(entry.id, { to: 'origin' })
  t.equal(same.statusCode, 409)
  t.match(same.json().detail, /already at origin/)
})

t.test('challenge: action required names who acts; no action and duplicate close with the reason', async (t) => {
  const entry = await api.walk(await api.entry(), 'challenge', who)

  let res = await api.move(entry.id, { to: 'accountability' })
  t.equal(res.statusCode, 409)
  t.same(Object.keys(missing(res.json())).sort(), ['/challenge/actionByOrgUnitId', '/challenge/decision'])

  res = await api.move(entry.id, { to: 'accountability', challenge: { decision: 'no_action', actionByOrgUnitId: unit.id } })
  t.equal(res.statusCode, 409)
  t.match(missing(res.json())['/challenge/decision'], /must be action_required/)

  res = await api.move(entry.id, { to: 'closed', challenge: { decision: 'no_action' } })
  t.equal(res.statusCode, 409)
  t.same(missing(res.json()), { '/challenge/reason': 'the reason for closing is required' })

  res = await api.move(entry.id, { to: 'closed', challenge: { decision: 'duplicate', reason: 'Already logged' } })
  t.equal(res.statusCode, 409)
  t.same(missing(res.json()), { '/challenge/duplicateOfId': 'the entry this one duplicates is required' })

  res = await api.move(entry.id, { to: 'closed', challenge: { decision: 'duplicate', reason: 'Logged twice', duplicateOfId: entry.id } })
  t.equal(res.statusCode, 409)
  t.same(missing(res.json()), { '/challenge/duplicateOfId': 'an entry cannot duplicate itself' })

  res = await api.move(entry.id, { to: 'closed', challenge: { decision: 'duplicate', reason: 'Logged twice', duplicateOfId: '00000000-0000-4000-8000-000000000000' } })
  t.equal(res.statusCode, 422)
  t.equal(res.json().errors[0].pointer, '/challenge/duplicateOfId')

  res = await api.move(entry.id, { to: 'accountability', challenge: { decision: 'action_required', actionByOrgUnitId: '00000000-0000-4000-8000-000000000000' } })
  t.equal(res.statusCode, 422)
  t.equal(res.json().type, '/problems/invalid-reference')
  t.equal((await stored(entry.id)).stage, 'challenge', 'nothing written by the refusals')

  const original = await api.entry({ title: 'The first report of it' })
  res = await api.move(entry.id, { to: 'closed', note: 'Seen at the borough meeting', challenge: { decision: 'duplicate', reason: 'Logged twice', duplicateOfId: original.id } })
  t.equal(res.statusCode, 200)
  const closed = res.json()
  t.equal(closed.stage, 'closed')
  t.same(closed.closure, { kind: 'duplicate', reason: 'Logged twice', duplicateOfId: original.id, closedAt: closed.closure.closedAt })
  const links = await api.all(`/v1/learning-log-entries/${entry.id}/links`)
  t.same(links.map((l) => [l.kind, l.targetType, l.targetId]), [['duplicate_of', 'entry', original.id]])

  const noAction = await api.walk(await api.entry(), 'challenge', who)
  res = await api.move(noAction.id, { to: 'closed', challenge: { decision: 'no_action', reason: 'Covered by existing SOP' } })
  t.equal(res.statusCode, 200)
  t.equal(res.json().closure.kind, 'no_action')
  t.equal(res.json().challenge.decision, 'no_action')

  const acting = await api.walk(await api.entry(), 'challenge', who)
  res = await api.move(acting.id, { to: 'accountability', challenge: { decision: 'action_required', actionByPersonId: lead.id } })
  t.equal(res.statusCode, 200)
  t.same(res.json().challenge, { decision: 'action_required', actionByOrgUnitId: null, actionByPersonId: lead.id, decidedAt: res.json().challenge.decidedAt })
})

t.test('accountability needs an owner and a level, and an SMT lead for a corporate issue', async (t) => {
  const entry = await api.walk(await api.entry(), 'accountability', who)
  let res = await api.move(entry.id, { to: 'platform' })
  t.equal(res.statusCode, 409)
  t.same(Object.keys(missing(res.json())).sort(), ['/accountability/level', '/accountability/ownerId'])

  res = await api.move(entry.id, { to: 'platform', accountability: { ownerId: owner.id, level: 'corporate' } })
  t.equal(res.statusCode, 409)
  t.same(missing(res.json()), { '/accountability/smtLeadId': 'a corporate issue needs an SMT lead' })

  res = await api.move(entry.id, { to: 'platform', accountability: { ownerId: owner.id, level: 'corporate', smtLeadId: lead.id } })
  t.equal(res.statusCode, 200)
  t.same(res.json().accountability, { ownerId: owner.id, level: 'corporate', smtLeadId: lead.id })
})

t.test('platform and delivery need their changes, each with a reference, or why none was needed', async (t) => {
  const entry = await api.walk(await api.entry(), 'platform', who)
  let res = await api.move(entry.id, { to: 'delivery' })
  t.equal(res.statusCode, 409)
  t.same(Object.keys(missing(res.json())), ['/platform/changes'])

  res = await api.move(entry.id, { to: 'delivery', platform: { changes: [{ kind: 'sop', reference: 'SOP 12' }], noneNeededReason: 'None' } })
  t.equal(res.statusCode, 409)
  t.same(Object.keys(missing(res.json())), ['/platform/noneNeededReason'])

  res = await api.move(entry.id, { to: 'delivery', platform: { changes: [{ kind: 'training', reference: 'X' }] } })
  t.equal(res.statusCode, 400, 'a delivery kind is not a platform change')

  res = await api.move(entry.id, { to: 'delivery', platform: { changes: [{ kind: 'sop' }] } })
  t.equal(res.statusCode, 400, 'each change needs its reference')
  t.equal(res.json().errors[0].pointer, '/platform/changes/0/reference')

  res = await api.move(entry.id, { to: 'delivery', platform: { noneNeededReason: 'Policy already covers it' } })
  t.equal(res.statusCode, 200)
  t.equal(res.json().platform.noneNeededReason, 'Policy already covers it')

  res = await api.move(entry.id, { to: 'review', delivery: { noneNeededReason: 'Nothing to train' } })
  t.equal(res.statusCode, 409, 'action was required: platform and delivery cannot both need nothing')
  t.match(missing(res.json())['/delivery/changes'], /platform recorded no change either/)

  const programme = await api.activeProgramme()
  res = await api.move(entry.id, { to: 'review', delivery: { changes: [{ kind: 'training', reference: 'PRG' }], programmeIds: ['00000000-0000-4000-8000-000000000000'] } })
  t.equal(res.statusCode, 422)
  t.equal(res.json().errors[0].pointer, '/delivery/programmeIds/0')

  res = await api.move(entry.id, {
    to: 'review',
    delivery: { changes: [{ kind: 'training', reference: programme.code, description: 'New input on cordons' }, { kind: 'it', reference: 'CHG-4411' }], programmeIds: [programme.id] }
  })
  t.equal(res.statusCode, 200)
  const reviewed = res.json()
  t.same(reviewed.delivery.changes.map((c: any) => [c.kind, c.reference]), [['training', programme.code], ['it', 'CHG-4411']])
  const links = await api.all(`/v1/learning-log-entries/${entry.id}/links`)
  t.same(links.map((l) => [l.kind, l.programmeId]), [['addressed_by', programme.id]])
})

t.test('review needs integration, improvement and evidence; then the entry closes as reviewed', async (t) => {
  const entry = await api.walk(await api.entry(), 'review', who)
  let res = await api.move(entry.id, { to: 'closed' })
  t.equal(res.statusCode, 409)
  t.same(Object.keys(missing(res.json())).sort(), ['/review/evidence', '/review/improvementSeen', '/review/integrated'])
  res = await api.move(entry.id, { to: 'closed', review: { integrated: 'partly', improvementSeen: false } })
  t.same(Object.keys(missing(res.json())), ['/review/evidence'])
  res = await api.move(entry.id, { to: 'closed', review: { integrated: 'partly', improvementSeen: false, evidence: 'Dip sample of 30 debriefs' } })
  t.equal(res.statusCode, 200)
  const closed = res.json()
  t.equal(closed.closure.kind, 'reviewed')
  t.same(closed.review, { integrated: 'partly', improvementSeen: false, evidence: 'Dip sample of 30 debriefs', reviewedAt: closed.review.reviewedAt })
  res = await api.move(entry.id, { to: 'closed' })
  t.equal(res.statusCode, 409)
  t.equal(res.json().type, '/problems/illegal-transition')
})

t.test('only the outcome of the stage being left may be sent', async (t) => {
  const entry = await api.walk(await api.entry(), 'challenge', who)
  const res = await api.move(entry.id, { to: 'accountability', challenge: { decision: 'action_required', actionByOrgUnitId: unit.id }, review: { integrated: 'fully' } })
  t.equal(res.statusCode, 422)
  t.same(res.json().errors, [{ in: 'body', pointer: '/review', detail: 'is not used when leaving challenge; send only /challenge' }])
})

t.test('reopening goes back to a named earlier stage with a reason and clears the later outcomes', async (t) => {
  const entry = await api.walk(await api.entry(), 'closed', who)
  let res = await api.move(entry.id, { to: 'delivery' })
  t.equal(res.statusCode, 409)
  t.same(missing(res.json()), { '/reason': 'the reason for reopening is required' })
  res = await api.move(entry.id, { to: 'delivery', reason: 'Inspection found the course not yet delivered in two boroughs' })
  t.equal(res.statusCode, 200)
  const reopened = res.json()
  t.equal(reopened.stage, 'delivery')
  t.equal(reopened.closure, null)
  t.equal(reopened.review, null)
  t.equal(reopened.accountability.ownerId, owner.id, 'the owner stays')
  t.equal(reopened.delivery.changes.length, 1, 'changes recorded before stay')
  const trail = await api.trail(entry.id)
  const last = trail[trail.length - 1]
  t.equal(last.kind, 'reopened')
  t.equal(last.fromStage, 'closed')
  t.equal(last.toStage, 'delivery')
  t.equal(last.data.reason, 'Inspection found the course not yet delivered in two boroughs')
  t.equal(last.data.cleared.review_integrated, 'fully')
  res = await api.move(entry.id, { to: 'review', reason: 'x', delivery: { changes: [{ kind: 'role', reference: 'ROLE-1' }] } })
  t.equal(res.statusCode, 200, 'forward again with a new outcome')
  t.equal(res.json().delivery.changes.length, 2)
})

t.test('If-Match, scopes, tokens and unknown entries', async (t) => {
  const entry = await api.entry()
  let res = await api.move(entry.id, { to: 'challenge' }, 7)
  t.equal(res.statusCode, 412)
  t.equal(res.headers.etag, '"1"')
  res = await api.move(entry.id, { to: 'challenge' }, 1)
  t.equal(res.statusCode, 200)
  t.equal(res.headers.etag, '"2"')
  res = await api.request('POST', `/v1/learning-log-entries/${entry.id}/transitions`, { to: 'accountability' }, { scopes: ['learning:read'] })
  t.equal(res.statusCode, 403)
  res = await api.app.inject({ method: 'POST', url: `/v1/learning-log-entries/${entry.id}/transitions`, payload: { to: 'accountability' } })
  t.equal(res.statusCode, 401)
  res = await api.move('00000000-0000-4000-8000-000000000000', { to: 'challenge' })
  t.equal(res.statusCode, 404)
  res = await api.move(entry.id, { to: 'sideways' })
  t.equal(res.statusCode, 400)
  res = await api.get(`/v1/learning-log-entries/${entry.id}`, { scopes: ['learning:read'] })
  t.equal(res.statusCode, 200)
  res = await api.get(`/v1/learning-log-entries/${entry.id}`, { scopes: ['people:read'] })
  t.equal(res.statusCode, 403)
})

t.test('owners and levels change from accountability on, and the trail and the feed show it', async (t) => {
  const early = await api.entry()
  let res = await api.put(`/v1/learning-log-entries/${early.id}/accountability`, { ownerId: owner.id, level: 'ocu' })
  t.equal(res.statusCode, 409)
  t.equal(res.json().type, '/problems/learning-log-stage')

  const entry = await api.walk(await api.entry(), 'platform', who)
  res = await api.put(`/v1/learning-log-entries/${entry.id}/accountability`, { ownerId: lead.id, level: 'corporate' })
  t.equal(res.statusCode, 422)
  t.equal(res.json().errors[0].pointer, '/smtLeadId')
  res = await api.request('PUT', `/v1/learning-log-entries/${entry.id}/accountability`, { ownerId: lead.id, level: 'management_board', reason: 'Raised to Management Board' }, { headers: { 'if-match': `"${entry.version}"` }, sub: 'hr-officer' })
  t.equal(res.statusCode, 200)
  t.same(res.json().accountability, { ownerId: lead.id, level: 'management_board', smtLeadId: null })
  const again = await api.put(`/v1/learning-log-entries/${entry.id}/accountability`, { ownerId: lead.id, level: 'management_board' })
  t.equal(again.json().version, res.json().version, 'the same owner again changes nothing')

  const note = await api.post(`/v1/learning-log-entries/${entry.id}/notes`, { note: 'Discussed at Performance Board' })
  t.equal(note.statusCode, 201)
  const trail = await api.trail(entry.id)
  t.same(
    trail.map((i) => [i.kind, i.fromStage, i.toStage]),
    [['created', null, 'origin'], ['moved', 'origin', 'challenge'], ['moved', 'challenge', 'accountability'], ['moved', 'accountability', 'platform'], ['owner_changed', null, null], ['noted', null, null]]
  )
  const change = trail[4]
  t.equal(change.actor, 'hr-officer')
  t.equal(change.note, 'Raised to Management Board')
  t.same(change.data, { before: { ownerId: owner.id, level: 'business_group', smtLeadId: null }, after: { ownerId: lead.id, level: 'management_board', smtLeadId: null } })
  t.ok(trail.every((i) => typeof i.occurredAt === 'string' && i.actor))
  t.same(trail[3].data, { accountability: { ownerId: owner.id, level: 'business_group', smtLeadId: null } }, 'a move keeps the outcome of the stage it left')

  const events = await api.eventsOf(entry.id, 'learning-log-entry.*')
  t.same(events.map((e) => e.type), ['learning-log-entry.created', 'learning-log-entry.moved', 'learning-log-entry.moved', 'learning-log-entry.moved', 'learning-log-entry.owner-changed', 'learning-log-entry.noted'])
  t.equal(events[4].data.after.level, 'management_board')
})
