import t from 'tap'
import { sql } from 'kysely'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildFeedbackApp } from './factories.js'

const api = await buildFeedbackApp()
t.teardown(() => api.close())

const subject = await api.person({ givenName: 'Amina', familyName: 'Okafor' })
const fw = await api.framework()
const hour = 3_600_000
const full = { B1: 4, B2: 5, N1: 1, B3: 3, B4: null, N2: 2 }
const db = api.ctx.database.db

async function openAssessment(fields: Record<string, unknown> = {}) {
  const a = await api.assessment(subject.id, fw.id, fields)
  await api.moveAssessment(a.id, 'open')
  return a
}
const peerInvite = async (assessmentId: string) => api.invite(assessmentId, { relationship: 'peer', personId: (await api.person()).id })

t.test('a rater fetches the questionnaire with only the token', async (t) => {
  const a = await openAssessment({ elementIds: [fw.ids.B1, fw.ids.N2] })
  const inv = await peerInvite(a.id)
  const res = await api.questionnaire(inv.token)
  t.equal(res.statusCode, 200, res.body)
  const q = res.json()
  t.match(q, { subjectName: 'Amina Okafor', purpose: 'Development workshop', relationship: 'peer', closesAt: a.closesAt, draft: null })
  t.same(q.scale, a.scale)
  t.same(
    q.elements.map((e: { code: string; rated: boolean; polarity: string }) => [e.code, e.rated, e.polarity]),
    [['V1', false, 'positive'], ['B1', true, 'positive'], ['V2', false, 'positive'], ['N2', true, 'negative']],
    'the rated behaviours under their values, parents first'
  )
  t.notMatch(res.body, subject.id, 'the subject’s id is not needed by the rater')
})

t.test('drafts are saved, replaced and read back; then submitted once', async (t) => {
  const a = await openAssessment()
  const inv = await peerInvite(a.id)
  const first = await api.saveDraft(inv.token, api.answers(fw, { B1: 2 }, [{ text: 'first thoughts' }]))
  t.equal(first.statusCode, 200, first.body)
  t.equal(first.json().status, 'draft_saved')
  await api.saveDraft(inv.token, api.answers(fw, { B2: 3, B1: 4 }, [{ code: 'B1', text: 'better' }]))
  const q = (await api.questionnaire(inv.token)).json()
  t.same(q.draft, { ratings: [{ elementId: fw.ids.B1, value: 4 }, { elementId: fw.ids.B2, value: 3 }], comments: [{ elementId: fw.ids.B1, text: 'better' }] })
  t.equal((await api.get(`/v1/invitations/${inv.id}`)).json().draftSaved, true)

  const incomplete = expectProblem(t, await api.submit(inv.token, api.answers(fw, { B1: 4 })), 422, 'unprocessable')
  t.equal(incomplete.errors?.[0].pointer, '/ratings')
  t.match(incomplete.detail, /5 without an answer/)

  const done = await api.submit(inv.token, api.answers(fw, full, [{ text: 'keep going' }]))
  t.equal(done.statusCode, 200, done.body)
  t.equal(done.json().status, 'submitted')
  t.same(Object.keys(done.json()).sort(), ['at', 'status'], 'the receipt names nothing')
  const again = await api.submit(inv.token, api.answers(fw, full))
  expectProblem(t, again, 401, 'rater-token-invalid')
  expectProblem(t, await api.questionnaire(inv.token), 401, 'rater-token-invalid')
  expectProblem(t, await api.saveDraft(inv.token, api.answers(fw, { B1: 1 })), 401, 'rater-token-invalid')
  expectProblem(t, await api.decline(inv.token, 'changed my mind'), 401, 'rater-token-invalid')

  const view = (await api.get(`/v1/invitations/${inv.id}`)).json()
  t.match(view, { status: 'submitted', draftSaved: false })
  t.equal(view.respondedOn, new Date().toISOString().slice(0, 10))
  t.equal((await db.selectFrom('feedback_drafts').selectAll().where('invitation_id', '=', inv.id).execute()).length, 0, 'the draft is gone')
  const responses = await db.selectFrom('feedback_responses').selectAll().where('assessment_id', '=', a.id).execute()
  t.equal(responses.length, 1, 'exactly one response')
  t.same(responses[0].ratings, Object.fromEntries(Object.entries(full).map(([code, v]) => [fw.ids[code], v])))
  t.equal(responses[0].rater_group, 'peer')
})

t.test('answers are checked against the questionnaire', async (t) => {
  const a = await openAssessment({ elementIds: [fw.ids.B1, fw.ids.B2], scale: { min: 1, max: 4, notObservedAllowed: false } })
  const inv = await peerInvite(a.id)
  const bad = expectProblem(
    t,
    await api.saveDraft(inv.token, {
      ratings: [
        { elementId: fw.ids.B1, value: 5 },
        { elementId: fw.ids.B2, value: null },
        { elementId: fw.ids.B3, value: 2 },
        { elementId: fw.ids.B1, value: 2 }
      ],
      comments: [{ elementId: fw.ids.V1, text: 'on a value' }]
    }),
    422,
    'unprocessable'
  )
  t.same(bad.errors?.map((e) => e.pointer), ['/ratings/0/value', '/ratings/1/value', '/ratings/2/elementId', '/ratings/3/elementId', '/comments/0/elementId'])
  expectProblem(t, await api.saveDraft(inv.token, { ratings: [{ elementId: fw.ids.B1, value: '3' }] }), 400, 'validation')
  expectProblem(t, await api.saveDraft(inv.token, { ratings: [], extra: 1 }), 400, 'validation')
  expectProblem(t, await api.submit(inv.token, { ratings: [{ elementId: fw.ids.B1, value: 1 }, { elementId: fw.ids.B2, value: 0 }] }), 422, 'unprocessable')
  t.equal((await db.selectFrom('feedback_responses').selectAll().where('assessment_id', '=', a.id).execute()).length, 0, 'nothing stored')
  t.equal((await api.questionnaire(inv.token)).json().draft, null, 'no draft stored')
})

t.test('a rater declines with a reason', async (t) => {
  const a = await openAssessment()
  const inv = await peerInvite(a.id)
  await api.saveDraft(inv.token, api.answers(fw, { B1: 1 }))
  expectProblem(t, await api.rater('POST', '/v1/questionnaire/declination', inv.token, {}), 400, 'validation')
  const res = await api.decline(inv.token, 'I have not worked with them this year')
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().status, 'declined')
  expectProblem(t, await api.questionnaire(inv.token), 401, 'rater-token-invalid')
  t.match((await api.get(`/v1/invitations/${inv.id}`)).json(), { status: 'declined', statusReason: 'I have not worked with them this year', draftSaved: false })
  const events = await api.eventsOf(inv.id, 'invitation.declined')
  t.match(events[0].data, { reason: 'I have not worked with them this year' })
})

t.test('before the window the token is good but the questionnaire is not open', async (t) => {
  const draft = await api.assessment(subject.id, fw.id)
  const early = await peerInvite(draft.id)
  expectProblem(t, await api.questionnaire(early.token), 409, 'questionnaire-not-open')
  const future = await openAssessment({ opensAt: new Date(Date.now() + 24 * hour).toISOString() })
  const waiting = await peerInvite(future.id)
  const refused = expectProblem(t, await api.submit(waiting.token, api.answers(fw, full)), 409, 'questionnaire-not-open')
  t.match(refused.detail, /from \d{4}-/)
})

t.test('unknown, used, expired, withdrawn, reissued and closed tokens get the same answer', async (t) => {
  const a = await openAssessment()
  const used = await peerInvite(a.id)
  await api.respond(used.token, fw, full)
  const expired = await peerInvite(a.id)
  await db.updateTable('feedback_invitations').set({ token_expires_at: new Date(Date.now() - 1000) }).where('id', '=', expired.id).execute()
  const withdrawn = await peerInvite(a.id)
  await api.post(`/v1/invitations/${withdrawn.id}/transitions`, { to: 'withdrawn' })
  const reissued = await peerInvite(a.id)
  await api.post(`/v1/invitations/${reissued.id}/token`, {})
  const declined = await peerInvite(a.id)
  await api.decline(declined.token, 'no')
  const closed = await openAssessment()
  const late = await peerInvite(closed.id)
  await api.moveAssessment(closed.id, 'closed')
  const ended = await openAssessment()
  const afterWindow = await peerInvite(ended.id)
  await db.updateTable('feedback_assessments').set({ opens_at: new Date(Date.now() - 48 * hour), closes_at: new Date(Date.now() - hour) }).where('id', '=', ended.id).execute()

  const unknown = 'pwr_' + 'A'.repeat(43)
  const tokens: Record<string, string | null> = {
    unknown,
    malformed: 'guess',
    missing: null,
    used: used.token,
    expired: expired.token,
    withdrawn: withdrawn.token,
    reissued: reissued.token,
    declined: declined.token,
    closed: late.token,
    afterWindow: afterWindow.token
  }
  for (const [method, url, body] of [
    ['GET', '/v1/questionnaire', undefined],
    ['PUT', '/v1/questionnaire/draft', api.answers(fw, { B1: 1 })],
    ['POST', '/v1/questionnaire/submission', api.answers(fw, full)],
    ['POST', '/v1/questionnaire/declination', { reason: 'x' }]
  ] as const) {
    const answers = new Map<string, { body: string; headers: string }>()
    for (const [kind, token] of Object.entries(tokens)) {
      const res = await api.rater(method, url, token, body)
      expectProblem(t, res, 401, 'rater-token-invalid')
      answers.set(kind, { body: res.body, headers: `${res.headers['www-authenticate']}|${res.headers['content-type']}` })
    }
    const distinct = new Set([...answers.values()].map((a) => JSON.stringify(a)))
    t.equal(distinct.size, 1, `${method} ${url}: one identical answer for every dead token`)
  }
})

t.test('a bearer token does not reach the questionnaire, and a rater token reaches nothing else', async (t) => {
  const a = await openAssessment()
  const inv = await peerInvite(a.id)
  const bearer = await api.app.inject({ method: 'GET', url: '/v1/questionnaire', headers: api.ctx.auth(['admin']) })
  expectProblem(t, bearer, 401, 'rater-token-invalid')
  const other = await api.app.inject({ method: 'GET', url: `/v1/assessments/${a.id}`, headers: { 'x-rater-token': inv.token } })
  expectProblem(t, other, 401, 'unauthorized')
  const asBearer = await api.app.inject({ method: 'GET', url: `/v1/assessments/${a.id}`, headers: { authorization: `Bearer ${inv.token}` } })
  expectProblem(t, asBearer, 401, 'unauthorized')
  const both = await api.app.inject({ method: 'GET', url: '/v1/questionnaire', headers: { ...api.ctx.auth(['admin']), 'x-rater-token': inv.token } })
  t.equal(both.statusCode, 200, 'the rater token is what counts there')
  // No scope is ever checked there, so a bearer token short of scopes is no 403 either (none is documented).
  const scopeless = api.ctx.auth(['people:read'])
  for (const [method, url, payload] of [['GET', '/v1/questionnaire', undefined], ['PUT', '/v1/questionnaire/draft', { ratings: [] }], ['POST', '/v1/questionnaire/submission', { ratings: [] }], ['POST', '/v1/questionnaire/declination', { reason: 'no' }]] as const) {
    expectProblem(t, await api.app.inject({ method, url, headers: scopeless, ...(payload ? { payload } : {}) }), 401, 'rater-token-invalid')
  }
})

t.test('the assessment closing discards drafts and kills tokens', async (t) => {
  const a = await openAssessment()
  const inv = await peerInvite(a.id)
  await api.saveDraft(inv.token, api.answers(fw, { B1: 3 }))
  await api.moveAssessment(a.id, 'closed')
  t.equal((await db.selectFrom('feedback_drafts').selectAll().where('invitation_id', '=', inv.id).execute()).length, 0)
  expectProblem(t, await api.questionnaire(inv.token), 401, 'rater-token-invalid')
})

t.test('a self rating, and "not observed" only when the scale allows it', async (t) => {
  const a = await openAssessment()
  const self = await api.invite(a.id, { relationship: 'self' })
  t.equal((await api.questionnaire(self.token)).json().relationship, 'self')
  await api.respond(self.token, fw, { B1: null, B2: null, N1: null, B3: null, B4: null, N2: null })
  const [row] = await db.selectFrom('feedback_responses').select(['rater_group', 'ratings']).where('assessment_id', '=', a.id).execute()
  t.equal(row.rater_group, 'self')
  t.same(Object.values(row.ratings), [null, null, null, null, null, null])
})

t.test('a failure of the rewrite after a stored submission is logged, not answered as an error', async (t) => {
  const a = await openAssessment()
  const inv = await peerInvite(a.id)
  // Make the row rewrite that follows the submission's transaction fail: the submission inserts
  // (no UPDATE), so only that rewrite meets this trigger.
  await sql`create or replace function refuse_response_update() returns trigger language plpgsql as $$ begin raise exception 'rewrite refused'; end $$`.execute(db)
  await sql`create trigger refuse_response_update before update on feedback_responses for each row execute function refuse_response_update()`.execute(db)
  try {
    const res = await api.submit(inv.token, api.answers(fw, full, [{ text: 'stored after all' }]))
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.json().status, 'submitted')
  } finally {
    await sql`drop trigger refuse_response_update on feedback_responses`.execute(db)
    await sql`drop function refuse_response_update()`.execute(db)
  }
  t.equal((await api.get(`/v1/invitations/${inv.id}`)).json().status, 'submitted', 'the submission is stored')
  const stored = await db.selectFrom('feedback_responses').select('comments').where('assessment_id', '=', a.id).execute()
  t.same(stored.map((r) => r.comments.map((c) => c.text)), [['stored after all']])
  expectProblem(t, await api.submit(inv.token, api.answers(fw, full)), 401, 'rater-token-invalid')
})
