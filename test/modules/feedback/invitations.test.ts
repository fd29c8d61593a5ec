import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildFeedbackApp } from './factories.js'

const api = await buildFeedbackApp()
t.teardown(() => api.close())

const subject = await api.person()
const manager = await api.person()
const peer = await api.person()
const fw = await api.framework()
const hour = 3_600_000

t.test('raters are invited by relationship, each with a token shown once', async (t) => {
  const a = await api.assessment(subject.id, fw.id)
  const self = await api.invite(a.id, { relationship: 'self' })
  t.match(self, { relationship: 'self', personId: subject.id, status: 'invited', draftSaved: false, remindersSent: 0 })
  t.match(self.token, /^pwr_[A-Za-z0-9_-]{43}$/, '256-bit token')
  t.equal(self.expiresAt, a.closesAt, 'the token lives as long as the window by default')
  const external = await api.invite(a.id, { relationship: 'other', externalName: 'Pat Partner', externalEmail: 'pat@partner.example' })
  t.match(external, { personId: null, externalName: 'Pat Partner', externalEmail: 'pat@partner.example' })
  t.not(external.token, self.token)

  const read = await api.get(`/v1/invitations/${self.id}`, { scopes: ['assessments:read'] })
  t.equal(read.statusCode, 200)
  t.notOk('token' in read.json(), 'no token when read')
  t.notMatch(read.body, self.token)
  const list = await api.get(`/v1/assessments/${a.id}/invitations`)
  t.notMatch(list.body, /pwr_/)
  t.same(list.json().data.map((i: { id: string }) => i.id), [self.id, external.id])

  const stored = await api.ctx.database.db.selectFrom('feedback_invitations').select('token_hash').where('id', '=', self.id).executeTakeFirstOrThrow()
  t.not(stored.token_hash, self.token, 'only a hash is stored')
  t.match(stored.token_hash, /^[0-9a-f]{64}$/)

  const events = await api.eventsOf(self.id, 'invitation.created')
  t.equal(events.length, 1)
  t.notMatch(JSON.stringify(events), /pwr_/, 'no token in the event')
  const audit = await api.get(`/v1/audit-records?entityId=${self.id}`)
  t.notMatch(audit.body, /pwr_/, 'no token in the audit trail')
  t.equal(audit.json().data.length, 1)
})

t.test('invitation refusals', async (t) => {
  const a = await api.assessment(subject.id, fw.id)
  const url = `/v1/assessments/${a.id}/invitations`
  expectProblem(t, await api.post(url, { relationship: 'peer' }), 422, 'unprocessable')
  expectProblem(t, await api.post(url, { relationship: 'peer', personId: subject.id }), 422, 'unprocessable')
  expectProblem(t, await api.post(url, { relationship: 'self', personId: peer.id }), 422, 'unprocessable')
  expectProblem(t, await api.post(url, { relationship: 'peer', personId: peer.id, externalName: 'X', externalEmail: 'x@example.org' }), 422, 'unprocessable')
  expectProblem(t, await api.post(url, { relationship: 'other', externalName: 'No Mail' }), 422, 'unprocessable')
  expectProblem(t, await api.post(url, { relationship: 'other', externalName: 'Bad', externalEmail: 'not-an-email' }), 400, 'validation')
  expectProblem(t, await api.post(url, { relationship: 'boss', personId: peer.id }), 400, 'validation')
  expectProblem(t, await api.post(url, { relationship: 'peer', personId: '00000000-0000-4000-8000-000000000000' }), 422, 'invalid-reference')
  expectProblem(t, await api.post(url, { relationship: 'peer', personId: peer.id, expiresAt: new Date(Date.now() - 1000).toISOString() }), 422, 'unprocessable')
  expectProblem(t, await api.post(url, { relationship: 'peer', personId: peer.id }, { scopes: ['assessments:read'] }), 403, 'forbidden')
  expectProblem(t, await api.post('/v1/assessments/00000000-0000-4000-8000-000000000000/invitations', { relationship: 'peer', personId: peer.id }), 404, 'not-found')
  t.equal((await api.get(url)).json().data.length, 0, 'nothing written')

  await api.invite(a.id, { relationship: 'peer', personId: peer.id })
  const dup = expectProblem(t, await api.post(url, { relationship: 'direct_report', personId: peer.id }), 409, 'invitation-duplicate')
  t.ok(dup.invitationId)
  await api.invite(a.id, { relationship: 'self' })
  expectProblem(t, await api.post(url, { relationship: 'self' }), 409, 'invitation-duplicate')
  await api.invite(a.id, { relationship: 'other', externalName: 'Ext', externalEmail: 'Ext@Example.org' })
  expectProblem(t, await api.post(url, { relationship: 'other', externalName: 'Ext again', externalEmail: 'ext@example.org' }), 409, 'invitation-duplicate')

  await api.moveAssessment(a.id, 'open')
  t.equal((await api.post(url, { relationship: 'line_manager', personId: manager.id })).statusCode, 201, 'invited while open')
  await api.moveAssessment(a.id, 'closed')
  expectProblem(t, await api.post(url, { relationship: 'other', externalName: 'Late', externalEmail: 'late@example.org' }), 409, 'assessment-status')
})

t.test('withdrawal kills the token and frees the rater for a new invitation', async (t) => {
  const a = await api.assessment(subject.id, fw.id)
  await api.moveAssessment(a.id, 'open')
  const inv = await api.invite(a.id, { relationship: 'peer', personId: peer.id })
  t.equal((await api.questionnaire(inv.token)).statusCode, 200)
  t.equal((await api.saveDraft(inv.token, api.answers(fw, { B1: 4 }))).statusCode, 200)
  expectProblem(t, await api.post(`/v1/invitations/${inv.id}/transitions`, { to: 'withdrawn' }, { headers: { 'if-match': '"9"' } }), 412, 'precondition-failed')
  expectProblem(t, await api.post(`/v1/invitations/${inv.id}/transitions`, { to: 'submitted' }), 400, 'validation')
  const withdrawn = await api.post(`/v1/invitations/${inv.id}/transitions`, { to: 'withdrawn', reason: 'left the team' })
  t.equal(withdrawn.statusCode, 200, withdrawn.body)
  t.match(withdrawn.json(), { status: 'withdrawn', statusReason: 'left the team', draftSaved: false })
  expectProblem(t, await api.questionnaire(inv.token), 401, 'rater-token-invalid')
  expectProblem(t, await api.post(`/v1/invitations/${inv.id}/transitions`, { to: 'withdrawn' }), 409, 'invitation-status')
  expectProblem(t, await api.post(`/v1/invitations/${inv.id}/token`, {}), 409, 'invitation-status')
  const again = await api.invite(a.id, { relationship: 'peer', personId: peer.id })
  t.not(again.id, inv.id)
  const drafts = await api.ctx.database.db.selectFrom('feedback_drafts').select('invitation_id').where('invitation_id', '=', inv.id).execute()
  t.equal(drafts.length, 0, 'the draft is discarded')
  t.same((await api.eventsOf(inv.id, 'invitation.*')).map((e) => e.type), ['invitation.created', 'invitation.withdrawn'], 'a saved draft is audited but not published')
})

t.test('reissue: the old token dies, the new one works, the draft is discarded', async (t) => {
  const a = await api.assessment(subject.id, fw.id)
  await api.moveAssessment(a.id, 'open')
  const inv = await api.invite(a.id, { relationship: 'peer', personId: peer.id })
  t.equal((await api.saveDraft(inv.token, api.answers(fw, { B1: 2, N1: 5 }, [{ code: 'B1', text: 'a draft only the rater may read' }]))).statusCode, 200)
  t.equal((await api.get(`/v1/invitations/${inv.id}`)).json().draftSaved, true)
  const reissued = await api.post(`/v1/invitations/${inv.id}/token`, {}, { headers: { 'if-match': `"${inv.version}"` } })
  t.equal(reissued.statusCode, 200, reissued.body)
  const fresh = reissued.json()
  t.not(fresh.token, inv.token)
  t.equal(fresh.draftSaved, false, 'the answer says the draft is gone')
  expectProblem(t, await api.questionnaire(inv.token), 401, 'rater-token-invalid')
  // Whoever reissued holds the new token: it must not open the rater's unsent answers.
  const q = await api.questionnaire(fresh.token)
  t.equal(q.statusCode, 200)
  t.equal(q.json().draft, null, 'no draft answers behind the new token')
  t.notMatch(q.body, /a draft only the rater may read/)
  const drafts = await api.ctx.database.db.selectFrom('feedback_drafts').select('invitation_id').where('invitation_id', '=', inv.id).execute()
  t.equal(drafts.length, 0, 'the draft row is deleted')
  // A submission through the new token carries only what is sent with it.
  await api.respond(fresh.token, fw, { B1: 3, B2: 3, N1: 1, B3: 3, B4: 3, N2: 1 })
  const stored = await api.ctx.database.db.selectFrom('feedback_responses').select(['ratings', 'comments']).where('assessment_id', '=', a.id).execute()
  t.same(stored.map((r) => [r.ratings[fw.ids.N1], r.comments]), [[1, []]])
  const event = (await api.eventsOf(inv.id, 'invitation.reissued'))[0]
  t.ok(event)
  t.notMatch(JSON.stringify(event), /pwr_/)
  expectProblem(t, await api.post(`/v1/invitations/${inv.id}/token`, {}, { headers: { 'if-match': '"1"' } }), 412, 'precondition-failed')
})

t.test('an assessment has one live line manager invitation', async (t) => {
  const a = await api.assessment(subject.id, fw.id)
  const url = `/v1/assessments/${a.id}/invitations`
  const [m1, m2, m3, m4] = [await api.person(), await api.person(), await api.person(), await api.person()]
  const first = await api.invite(a.id, { relationship: 'line_manager', personId: m1.id })
  const count = async () => (await api.ctx.database.db.selectFrom('feedback_invitations').select('id').where('assessment_id', '=', a.id).execute()).length
  const refused = expectProblem(t, await api.post(url, { relationship: 'line_manager', personId: m2.id }), 409, 'line-manager-already-invited')
  t.equal(refused.invitationId, first.id, 'names the invitation in the way')
  expectProblem(t, await api.post(url, { relationship: 'line_manager', externalName: 'Ex Manager', externalEmail: 'ex@example.org' }), 409, 'line-manager-already-invited')
  t.equal(await count(), 1, 'nothing written')
  t.equal((await api.post(url, { relationship: 'other', personId: m2.id })).statusCode, 201, 'a second manager may rate as other')
  t.equal((await api.get('/problems/line-manager-already-invited')).statusCode, 200, 'the slug is documented')

  // A withdrawn line manager no longer counts.
  t.equal((await api.post(`/v1/invitations/${first.id}/transitions`, { to: 'withdrawn' })).statusCode, 200)
  const second = await api.invite(a.id, { relationship: 'line_manager', personId: m3.id })
  // Nor a declined one; a submitted one does.
  await api.moveAssessment(a.id, 'open')
  t.equal((await api.decline(second.token, 'I moved team')).statusCode, 200)
  const third = await api.invite(a.id, { relationship: 'line_manager', personId: m4.id })
  await api.respond(third.token, fw, { B1: 3, B2: 3, N1: 1, B3: 3, B4: 3, N2: 1 })
  expectProblem(t, await api.post(url, { relationship: 'line_manager', personId: (await api.person()).id }), 409, 'line-manager-already-invited')
  t.equal(await count(), 4)
})

t.test('non-respondents and reminders due', async (t) => {
  const a = await api.assessment(subject.id, fw.id, { closesAt: new Date(Date.now() + 30 * 24 * hour).toISOString() })
  await api.moveAssessment(a.id, 'open')
  const people = [await api.person(), await api.person(), await api.person(), await api.person()]
  const [answered, declined, waiting, fresh] = await Promise.all(people.map((p) => api.invite(a.id, { relationship: 'peer', personId: p.id })))
  await api.respond(answered.token, fw, { B1: 3, B2: 3, N1: 1, B3: 3, B4: 3, N2: 1 })
  t.equal((await api.decline(declined.token, 'I do not work with them')).statusCode, 200)

  const nonRespondents = await api.all(`/v1/assessments/${a.id}/non-respondents`, { scopes: ['assessments:read'] })
  t.same(nonRespondents.map((i) => i.id).sort(), [waiting.id, fresh.id].sort())
  const declinedView = (await api.get(`/v1/invitations/${declined.id}`)).json()
  t.match(declinedView, { status: 'declined', statusReason: 'I do not work with them' })
  t.match(declinedView.respondedOn, /^\d{4}-\d{2}-\d{2}$/)

  // Make the waiting invitation's token eight days old; the fresh one stays new.
  await api.ctx.database.db.updateTable('feedback_invitations').set({ token_issued_at: new Date(Date.now() - 8 * 24 * hour) }).where('id', '=', waiting.id).execute()
  const due = await api.all(`/v1/invitations/reminders-due?assessmentId=${a.id}`)
  t.same(due.map((d) => [d.invitation.id, d.reason]), [[waiting.id, 'interval']])
  t.equal(due[0].subjectId, subject.id)
  const longer = await api.all(`/v1/invitations/reminders-due?assessmentId=${a.id}&intervalDays=10`)
  t.same(longer, [], 'not due under a longer interval')

  const reminded = await api.post(`/v1/invitations/${waiting.id}/reminders`, { note: 'email #2' })
  t.equal(reminded.statusCode, 200, reminded.body)
  t.match(reminded.json(), { remindersSent: 1 })
  t.ok(reminded.json().lastRemindedAt)
  t.same(await api.all(`/v1/invitations/reminders-due?assessmentId=${a.id}`), [], 'no longer due once reminded')
  expectProblem(t, await api.post(`/v1/invitations/${answered.id}/reminders`, {}), 409, 'invitation-status')

  // Closing soon: everyone waiting, last contacted over a day ago, is due daily.
  await api.patch(`/v1/assessments/${a.id}`, { closesAt: new Date(Date.now() + 24 * hour).toISOString() })
  await api.ctx.database.db.updateTable('feedback_invitations').set({ token_issued_at: new Date(Date.now() - 2 * 24 * hour) }).where('id', '=', fresh.id).execute()
  const soon = await api.all(`/v1/invitations/reminders-due?assessmentId=${a.id}`)
  t.same(soon.map((d) => [d.invitation.id, d.reason]), [[fresh.id, 'closing_soon']])
  await api.moveAssessment(a.id, 'closed')
  t.same(await api.all(`/v1/invitations/reminders-due?assessmentId=${a.id}`), [], 'nothing due once closed')
  expectProblem(t, await api.post(`/v1/invitations/${fresh.id}/reminders`, {}), 409, 'assessment-status')
})
