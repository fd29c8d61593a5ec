import t from 'tap'
import { buildRecommendationsApp, daysFrom, PANEL, READ, today, WRITE } from './factories.js'

const api = await buildRecommendationsApp()
t.teardown(() => api.close())

const reviewBody = (panelId: string, memberIds: string[], evidenceIds: string[], extra: Record<string, unknown> = {}) => ({
  panelId,
  reviewedOn: today(),
  memberIds,
  evidenceIds,
  verdict: 'embedded',
  rationale: 'the panel saw it working',
  ...extra
})

t.test('every route to embedded but a panel review is a 409 embedding-requires-panel-review', async (t) => {
  const rec = await api.recommendation()
  const moved = await api.move(rec.id, 'in_progress')
  const viaTransition = await api.post(`/v1/recommendations/${rec.id}/transitions`, { to: 'embedded', rationale: 'we think so' })
  t.equal(viaTransition.statusCode, 409)
  t.equal(viaTransition.json().type, '/problems/embedding-requires-panel-review')
  const viaPatch = await api.patch(`/v1/recommendations/${rec.id}`, { status: 'embedded' })
  t.equal(viaPatch.statusCode, 409)
  t.equal(viaPatch.json().type, '/problems/embedding-requires-panel-review')
  const viaCreate = await api.post('/v1/recommendations', { sourceId: rec.sourceId, number: '999', title: 'x', status: 'embedded' })
  t.equal(viaCreate.statusCode, 409)
  t.equal(viaCreate.json().type, '/problems/embedding-requires-panel-review')
  const otherPatch = await api.patch(`/v1/recommendations/${rec.id}`, { status: 'closed' })
  t.equal(otherPatch.statusCode, 409)
  t.equal(otherPatch.json().type, '/problems/status-via-transitions')
  const samePatch = await api.patch(`/v1/recommendations/${rec.id}`, { status: 'in_progress', area: 'Stop and search' })
  t.equal(samePatch.statusCode, 200, 'repeating the current status is not a change of status')
  const after = (await api.get(`/v1/recommendations/${rec.id}`)).json()
  t.equal(after.status, 'in_progress')
  t.equal(after.version, moved.version + 1, 'only the area changed')
  t.equal((await api.history(rec.id)).length, 2, 'no history row for refused moves')
})

t.test('a panel verdict of embedded needs at least one evidence item current on the review date', async (t) => {
  const rec = await api.recommendation()
  const { panel, members } = await api.panel()
  const ids = members.map((m) => m.id)
  const none = await api.review(rec.id, reviewBody(panel.id, ids, []))
  t.equal(none.statusCode, 409)
  t.equal(none.json().type, '/problems/embedding-requires-current-evidence')

  const expired = await api.evidence(rec.id, { effectiveOn: '2005-01-01', expiresOn: daysFrom(today(), -1) })
  const future = await api.evidence(rec.id, { effectiveOn: daysFrom(today(), 1) })
  const withdrawn = await api.evidence(rec.id, { effectiveOn: '2005-01-01' })
  const w = await api.post(`/v1/evidence/${withdrawn.id}/withdrawal`, { reason: 'superseded by a later audit' })
  t.equal(w.statusCode, 200)
  t.equal(w.json().current, false)
  const stale = await api.review(rec.id, reviewBody(panel.id, ids, [expired.id, future.id, withdrawn.id]))
  t.equal(stale.statusCode, 409)
  t.equal(stale.json().type, '/problems/embedding-requires-current-evidence')
  t.match(stale.json().detail, /none of the 3 evidence items/)
  t.equal((await api.get(`/v1/recommendations/${rec.id}/panel-reviews`)).json().data.length, 0, 'nothing recorded')
  t.equal((await api.get(`/v1/recommendations/${rec.id}`)).json().status, 'not_started')

  // Current on the review date (expiring that very day still counts), though not today.
  const lastDay = await api.evidence(rec.id, { effectiveOn: '2005-01-01', expiresOn: '2006-06-30' })
  const backdated = await api.review(rec.id, reviewBody(panel.id, ids, [expired.id, lastDay.id], { reviewedOn: '2006-06-30', nextReviewOn: daysFrom(today(), 200) }))
  t.equal(backdated.statusCode, 201, backdated.body)
  t.same(
    backdated.json().evidence.map((e: any) => e.current).sort(),
    [true, true],
    'both were current on 2006-06-30'
  )
  const now = (await api.get(`/v1/recommendations/${rec.id}`)).json()
  t.equal(now.status, 'embedded')
  t.equal(now.nextReviewDate, daysFrom(today(), 200))
  const history = await api.history(rec.id)
  t.match(history.at(-1), { from: 'not_started', to: 'embedded', via: 'panel_review', panelReviewId: backdated.json().id, actor: 'test-admin' })
})

t.test('each verdict moves the status as documented', async (t) => {
  const { panel, members } = await api.panel()
  const ids = members.map((m) => m.id)
  const verdict = async (recId: string, v: string, evidenceIds: string[] = []) => {
    const res = await api.review(recId, reviewBody(panel.id, ids, evidenceIds, { verdict: v }))
    t.equal(res.statusCode, 201, res.body)
    return (await api.get(`/v1/recommendations/${recId}`)).json().status
  }
  const a = await api.recommendation()
  await api.move(a.id, 'in_progress')
  t.equal(await verdict(a.id, 'insufficient_evidence'), 'in_progress', 'insufficient evidence leaves an open status')
  t.equal(await verdict(a.id, 'partially_embedded'), 'partially_embedded')
  t.equal(await verdict(a.id, 'not_embedded'), 'continuing_challenge')
  const ev = await api.evidence(a.id)
  t.equal(await verdict(a.id, 'embedded', [ev.id]), 'embedded')
  t.equal(await verdict(a.id, 'insufficient_evidence'), 'partially_embedded', 'an embedded one can no longer be confirmed')
  t.equal(await verdict(a.id, 'embedded', [ev.id]), 'embedded')
  t.equal(await verdict(a.id, 'not_embedded'), 'continuing_challenge', 'a later panel finding it not embedded')
  const history = await api.history(a.id)
  t.same(
    history.map((h) => `${h.from ?? '-'}>${h.to}:${h.via}`),
    [
      '->not_started:create',
      'not_started>in_progress:transition',
      'in_progress>in_progress:panel_review',
      'in_progress>partially_embedded:panel_review',
      'partially_embedded>continuing_challenge:panel_review',
      'continuing_challenge>embedded:panel_review',
      'embedded>partially_embedded:panel_review',
      'partially_embedded>embedded:panel_review',
      'embedded>continuing_challenge:panel_review'
    ]
  )
  t.ok(history.filter((h) => h.via === 'panel_review').every((h) => h.panelReviewId), 'every verdict names its review')
})

t.test('panel review refusals', async (t) => {
  const rec = await api.recommendation()
  const other = await api.recommendation()
  const ev = await api.evidence(rec.id)
  const otherEv = await api.evidence(other.id)
  const { panel, members } = await api.panel()
  const { members: strangers } = await api.panel()
  const ids = members.map((m) => m.id)

  const noScope = await api.review(rec.id, reviewBody(panel.id, ids, [ev.id]), WRITE)
  t.equal(noScope.statusCode, 403, 'recommendations:write is not panel:review')
  const noToken = await api.app.inject({ method: 'POST', url: `/v1/recommendations/${rec.id}/panel-reviews`, payload: reviewBody(panel.id, ids, [ev.id]) })
  t.equal(noToken.statusCode, 401)

  const stranger = await api.review(rec.id, reviewBody(panel.id, [ids[0], strangers[0].id], [ev.id]))
  t.equal(stranger.statusCode, 422)
  t.equal(stranger.json().type, '/problems/not-a-panel-member')
  t.same(stranger.json().errors.map((e: any) => e.pointer), ['/memberIds/1'])

  const foreign = await api.review(rec.id, reviewBody(panel.id, ids, [ev.id, otherEv.id]))
  t.equal(foreign.statusCode, 422)
  t.equal(foreign.json().type, '/problems/evidence-not-of-recommendation')
  t.same(foreign.json().errors.map((e: any) => e.pointer), ['/evidenceIds/1'])

  const future = await api.review(rec.id, reviewBody(panel.id, ids, [ev.id], { reviewedOn: daysFrom(today(), 3) }))
  t.equal(future.statusCode, 422)
  t.same(future.json().errors.map((e: any) => e.pointer), ['/reviewedOn'])

  const nextBefore = await api.review(rec.id, reviewBody(panel.id, ids, [ev.id], { nextReviewOn: daysFrom(today(), -3) }))
  t.equal(nextBefore.statusCode, 422)

  const noMembers = await api.review(rec.id, reviewBody(panel.id, [], [ev.id]))
  t.equal(noMembers.statusCode, 400, 'at least one member present')

  const unknownPanel = await api.review(rec.id, reviewBody('00000000-0000-4000-8000-000000000000', ids, [ev.id]))
  t.equal(unknownPanel.statusCode, 422)
  t.equal(unknownPanel.json().type, '/problems/invalid-reference')

  // A member who left before the meeting was not there.
  const leftRes = await api.patch(`/v1/challenge-panels/${panel.id}/members/${ids[1]}`, { leftOn: daysFrom(today(), -10) })
  t.equal(leftRes.statusCode, 200)
  const left = await api.review(rec.id, reviewBody(panel.id, ids, [ev.id]))
  t.equal(left.statusCode, 422)
  t.equal(left.json().type, '/problems/not-a-panel-member')

  const dissolved = await api.patch(`/v1/challenge-panels/${panel.id}`, { status: 'dissolved' })
  t.equal(dissolved.statusCode, 200)
  const afterDissolved = await api.review(rec.id, reviewBody(panel.id, [ids[0]], [ev.id]))
  t.equal(afterDissolved.statusCode, 409)
  t.equal(afterDissolved.json().type, '/problems/panel-dissolved')

  const missing = await api.review('00000000-0000-4000-8000-000000000000', reviewBody(panel.id, [ids[0]], [ev.id]))
  t.equal(missing.statusCode, 404)

  t.equal((await api.get(`/v1/recommendations/${rec.id}/panel-reviews`)).json().data.length, 0, 'no refused review was recorded')
  t.equal((await api.history(rec.id)).length, 1)

  const external = await api.post(`/v1/challenge-panels/${panel.id}/members`, { name: 'No org', membership: 'external' })
  t.equal(external.statusCode, 422, 'an external member names their organisation')
})

t.test('transitions: table, closing, reopening, If-Match and scopes', async (t) => {
  const rec = await api.recommendation()
  const illegal = await api.post(`/v1/recommendations/${rec.id}/transitions`, { to: 'partially_embedded', rationale: 'skip' })
  t.equal(illegal.statusCode, 409)
  t.match(illegal.json(), { type: '/problems/illegal-transition', from: 'not_started', to: 'partially_embedded', allowed: ['in_progress', 'closed'] })

  const noReason = await api.post(`/v1/recommendations/${rec.id}/transitions`, { to: 'closed', rationale: 'no longer applies' })
  t.equal(noReason.statusCode, 422)
  t.same(noReason.json().errors.map((e: any) => e.pointer), ['/closureReason'])
  const noRationale = await api.post(`/v1/recommendations/${rec.id}/transitions`, { to: 'in_progress' })
  t.equal(noRationale.statusCode, 400)

  const readOnly = await api.post(`/v1/recommendations/${rec.id}/transitions`, { to: 'in_progress', rationale: 'go' }, { scopes: READ })
  t.equal(readOnly.statusCode, 403)
  const panelOnly = await api.post(`/v1/recommendations/${rec.id}/transitions`, { to: 'in_progress', rationale: 'go' }, { scopes: PANEL })
  t.equal(panelOnly.statusCode, 403)

  const stale = await api.post(`/v1/recommendations/${rec.id}/transitions`, { to: 'in_progress', rationale: 'go' }, { headers: { 'if-match': '"7"' } })
  t.equal(stale.statusCode, 412)
  const ok = await api.post(`/v1/recommendations/${rec.id}/transitions`, { to: 'in_progress', rationale: 'go' }, { headers: { 'if-match': `"${rec.version}"` } })
  t.equal(ok.statusCode, 200)
  t.equal(ok.headers.etag, `"${rec.version + 1}"`)

  const closed = await api.move(rec.id, 'closed', 'superseded by HMIC 2008 rec 4', { closureReason: 'superseded' })
  t.equal(closed.closureReason, 'superseded')
  const evidence = await api.post(`/v1/recommendations/${rec.id}/evidence`, { kind: 'narrative', title: 'late', effectiveOn: '2007-01-01' })
  t.equal(evidence.statusCode, 409)
  t.equal(evidence.json().type, '/problems/recommendation-closed')
  const reopened = await api.move(rec.id, 'in_progress', 'the later report was withdrawn')
  t.equal(reopened.closureReason, null)
  t.equal((await api.post(`/v1/recommendations/${rec.id}/transitions`, { to: 'in_progress', rationale: 'again' })).statusCode, 409)
})

t.test('evidence is never deleted; withdrawal is final and needs a reason', async (t) => {
  const rec = await api.recommendation()
  const ev = await api.evidence(rec.id, { effectiveOn: '2004-01-01', expiresOn: '2030-01-01' })
  t.equal(ev.current, true)
  const del = await api.delete(`/v1/evidence/${ev.id}`)
  t.equal(del.statusCode, 404, 'there is no delete')
  const badDates = await api.post(`/v1/recommendations/${rec.id}/evidence`, { kind: 'data', title: 'x', effectiveOn: '2007-01-01', expiresOn: '2006-01-01' })
  t.equal(badDates.statusCode, 422)
  const noReason = await api.post(`/v1/evidence/${ev.id}/withdrawal`, {})
  t.equal(noReason.statusCode, 400)
  const first = await api.post(`/v1/evidence/${ev.id}/withdrawal`, { reason: 'wrong document' }, { headers: { 'if-match': '"1"' } })
  t.equal(first.statusCode, 200)
  t.match(first.json(), { withdrawalReason: 'wrong document', withdrawnBy: 'test-admin', current: false })
  const again = await api.post(`/v1/evidence/${ev.id}/withdrawal`, { reason: 'again' })
  t.equal(again.statusCode, 409)
  t.equal(again.json().type, '/problems/evidence-withdrawn')
  const listed = (await api.get(`/v1/recommendations/${rec.id}/evidence`)).json().data
  t.same(listed.map((e: any) => e.id), [ev.id], 'still listed')
  t.same((await api.get(`/v1/recommendations/${rec.id}/evidence?includeWithdrawn=false`)).json().data, [])
})

t.test('history rows cannot be changed or deleted, even in the database', async (t) => {
  const rec = await api.recommendation()
  const db = api.ctx.database.db
  await t.rejects(db.updateTable('recommendation_status_history').set({ rationale: 'rewritten' }).where('recommendation_id', '=', rec.id).execute(), /append-only/)
  await t.rejects(db.deleteFrom('recommendation_status_history').where('recommendation_id', '=', rec.id).execute(), /append-only/)
})
