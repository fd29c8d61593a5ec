import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildFeedbackApp } from './factories.js'

const api = await buildFeedbackApp()
t.teardown(() => api.close())

const hour = 3_600_000
const fw = await api.framework()
const window = { opensAt: new Date(Date.now() - hour).toISOString(), closesAt: new Date(Date.now() + 14 * 24 * hour).toISOString() }
const db = api.ctx.database.db
const count = async (table: 'feedback_assessments' | 'feedback_invitations') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

const manager = await api.person({ givenName: 'Meg' })
const p1 = await api.person({ givenName: 'P1', lineManagerId: manager.id })
const p2 = await api.person({ givenName: 'P2', lineManagerId: manager.id })
const p3 = await api.person({ givenName: 'P3' })
const report1 = await api.person({ lineManagerId: p1.id })
const gone = await api.person({ lineManagerId: p1.id, status: 'left' })
const [x, y, z] = [await api.person(), await api.person(), await api.person()]
const nominee = await api.person()
const withdrawn = await api.person()
const cohort = await api.cohort({ status: 'open' })
await api.enrolment(cohort.id, p1.id, 'selected')
await api.enrolment(cohort.id, p2.id, 'attended')
await api.enrolment(cohort.id, p3.id, 'completed')
await api.enrolment(cohort.id, nominee.id, 'nominated')
await api.enrolment(cohort.id, withdrawn.id, 'withdrawn')

const url = `/v1/cohorts/${cohort.id}/assessments`
const body = { frameworkId: fw.id, ...window, peers: [{ subjectId: p1.id, personIds: [x.id, y.id] }, { subjectId: p2.id, personIds: [p1.id, manager.id] }] }

t.test('one assessment per participant, raters from the people data and named peers', async (t) => {
  const res = await api.post(url, body)
  t.equal(res.statusCode, 200, res.body)
  const result = res.json()
  t.match(result, { cohortId: cohort.id, participants: 3, created: 3, unchanged: 0, invitationsCreated: 9 })
  const bySubject = new Map(result.assessments.map((o: any) => [o.assessment.subjectId, o]))
  t.same([...bySubject.keys()].sort(), [p1.id, p2.id, p3.id].sort(), 'nominated and withdrawn people are not participants')
  const raters = (subjectId: string) => (bySubject.get(subjectId) as any).invitations.map((i: any) => [i.relationship, i.personId]).sort()
  t.same(raters(p1.id), [['direct_report', report1.id], ['line_manager', manager.id], ['peer', x.id], ['peer', y.id], ['self', p1.id]].sort(), 'a report who left is not invited')
  t.same(raters(p2.id), [['line_manager', manager.id], ['peer', p1.id], ['self', p2.id]].sort(), 'the manager named as a peer is invited once, as line manager')
  t.same(raters(p3.id), [['self', p3.id]])
  for (const o of result.assessments) {
    t.match(o.assessment, { status: 'draft', cohortId: cohort.id, purpose: cohort.title, frameworkId: fw.id })
    t.ok(o.invitations.every((i: any) => /^pwr_/.test(i.token)), 'each invitation carries its token')
  }
  t.notOk(JSON.stringify(result).includes(gone.id))
})

t.test('the same request again creates nothing; a new peer is added alone', async (t) => {
  const before = { a: await count('feedback_assessments'), i: await count('feedback_invitations') }
  const again = (await api.post(url, body)).json()
  t.match(again, { participants: 3, created: 0, unchanged: 3, invitationsCreated: 0 })
  t.ok(again.assessments.every((o: any) => o.created === false && o.invitations.length === 0))
  t.same({ a: await count('feedback_assessments'), i: await count('feedback_invitations') }, before)

  const more = (await api.post(url, { ...body, peers: [...body.peers, { subjectId: p3.id, personIds: [z.id] }] })).json()
  t.match(more, { created: 0, unchanged: 2, invitationsCreated: 1 })
  const p3Outcome = more.assessments.find((o: any) => o.assessment.subjectId === p3.id)
  t.same(p3Outcome.invitations.map((i: any) => [i.relationship, i.personId]), [['peer', z.id]])
})

t.test('all or nothing', async (t) => {
  const before = { a: await count('feedback_assessments'), i: await count('feedback_invitations') }
  const other = await api.cohort({ status: 'open' })
  await api.enrolment(other.id, p1.id, 'selected')
  await api.enrolment(other.id, p2.id, 'selected')
  const otherUrl = `/v1/cohorts/${other.id}/assessments`
  const badPeer = expectProblem(t, await api.post(otherUrl, { frameworkId: fw.id, ...window, peers: [{ subjectId: p2.id, personIds: [x.id, '00000000-0000-4000-8000-000000000000'] }] }), 422, 'unprocessable')
  t.same(badPeer.errors?.map((e) => e.pointer), ['/peers/0/personIds/1'])
  const notParticipant = expectProblem(t, await api.post(otherUrl, { frameworkId: fw.id, ...window, peers: [{ subjectId: p3.id, personIds: [x.id] }] }), 422, 'unprocessable')
  t.same(notParticipant.errors?.map((e) => e.pointer), ['/peers/0/subjectId'])
  const draft = await api.framework(undefined, 'draft')
  expectProblem(t, await api.post(otherUrl, { frameworkId: draft.id, ...window }), 409, 'framework-not-published')
  expectProblem(t, await api.post(otherUrl, { frameworkId: fw.id, opensAt: window.closesAt, closesAt: window.opensAt }), 422, 'unprocessable')
  expectProblem(t, await api.post(otherUrl, { frameworkId: fw.id, ...window }, { scopes: ['assessments:read'] }), 403, 'forbidden')
  expectProblem(t, await api.post('/v1/cohorts/00000000-0000-4000-8000-000000000000/assessments', { frameworkId: fw.id, ...window }), 404, 'not-found')
  t.same({ a: await count('feedback_assessments'), i: await count('feedback_invitations') }, before, 'nothing written')

  const opened = (await api.post(otherUrl, { frameworkId: fw.id, ...window, open: true, raters: { lineManager: false }, purpose: 'Promotability 360' })).json()
  t.match(opened, { created: 2, invitationsCreated: 3 }, 'self twice, and P1’s direct report')
  t.ok(opened.assessments.every((o: any) => o.assessment.status === 'open' && o.assessment.purpose === 'Promotability 360'))
  const token = opened.assessments[0].invitations[0].token
  t.equal((await api.questionnaire(token)).statusCode, 200, 'raters can answer at once')
})

t.test('a participant whose line manager changed keeps the one already invited', async (t) => {
  const [m1, m2] = [await api.person(), await api.person()]
  const q = await api.person({ lineManagerId: m1.id })
  const small = await api.cohort({ status: 'open' })
  await api.enrolment(small.id, q.id, 'selected')
  const first = (await api.post(`/v1/cohorts/${small.id}/assessments`, { frameworkId: fw.id, ...window })).json()
  const assessmentId = first.assessments[0].assessment.id
  await db.updateTable('people').set({ line_manager_id: m2.id }).where('id', '=', q.id).execute()
  const again = await api.post(`/v1/cohorts/${small.id}/assessments`, { frameworkId: fw.id, ...window })
  t.equal(again.statusCode, 200, again.body)
  t.match(again.json(), { created: 0, unchanged: 1, invitationsCreated: 0 }, 'no second line manager, and no refusal')
  const managers = await db.selectFrom('feedback_invitations').select('person_id').where('assessment_id', '=', assessmentId).where('relationship', '=', 'line_manager').execute()
  t.same(managers.map((m) => m.person_id), [m1.id])
})
