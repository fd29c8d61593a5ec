import t from 'tap'
import { buildRecommendationsApp, daysFrom, today } from './factories.js'

const api = await buildRecommendationsApp()
t.teardown(() => api.close())

const ids = (list: { items: Array<{ id: string }> }) => list.items.map((i) => i.id).sort()

t.test('every change has its history row, audit record and event', async (t) => {
  const unit = await api.orgUnit()
  const rec = await api.recommendation({ area: 'Family liaison' })
  await api.patch(`/v1/recommendations/${rec.id}`, { ownerOrgUnitId: unit.id })
  await api.move(rec.id, 'in_progress', 'work started')
  await api.move(rec.id, 'partially_embedded', 'some boroughs')
  const ev = await api.evidence(rec.id)
  const { panel, members } = await api.panel()
  const review = await api.review(rec.id, { panelId: panel.id, reviewedOn: today(), memberIds: [members[0].id], evidenceIds: [ev.id], verdict: 'embedded', rationale: 'seen' })
  t.equal(review.statusCode, 201)
  await api.review(rec.id, { panelId: panel.id, reviewedOn: today(), memberIds: [members[0].id], evidenceIds: [], verdict: 'insufficient_evidence', rationale: 'doubts' })
  await api.move(rec.id, 'closed', 'not applicable any more', { closureReason: 'not_applicable' })

  const history = await api.history(rec.id)
  t.same(history.map((h) => h.to), ['not_started', 'in_progress', 'partially_embedded', 'embedded', 'partially_embedded', 'closed'])
  t.ok(history.every((h) => h.actor === 'test-admin' && h.occurredAt))
  t.same(history.map((h) => h.rationale), [null, 'work started', 'some boroughs', 'panel verdict embedded: seen', 'panel verdict insufficient_evidence: doubts', 'not applicable any more'])

  const { audit, events } = await api.trailOf(rec.id)
  const audited = audit.map((a) => a.action).reverse()
  t.same(audited, [
    'recommendation.created',
    'recommendation.updated',
    'recommendation.in_progress',
    'recommendation.partially_embedded',
    'recommendation.embedded',
    'recommendation.partially_embedded',
    'recommendation.closed'
  ])
  const statusEvents = events.filter((e) => e.type !== 'recommendation.created' && e.type !== 'recommendation.updated')
  t.same(statusEvents.map((e) => [e.type, e.data.previousStatus, e.data.via]), [
    ['recommendation.in_progress', 'not_started', 'transition'],
    ['recommendation.partially_embedded', 'in_progress', 'transition'],
    ['recommendation.embedded', 'partially_embedded', 'panel_review'],
    ['recommendation.partially_embedded', 'embedded', 'panel_review'],
    ['recommendation.closed', 'partially_embedded', 'transition']
  ])
  const verdicts = (await api.all<Record<string, any>>('/v1/events?type=panel-review.recorded&limit=500')).filter((e) => e.data.recommendationId === rec.id)
  t.same(verdicts.map((e) => e.data.verdict), ['embedded', 'insufficient_evidence'])
  const evidenceTrail = await api.trailOf(ev.id)
  t.same(evidenceTrail.audit.map((a) => a.action), ['evidence.submitted'])
})

t.test('actions: many recommendations, overdue flag, transitions', async (t) => {
  const a = await api.recommendation()
  const b = await api.recommendation()
  const action = await api.create<Record<string, any>>('/v1/recommendation-actions', { title: 'Train FLOs', dueOn: daysFrom(today(), -2), recommendationIds: [a.id, b.id] })
  t.equal(action.status, 'open')
  t.equal(action.overdue, true)
  t.same(action.recommendationIds, [a.id, b.id].sort())
  t.same((await api.get(`/v1/recommendations/${a.id}/actions`)).json().data.map((x: any) => x.id), [action.id])
  t.same((await api.get(`/v1/recommendation-actions?overdue=true&recommendationId=${b.id}`)).json().data.map((x: any) => x.id), [action.id])
  const none = await api.post('/v1/recommendation-actions', { title: 'x', recommendationIds: [] })
  t.equal(none.statusCode, 400, 'an action serves at least one recommendation')
  const unknown = await api.post('/v1/recommendation-actions', { title: 'x', recommendationIds: ['00000000-0000-4000-8000-000000000000'] })
  t.equal(unknown.statusCode, 422)
  t.same(unknown.json().errors.map((e: any) => e.pointer), ['/recommendationIds/0'])

  const started = await api.post(`/v1/recommendation-actions/${action.id}/transitions`, { to: 'in_progress' })
  t.equal(started.json().overdue, true)
  const future = await api.post(`/v1/recommendation-actions/${action.id}/transitions`, { to: 'done', completedOn: daysFrom(today(), 1) })
  t.equal(future.statusCode, 422)
  const done = await api.post(`/v1/recommendation-actions/${action.id}/transitions`, { to: 'done', note: 'all trained' })
  t.match(done.json(), { status: 'done', completedOn: today(), overdue: false })
  const reopen = await api.post(`/v1/recommendation-actions/${action.id}/transitions`, { to: 'open' })
  t.equal(reopen.statusCode, 409)
  t.equal(reopen.json().type, '/problems/illegal-transition')
  const events = (await api.trailOf(action.id)).events.map((e) => e.type)
  t.same(events, ['recommendation-action.created', 'recommendation-action.in_progress', 'recommendation-action.done'])
})

t.test('the exceptions report finds each kind, hand-built', async (t) => {
  const source = await api.source()
  const unit = await api.orgUnit()
  const owned = { sourceId: source.id, ownerOrgUnitId: unit.id }
  const asOf = today()
  // A: embedded, its only evidence withdrawn since. B: embedded with current evidence.
  const A = await api.embedded({ ...owned, number: '1' })
  await api.post(`/v1/evidence/${A.evidence.id}/withdrawal`, { reason: 'the audit was withdrawn' })
  const B = await api.embedded({ ...owned, number: '2' })
  // C: embedded, evidence expires in 10 days: an exception only when judged 20 days on.
  const C = await api.recommendation({ ...owned, number: '3' })
  const cEv = await api.evidence(C.id, { expiresOn: daysFrom(asOf, 10) })
  await api.review(C.id, { panelId: B.panel.id, reviewedOn: asOf, memberIds: [B.members[0].id], evidenceIds: [cEv.id], verdict: 'embedded', rationale: 'ok', nextReviewOn: daysFrom(asOf, 60) })
  // D with an overdue action, one done late and one not yet due.
  const D = await api.recommendation({ ...owned, number: '4' })
  const late = await api.create<Record<string, any>>('/v1/recommendation-actions', { title: 'late', dueOn: daysFrom(asOf, -5), recommendationIds: [D.id] })
  const doneLate = await api.create<Record<string, any>>('/v1/recommendation-actions', { title: 'done late', dueOn: daysFrom(asOf, -5), recommendationIds: [D.id] })
  await api.post(`/v1/recommendation-actions/${doneLate.id}/transitions`, { to: 'done' })
  await api.create('/v1/recommendation-actions', { title: 'not yet', dueOn: daysFrom(asOf, 1), recommendationIds: [D.id] })
  // E review overdue, F review due within 30 days, G due in 40 days, K closed with an old review date.
  const E = await api.recommendation({ ...owned, number: '5', nextReviewDate: daysFrom(asOf, -1) })
  const F = await api.recommendation({ ...owned, number: '6', nextReviewDate: daysFrom(asOf, 10) })
  await api.recommendation({ ...owned, number: '7', nextReviewDate: daysFrom(asOf, 40) })
  const K = await api.recommendation({ ...owned, number: '8', nextReviewDate: daysFrom(asOf, -3) })
  await api.move(K.id, 'closed', 'superseded', { closureReason: 'superseded' })
  // H has no owner; I has not moved for 100 days; J embedded and quiet (not counted as stale).
  const H = await api.recommendation({ sourceId: source.id, number: '9' })
  const I = await api.recommendation({ ...owned, number: '10' })
  const db = api.ctx.database.db
  const longAgo = new Date(Date.now() - 100 * 86_400_000)
  await db.updateTable('recommendations').set({ last_activity_at: longAgo }).where('id', 'in', [I.id, B.rec.id]).execute()

  const res = await api.get(`/v1/recommendations/exceptions?sourceId=${source.id}&asOf=${asOf}`)
  t.equal(res.statusCode, 200)
  const report = res.json()
  t.same(ids(report.embeddedWithoutCurrentEvidence), [A.rec.id])
  t.same(report.overdueActions.items.map((a: any) => [a.id, a.daysOverdue, a.recommendationIds]), [[late.id, 5, [D.id]]])
  t.same(ids(report.reviewsOverdue), [E.id])
  t.same(ids(report.reviewsDue), [F.id])
  t.same(ids(report.noOwner), [H.id])
  t.same(ids(report.noMovement), [I.id], 'embedded B is quiet but settled')
  t.same(
    [report.embeddedWithoutCurrentEvidence.count, report.overdueActions.count, report.reviewsOverdue.count, report.reviewsDue.count, report.noOwner.count, report.noMovement.count],
    [1, 1, 1, 1, 1, 1]
  )

  const later = (await api.get(`/v1/recommendations/exceptions?sourceId=${source.id}&asOf=${daysFrom(asOf, 20)}&staleDays=365`)).json()
  t.same(ids(later.embeddedWithoutCurrentEvidence), [A.rec.id, C.id].sort(), 'C’s evidence has expired by then')
  t.same(ids(later.reviewsOverdue), [E.id, F.id].sort())
  t.equal(later.noMovement.count, 0)

  const cut = (await api.get(`/v1/recommendations/exceptions?sourceId=${source.id}&asOf=${daysFrom(asOf, 20)}&limit=1`)).json()
  t.equal(cut.reviewsOverdue.count, 2)
  t.equal(cut.reviewsOverdue.items.length, 1, 'items are cut to the limit, counts are not')

  // Working the exceptions moves the report.
  await api.post(`/v1/recommendation-actions/${late.id}/transitions`, { to: 'done' })
  await api.patch(`/v1/recommendations/${H.id}`, { ownerOrgUnitId: unit.id })
  await api.evidence(A.rec.id, { title: 'replacement audit' })
  await api.move(I.id, 'in_progress', 'picked up again')
  const after = (await api.get(`/v1/recommendations/exceptions?sourceId=${source.id}&asOf=${asOf}`)).json()
  t.same([after.embeddedWithoutCurrentEvidence.count, after.overdueActions.count, after.noOwner.count, after.noMovement.count], [0, 0, 0, 0])
})

t.test('the exceptions report refuses day counts and dates it cannot reckon with: 400, pointing at the parameter', async (t) => {
  const refused: Array<[string, string]> = [
    // ajv coerces these to ±Infinity, which would slip past minimum/maximum to the date arithmetic.
    ['staleDays=1e309', '/staleDays'],
    ['staleDays=Infinity', '/staleDays'],
    ['staleDays=-Infinity', '/staleDays'],
    [`staleDays=${'9'.repeat(400)}`, '/staleDays'],
    ['staleDays=0', '/staleDays'],
    ['staleDays=3651', '/staleDays'],
    ['staleDays=1.5', '/staleDays'],
    ['staleDays=NaN', '/staleDays'],
    ['reviewWindowDays=1e309', '/reviewWindowDays'],
    ['reviewWindowDays=-1', '/reviewWindowDays'],
    ['reviewWindowDays=366', '/reviewWindowDays'],
    ['limit=Infinity', '/limit'],
    ['limit=5001', '/limit'],
    ['asOf=9999-12-31', '/asOf'],
    ['asOf=0001-01-01', '/asOf'],
    ['asOf=2026-02-30', '/asOf']
  ]
  for (const [query, pointer] of refused) {
    const res = await api.get(`/v1/recommendations/exceptions?${query}`)
    t.equal(res.statusCode, 400, query)
    t.equal(res.json().type, '/problems/validation', query)
    t.same(res.json().errors.map((e: { in: string; pointer: string }) => [e.in, e.pointer]), [['query', pointer]], query)
  }
  // The bounds themselves are taken: the longest look back from the earliest day, and forward from the last.
  for (const query of ['staleDays=3650&asOf=1900-01-01', 'reviewWindowDays=365&asOf=2999-12-31', 'staleDays=1&reviewWindowDays=0&limit=0']) {
    const res = await api.get(`/v1/recommendations/exceptions?${query}`)
    t.equal(res.statusCode, 200, query)
  }
  const edge = (await api.get('/v1/recommendations/exceptions?staleDays=3650&reviewWindowDays=365&asOf=2999-12-31')).json()
  t.same([edge.asOf, edge.staleDays, edge.reviewWindowDays], ['2999-12-31', 3650, 365])
})

t.test('theme roll-up and status reports, hand-counted', async (t) => {
  const s1 = await api.source({ code: 'RU-SLIR', title: 'Inquiry' })
  const s2 = await api.source({ code: 'RU-HMIC', title: 'Inspection', kind: 'inspection' })
  const theme = await api.theme({ code: 'RU-TRUST' })
  const other = await api.theme({ code: 'RU-OTHER' })
  const unit = await api.orgUnit({ name: 'Roll-up Borough' })
  const mk = (sourceId: string, number: string, extra: Record<string, unknown> = {}) =>
    api.recommendation({ sourceId, number, themeIds: [theme.id], area: 'Stop and search', ...extra })
  const r1 = await mk(s1.id, '60', { ownerOrgUnitId: unit.id })
  const r2 = await mk(s1.id, '61', { ownerOrgUnitId: unit.id })
  await mk(s1.id, '62', { area: 'Recruitment' })
  const r4 = await mk(s2.id, '1', { themeIds: [theme.id, other.id] })
  await api.recommendation({ sourceId: s2.id, number: '2', themeIds: [other.id] })
  await api.move(r1.id, 'in_progress')
  await api.move(r1.id, 'continuing_challenge')
  await api.move(r2.id, 'in_progress')
  await api.embedded({ sourceId: s2.id, number: '3', themeIds: [theme.id] })
  await api.move(r4.id, 'closed', 'n/a', { closureReason: 'not_applicable' })

  const rollUp = (await api.get(`/v1/themes/${theme.id}/roll-up`)).json()
  t.equal(rollUp.total, 5)
  t.same(rollUp.counts, { not_started: 1, in_progress: 1, partially_embedded: 0, continuing_challenge: 1, embedded: 1, closed: 1 })
  t.equal(rollUp.embeddedShare, 0.25, '1 embedded of 4 not closed')
  t.same(rollUp.bySource.map((s: any) => [s.sourceCode, s.total, s.counts.embedded, s.counts.closed]), [['RU-HMIC', 2, 1, 1], ['RU-SLIR', 3, 0, 0]])

  const byArea = (await api.get(`/v1/recommendations/status-report?by=area&sourceId=${s1.id}`)).json()
  t.same(byArea.rows.map((r: any) => [r.label, r.total, r.counts.continuing_challenge]), [['Recruitment', 1, 0], ['Stop and search', 2, 1]])
  const byOwner = (await api.get(`/v1/recommendations/status-report?by=owner&sourceId=${s1.id}`)).json()
  t.same(byOwner.rows.map((r: any) => [r.label, r.total]), [['Roll-up Borough', 2], ['(no owner unit)', 1]])
  const byTheme = (await api.get(`/v1/recommendations/status-report?by=theme&sourceId=${s2.id}`)).json()
  t.same(byTheme.rows.map((r: any) => [r.label.split(' ')[0], r.total]), [['RU-OTHER', 2], ['RU-TRUST', 2]])
  const bySource = (await api.get(`/v1/recommendations/status-report?by=source&themeId=${theme.id}`)).json()
  t.equal(bySource.total, 5)

  const listed = (await api.get(`/v1/recommendations?themeId=${theme.id}&status=in_progress&status=continuing_challenge`)).json().data
  t.same(listed.map((r: any) => r.number), ['60', '61'])
  const searched = (await api.get(`/v1/recommendations?q=${encodeURIComponent('searching stops')}&sourceId=${s1.id}`)).json().data
  t.same(searched.map((r: any) => r.number), ['60', '61'], 'full-text search stems "Stop and search"')
})

t.test('the overdue sweep reports each item once per due date', async (t) => {
  const rec = await api.recommendation({ nextReviewDate: daysFrom(today(), -2) })
  const action = await api.create<Record<string, any>>('/v1/recommendation-actions', { title: 'sweep me', dueOn: daysFrom(today(), -1), recommendationIds: [rec.id] })
  const first = await api.post('/v1/recommendations/overdue-sweeps', {})
  t.equal(first.statusCode, 200)
  t.ok(first.json().actionsOverdue.includes(action.id))
  t.ok(first.json().reviewsOverdue.includes(rec.id))
  const second = await api.post('/v1/recommendations/overdue-sweeps', {})
  t.same([second.json().actionsOverdue, second.json().reviewsOverdue], [[], []], 'nothing new')
  await api.patch(`/v1/recommendation-actions/${action.id}`, { dueOn: daysFrom(today(), -3) })
  const third = await api.post('/v1/recommendations/overdue-sweeps', {})
  t.same(third.json().actionsOverdue, [action.id], 'a new due date is reported afresh')
  const events = (await api.trailOf(action.id)).events.filter((e) => e.type === 'recommendation-action.overdue')
  t.same(events.map((e) => e.data.dueOn), [daysFrom(today(), -1), daysFrom(today(), -3)])
  t.equal((await api.post('/v1/recommendations/overdue-sweeps', { asOf: daysFrom(today(), 1) })).statusCode, 422)
  t.equal((await api.post('/v1/recommendations/overdue-sweeps', {}, { scopes: ['recommendations:read'] })).statusCode, 403)
})
