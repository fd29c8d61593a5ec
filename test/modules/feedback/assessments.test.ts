import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildFeedbackApp } from './factories.js'

const api = await buildFeedbackApp()
t.teardown(() => api.close())

const subject = await api.person()
const fw = await api.framework()
const hour = 3_600_000
const window = () => ({ opensAt: new Date(Date.now() - hour).toISOString(), closesAt: new Date(Date.now() + 7 * 24 * hour).toISOString() })
const count = async () => Number((await api.ctx.database.db.selectFrom('feedback_assessments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

t.test('an assessment is created as a draft with the default scale and threshold', async (t) => {
  const res = await api.post('/v1/assessments', { subjectId: subject.id, frameworkId: fw.id, purpose: 'IMPACT workshop', ...window() })
  t.equal(res.statusCode, 201, res.body)
  const a = res.json()
  t.equal(res.headers.location, `/v1/assessments/${a.id}`)
  t.equal(res.headers.etag, '"1"')
  t.match(a, { status: 'draft', subjectId: subject.id, frameworkId: fw.id, elementIds: [], anonymityThreshold: 3, lineManagerIdentified: true })
  t.same(a.scale, { min: 1, max: 5, labels: [], notObservedAllowed: true })
  const events = await api.eventsOf(a.id, 'assessment.created')
  t.equal(events.length, 1)
  const got = await api.get(`/v1/assessments/${a.id}`, { scopes: ['assessments:read'] })
  t.equal(got.statusCode, 200)
  t.same(got.json(), a)
})

t.test('a subset of behaviours and a labelled scale', async (t) => {
  const a = await api.assessment(subject.id, fw.id, {
    elementIds: [fw.ids.B1, fw.ids.N1],
    scale: { min: 0, max: 4, labels: ['never', 'rarely', 'sometimes', 'often', 'always'], notObservedAllowed: false },
    anonymityThreshold: 2
  })
  t.same(a.elementIds, [fw.ids.B1, fw.ids.N1])
  t.same(a.scale, { min: 0, max: 4, labels: ['never', 'rarely', 'sometimes', 'often', 'always'], notObservedAllowed: false })
  t.equal(a.anonymityThreshold, 2)
})

t.test('refusals write nothing', async (t) => {
  const before = await count()
  const base = { subjectId: subject.id, frameworkId: fw.id, purpose: 'x', ...window() }
  expectProblem(t, await api.app.inject({ method: 'POST', url: '/v1/assessments', payload: base }), 401, 'unauthorized')
  expectProblem(t, await api.post('/v1/assessments', base, { scopes: ['assessments:read'] }), 403, 'forbidden')
  const draft = await api.framework(undefined, 'draft')
  expectProblem(t, await api.post('/v1/assessments', { ...base, frameworkId: draft.id }), 409, 'framework-not-published')
  const retired = await api.framework(undefined, 'retired')
  expectProblem(t, await api.post('/v1/assessments', { ...base, frameworkId: retired.id }), 409, 'framework-not-published')
  const unknown = expectProblem(t, await api.post('/v1/assessments', { ...base, frameworkId: '00000000-0000-4000-8000-000000000000' }), 422, 'invalid-reference')
  t.equal(unknown.errors?.[0].pointer, '/frameworkId')
  const other = await api.framework()
  const elements = expectProblem(t, await api.post('/v1/assessments', { ...base, elementIds: [fw.ids.B1, fw.ids.V1, other.ids.B1] }), 422, 'invalid-reference')
  t.same(elements.errors?.map((e) => e.pointer), ['/elementIds/1', '/elementIds/2'])
  t.match(elements.errors?.[0].detail, /value; only behaviours/)
  const threshold = expectProblem(t, await api.post('/v1/assessments', { ...base, anonymityThreshold: 1 }), 400, 'validation')
  t.equal(threshold.errors?.[0].pointer, '/anonymityThreshold')
  const backwards = expectProblem(t, await api.post('/v1/assessments', { ...base, opensAt: base.closesAt, closesAt: base.opensAt }), 422, 'unprocessable')
  t.equal(backwards.errors?.[0].pointer, '/closesAt')
  const labels = expectProblem(t, await api.post('/v1/assessments', { ...base, scale: { min: 1, max: 5, labels: ['a', 'b'] } }), 422, 'unprocessable')
  t.equal(labels.errors?.[0].pointer, '/scale/labels')
  const flat = expectProblem(t, await api.post('/v1/assessments', { ...base, scale: { min: 3, max: 3 } }), 422, 'unprocessable')
  t.equal(flat.errors?.[0].pointer, '/scale/max')
  const who = expectProblem(t, await api.post('/v1/assessments', { ...base, subjectId: '00000000-0000-4000-8000-000000000000' }), 422, 'invalid-reference')
  t.equal(who.errors?.[0].pointer, '/subjectId')
  expectProblem(t, await api.post('/v1/assessments', { ...base, cohortId: '00000000-0000-4000-8000-000000000000' }), 422, 'invalid-reference')
  expectProblem(t, await api.post('/v1/assessments', { ...base, anonymityThreshold: '3' }), 400, 'validation')
  expectProblem(t, await api.post('/v1/assessments', { ...base, surprise: true }), 400, 'validation')
  t.equal(await count(), before, 'nothing written')
})

t.test('Idempotency-Key replays the create', async (t) => {
  const body = { subjectId: subject.id, frameworkId: fw.id, purpose: 'replayed', ...window() }
  const headers = { 'idempotency-key': 'create-360-1' }
  const first = await api.post('/v1/assessments', body, { headers })
  const second = await api.post('/v1/assessments', body, { headers })
  t.equal(first.statusCode, 201)
  t.equal(second.statusCode, 201)
  t.equal(second.headers['idempotent-replayed'], 'true')
  t.equal(second.json().id, first.json().id)
  expectProblem(t, await api.post('/v1/assessments', { ...body, purpose: 'other' }, { headers }), 422, 'idempotency-key-reused')
})

t.test('every transition, and every refusal', async (t) => {
  const a = await api.assessment(subject.id, fw.id)
  const move = (id: string, to: string, headers: Record<string, string> = {}) => api.post(`/v1/assessments/${id}/transitions`, { to, reason: `to ${to}` }, { headers })

  expectProblem(t, await move(a.id, 'closed'), 409, 'illegal-transition')
  expectProblem(t, await move(a.id, 'released'), 409, 'illegal-transition')
  expectProblem(t, await move(a.id, 'open', { 'if-match': '"7"' }), 412, 'precondition-failed')
  expectProblem(t, await api.post(`/v1/assessments/${a.id}/transitions`, { to: 'open' }, { scopes: ['assessments:read'] }), 403, 'forbidden')
  expectProblem(t, await move('00000000-0000-4000-8000-000000000000', 'open'), 404, 'not-found')

  const opened = await move(a.id, 'open', { 'if-match': '"1"' })
  t.equal(opened.statusCode, 200, opened.body)
  t.match(opened.json(), { status: 'open', statusReason: 'to open', version: 2 })
  t.ok(opened.json().openedAt)
  expectProblem(t, await move(a.id, 'open'), 409, 'illegal-transition')
  expectProblem(t, await move(a.id, 'released'), 409, 'illegal-transition')
  const closed = (await move(a.id, 'closed')).json()
  t.equal(closed.status, 'closed')
  t.ok(closed.closedAt)
  const refused = expectProblem(t, await move(a.id, 'open'), 409, 'illegal-transition')
  t.same(refused.allowed, ['released'])
  expectProblem(t, await move(a.id, 'cancelled'), 409, 'illegal-transition')
  const released = (await move(a.id, 'released')).json()
  t.equal(released.status, 'released')
  t.ok(released.releasedAt)
  for (const to of ['draft', 'open', 'closed', 'cancelled']) expectProblem(t, await move(a.id, to), 409, 'illegal-transition')

  const events = await api.eventsOf(a.id, 'assessment.*')
  t.same(events.map((e) => e.type), ['assessment.created', 'assessment.open', 'assessment.closed', 'assessment.released'])
  t.match(events[3].data, { previousStatus: 'closed', reason: 'to released', status: 'released' })

  const fromDraft = await api.assessment(subject.id, fw.id)
  t.equal((await move(fromDraft.id, 'cancelled')).json().status, 'cancelled')
  for (const to of ['draft', 'open', 'closed', 'released']) expectProblem(t, await move(fromDraft.id, to), 409, 'illegal-transition')
  const fromOpen = await api.assessment(subject.id, fw.id)
  await move(fromOpen.id, 'open')
  t.equal((await move(fromOpen.id, 'cancelled')).json().status, 'cancelled')
})

t.test('a window that has ended cannot open', async (t) => {
  const a = await api.assessment(subject.id, fw.id, { opensAt: new Date(Date.now() - 48 * hour).toISOString(), closesAt: new Date(Date.now() - hour).toISOString() })
  const refused = expectProblem(t, await api.post(`/v1/assessments/${a.id}/transitions`, { to: 'open' }), 409, 'illegal-transition')
  t.match(refused.detail, /window closed/)
  const later = await api.patch(`/v1/assessments/${a.id}`, { closesAt: new Date(Date.now() + hour).toISOString() })
  t.equal(later.statusCode, 200, later.body)
  t.equal((await api.moveAssessment(a.id, 'open')).status, 'open')
})

t.test('what PATCH may change depends on the status', async (t) => {
  const a = await api.assessment(subject.id, fw.id)
  const draft = await api.patch(`/v1/assessments/${a.id}`, { purpose: 'changed', anonymityThreshold: 4, elementIds: [fw.ids.B2], scale: { min: 1, max: 7 } }, { headers: { 'if-match': '"1"' } })
  t.equal(draft.statusCode, 200, draft.body)
  t.match(draft.json(), { purpose: 'changed', anonymityThreshold: 4, elementIds: [fw.ids.B2], scale: { min: 1, max: 7 }, version: 2 })
  expectProblem(t, await api.patch(`/v1/assessments/${a.id}`, { purpose: 'stale' }, { headers: { 'if-match': '"1"' } }), 412, 'precondition-failed')
  expectProblem(t, await api.patch(`/v1/assessments/${a.id}`, { elementIds: [fw.ids.V2] }), 422, 'invalid-reference')
  await api.moveAssessment(a.id, 'open')
  const open = await api.patch(`/v1/assessments/${a.id}`, { purpose: 'extended', closesAt: new Date(Date.now() + 30 * 24 * hour).toISOString() })
  t.equal(open.statusCode, 200, open.body)
  const locked = expectProblem(t, await api.patch(`/v1/assessments/${a.id}`, { anonymityThreshold: 2 }), 409, 'assessment-status')
  t.match(locked.detail, /anonymityThreshold/)
  expectProblem(t, await api.patch(`/v1/assessments/${a.id}`, { closesAt: new Date(Date.now() - 60_000).toISOString() }), 422, 'unprocessable')
  await api.moveAssessment(a.id, 'closed')
  expectProblem(t, await api.patch(`/v1/assessments/${a.id}`, { purpose: 'late' }), 409, 'assessment-status')
})

t.test('lists filter and page', async (t) => {
  const other = await api.person()
  const mine = [await api.assessment(other.id, fw.id), await api.assessment(other.id, fw.id), await api.assessment(other.id, fw.id)]
  await api.moveAssessment(mine[0].id, 'open')
  const all = await api.all(`/v1/assessments?subjectId=${other.id}&limit=2`, { scopes: ['assessments:read'] })
  t.same(all.map((a) => a.id), mine.map((a) => a.id))
  const open = await api.all(`/v1/assessments?subjectId=${other.id}&status=open`)
  t.same(open.map((a) => a.id), [mine[0].id])
  expectProblem(t, await api.get('/v1/assessments', { scopes: ['people:read'] }), 403, 'forbidden')
  expectProblem(t, await api.get('/v1/assessments?cursor=nonsense'), 400, 'invalid-cursor')
})

t.test('a PATCH that changes nothing is no change: same version and ETag, no audit, no event', async (t) => {
  const a = await api.assessment(subject.id, fw.id, { purpose: 'Unchanged', elementIds: [fw.ids.B1, fw.ids.B2] })
  const url = `/v1/assessments/${a.id}`
  const noops: Array<Record<string, unknown>> = [
    {},
    { purpose: 'Unchanged' },
    // The same instant written another way, the same scale spelled out, the same subset.
    { closesAt: a.closesAt.replace('Z', '+00:00'), scale: a.scale, elementIds: [fw.ids.B1, fw.ids.B2], anonymityThreshold: 3 }
  ]
  for (const body of noops) {
    const res = await api.patch(url, body, { headers: { 'if-match': '"1"' } })
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.headers.etag, '"1"', `${JSON.stringify(body)}: same ETag`)
    t.same(res.json(), a, 'the assessment as it was')
  }
  expectProblem(t, await api.patch(url, {}, { headers: { 'if-match': '"2"' } }), 412, 'precondition-failed')
  t.same(await api.eventsOf(a.id, 'assessment.updated'), [], 'no event')
  const audit = (await api.get(`/v1/audit-records?entityId=${a.id}`)).json().data.map((r: { action: string }) => r.action)
  t.same(audit, ['assessment.created'], 'no audit record')

  // A real change still counts, once.
  const changed = await api.patch(url, { purpose: 'Changed' }, { headers: { 'if-match': '"1"' } })
  t.equal(changed.headers.etag, '"2"')
  t.equal((await api.eventsOf(a.id, 'assessment.updated')).length, 1)

  // While open, an empty patch is still no change.
  await api.moveAssessment(a.id, 'open')
  const open = await api.patch(url, {}, { headers: { 'if-match': '"3"' } })
  t.equal(open.statusCode, 200)
  t.equal(open.headers.etag, '"3"')
  t.equal((await api.eventsOf(a.id, 'assessment.updated')).length, 1)
})

t.test('creating an assessment reads its framework version FOR SHARE, so a retirement under way is waited for', async (t) => {
  // Retiring takes FOR UPDATE on the framework row; FOR SHARE conflicts with it, so the published
  // check cannot pass on a version whose retirement commits before the assessment does.
  const db = api.ctx.database.db
  const seen: string[] = []
  const watching = db.withPlugin({
    transformQuery: (args) => {
      seen.push(db.getExecutor().compileQuery(args.node, args.queryId).sql)
      return args.node
    },
    transformResult: async (args) => args.result
  })
  const { inTransaction } = await import('../../../src/platform/changes.js')
  const { createAssessment } = await import('../../../src/modules/feedback/assessments.service.js')
  await inTransaction(watching, { subject: 'test', clientId: null, requestId: 'r' }, (changes) =>
    createAssessment(changes, { subjectId: subject.id, frameworkId: fw.id, purpose: 'Locking', ...window() })
  )
  const read = seen.filter((sql) => /from "frameworks"/.test(sql))
  t.equal(read.length, 1, 'one read of the framework version')
  t.match(read[0], /for share$/, 'taken FOR SHARE')
})
