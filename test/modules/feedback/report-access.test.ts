import t from 'tap'
import { assessmentReport } from '../../../src/modules/feedback/report.js'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildFeedbackApp, type ElementSpec } from './factories.js'

const api = await buildFeedbackApp()
t.teardown(() => api.close())

const subject = await api.person({ givenName: 'Sam', familyName: 'Subject' })
const fw = await api.framework()

t.test('the report through the API: figures, access before and after release', async (t) => {
  const a = await api.assessment(subject.id, fw.id)
  await api.moveAssessment(a.id, 'open')
  const self = await api.invite(a.id, { relationship: 'self' })
  const peers = await Promise.all([1, 2, 3].map(async () => api.invite(a.id, { relationship: 'peer', personId: (await api.person()).id })))
  await api.respond(self.token, fw, { B1: 5, B2: 4, N1: 1, B3: 2, B4: 3, N2: 1 }, [{ text: 'I try hard' }])
  const peerRatings = [
    { B1: 2, B2: 4, N1: 3, B3: 4, B4: 4, N2: 1 },
    { B1: 3, B2: 5, N1: 2, B3: 5, B4: 4, N2: 2 },
    { B1: 2, B2: 3, N1: 4, B3: 3, B4: 4, N2: 1 }
  ]
  for (const [i, p] of peers.entries()) await api.respond(p.token, fw, peerRatings[i], [{ code: 'B1', text: `peer note ${i}` }])

  const subjectToken = api.ctx.token([], { sub: 'subject-user', personId: subject.id })
  const readAs = (token: string) => api.app.inject({ method: 'GET', url: `/v1/assessments/${a.id}/report`, headers: { authorization: `Bearer ${token}` } })
  // While open, nobody gets a figure: not HR, not the subject, not even a subject who holds the scope.
  const open = expectProblem(t, await api.get(`/v1/assessments/${a.id}/report`, { scopes: ['assessments:read'] }), 409, 'report-not-available')
  t.notMatch(JSON.stringify(open), /I try hard|peer note|"mean"/)
  expectProblem(t, await readAs(subjectToken), 409, 'report-not-available')
  expectProblem(t, await readAs(api.ctx.token(['assessments:read'], { sub: 'subject-hr', personId: subject.id })), 409, 'report-not-available')
  const stranger = api.ctx.token([], { sub: 'someone', personId: peers[0].personId })
  expectProblem(t, await readAs(stranger), 403, 'forbidden')
  expectProblem(t, await api.app.inject({ method: 'GET', url: `/v1/assessments/${a.id}/report` }), 401, 'unauthorized')

  await api.moveAssessment(a.id, 'closed')
  const early = await api.get(`/v1/assessments/${a.id}/report`, { scopes: ['assessments:read'] })
  t.equal(early.statusCode, 200, 'assessments:read reads it once closed, before release')
  const report = early.json()
  t.same(report.buckets, ['self', 'peer'])
  t.equal(report.scale.min, 1)
  t.equal(report.scale.max, 5)
  // B1: peers 2, 3, 2 → 2.33; gap 5 − 2.33 = 2.67.
  t.match(report.elements.find((e: { code: string }) => e.code === 'B1'), { selfMean: 5, othersMean: 2.33, gap: 2.67, lineageId: fw.lineage.B1, elementId: fw.ids.B1, parentId: fw.ids.V1 })
  t.same(report.responseRates, [
    { group: 'self', invited: 1, submitted: 1, declined: 0, pending: 0, rate: 1 },
    { group: 'peer', invited: 3, submitted: 3, declined: 0, pending: 0, rate: 1 }
  ])

  expectProblem(t, await readAs(subjectToken), 403, 'report-not-released')
  await api.moveAssessment(a.id, 'released')
  const released = await readAs(subjectToken)
  t.equal(released.statusCode, 200, 'the subject reads it once released')
  t.same(released.json().elements, report.elements, 'the figures did not move')
  expectProblem(t, await readAs(stranger), 403, 'forbidden')
})

t.test('comments do not come back in submission order', async (t) => {
  const a = await api.assessment(subject.id, fw.id, { elementIds: [fw.ids.B1] })
  await api.moveAssessment(a.id, 'open')
  const submitted: string[] = []
  for (let i = 0; i < 8; i++) {
    const inv = await api.invite(a.id, { relationship: 'peer', personId: (await api.person()).id })
    submitted.push(`comment number ${i}`)
    await api.respond(inv.token, fw, { B1: 3 }, [{ text: submitted[i] }])
  }
  await api.moveAssessment(a.id, 'closed')
  const orders = new Set<string>()
  for (let i = 0; i < 6; i++) {
    const texts = (await api.get(`/v1/assessments/${a.id}/report`)).json().comments.map((c: { text: string }) => c.text)
    t.same([...texts].sort(), [...submitted].sort())
    orders.add(JSON.stringify(texts))
  }
  t.notOk(orders.has(JSON.stringify(submitted)) && orders.size === 1, 'not the submission order')
  t.ok(orders.size > 1, 'a new order per request (8! orders: repeats are vanishingly unlikely)')

  // The stored rows, too, lost the submission order when the assessment closed.
  const stored = await api.ctx.database.db.selectFrom('feedback_responses').select('comments').where('assessment_id', '=', a.id).execute()
  t.equal(stored.length, 8)
})

t.test('15 raters × 40 behaviours: the report takes four queries', async (t) => {
  const tree: ElementSpec[] = []
  for (let c = 1; c <= 8; c++) {
    tree.push({ code: `C${c}`, kind: 'competency' })
    for (let b = 1; b <= 5; b++) tree.push({ code: `C${c}B${b}`, kind: 'behaviour', parent: `C${c}`, polarity: b === 5 ? 'negative' : 'positive' })
  }
  const big = await api.framework(tree)
  const a = await api.assessment(subject.id, big.id)
  await api.moveAssessment(a.id, 'open')
  const groups = ['self', 'line_manager', ...Array(6).fill('peer'), ...Array(5).fill('direct_report'), 'other', 'other'] as const
  const codes = tree.filter((e) => e.kind === 'behaviour').map((e) => e.code)
  for (const [i, relationship] of groups.entries()) {
    const inv = await api.invite(a.id, relationship === 'self' ? { relationship } : { relationship, personId: (await api.person()).id })
    await api.respond(inv.token, big, Object.fromEntries(codes.map((code, j) => [code, ((i + j) % 5) + 1])), [{ text: `c${i}` }])
  }
  let queries = 0
  const counting = api.ctx.database.db.withPlugin({
    transformQuery: (args) => {
      queries++
      return args.node
    },
    transformResult: async (args) => args.result
  })
  const started = performance.now()
  const report = await assessmentReport(counting, a.id)
  const ms = performance.now() - started
  t.equal(queries, 4, 'assessment, elements, responses, invitation counts')
  t.equal(report.elements.length, 40)
  t.equal(report.rollups.length, 8)
  t.same(report.buckets, ['self', 'line_manager', 'peer', 'direct_report'], 'the two others are too few even pooled')
  t.equal(report.withheldComments, 2)
  t.comment(`report of 15 raters × 40 behaviours computed in ${ms.toFixed(1)} ms`)
})

t.test('a draft or cancelled assessment has no report; cancelling reshuffles the stored responses', async (t) => {
  const a = await api.assessment(subject.id, fw.id)
  const draft = expectProblem(t, await api.get(`/v1/assessments/${a.id}/report`), 409, 'report-not-available')
  t.match(draft.detail, /draft/)
  await api.moveAssessment(a.id, 'open')
  for (let i = 0; i < 4; i++) {
    const inv = await api.invite(a.id, { relationship: 'peer', personId: (await api.person()).id })
    await api.respond(inv.token, fw, { B1: i + 1, B2: 3, N1: 1, B3: 3, B4: 3, N2: 1 }, [{ text: `cancelled note ${i}` }])
  }
  const responses = () => api.ctx.database.db.selectFrom('feedback_responses').select('id').where('assessment_id', '=', a.id).execute()
  const before = new Set((await responses()).map((r) => r.id))
  await api.moveAssessment(a.id, 'cancelled', 'not needed')
  const cancelled = expectProblem(t, await api.get(`/v1/assessments/${a.id}/report`), 409, 'report-not-available')
  t.match(cancelled.detail, /cancelled/)
  t.notMatch(JSON.stringify(cancelled), /cancelled note/)
  const after = await responses()
  t.equal(after.length, 4, 'the responses are kept')
  t.notOk(after.some((r) => before.has(r.id)), 'and rewritten with new ids, as on closing')
  t.equal((await api.get('/problems/report-not-available')).statusCode, 200, 'the slug is documented')
})

t.test('the line manager is identified only when exactly one line manager invitation is live', async (t) => {
  const rate = { B1: 4, B2: 4, N1: 1, B3: 4, B4: 4, N2: 1 }
  // Two line managers on one assessment: data from before the one-manager rule, made here by
  // inviting the second as a peer and relabelling the invitation.
  const a = await api.assessment(subject.id, fw.id)
  await api.moveAssessment(a.id, 'open')
  const self = await api.invite(a.id, { relationship: 'self' })
  const m1 = await api.invite(a.id, { relationship: 'line_manager', personId: (await api.person()).id })
  const m2 = await api.invite(a.id, { relationship: 'peer', personId: (await api.person()).id })
  await api.ctx.database.db.updateTable('feedback_invitations').set({ relationship: 'line_manager' }).where('id', '=', m2.id).execute()
  const peers = await Promise.all([1, 2, 3].map(async () => api.invite(a.id, { relationship: 'peer', personId: (await api.person()).id })))
  await api.respond(self.token, fw, rate)
  await api.respond(m1.token, fw, { ...rate, B1: 1 }, [{ text: 'from manager one' }])
  await api.respond(m2.token, fw, { ...rate, B1: 5 })
  for (const p of peers) await api.respond(p.token, fw, rate)
  await api.moveAssessment(a.id, 'closed')
  const two = (await api.get(`/v1/assessments/${a.id}/report`)).json()
  // Two managers are under the threshold of 3, even pooled (nothing else is small): suppressed.
  t.same(two.raterGroups.find((g: { group: string }) => g.group === 'line_manager'), { group: 'line_manager', respondents: 2, treatment: 'suppressed' })
  t.same(two.buckets, ['self', 'peer'])
  t.equal(two.withheldComments, 1)
  t.match(two.elements.find((e: { code: string }) => e.code === 'B1'), { othersMean: 4, othersCount: 3 }, 'the peers’ 4, 4, 4 alone')

  // One live manager (the other withdrawn): identified.
  const b = await api.assessment(subject.id, fw.id)
  await api.moveAssessment(b.id, 'open')
  const gone = await api.invite(b.id, { relationship: 'line_manager', personId: (await api.person()).id })
  await api.post(`/v1/invitations/${gone.id}/transitions`, { to: 'withdrawn' })
  const manager = await api.invite(b.id, { relationship: 'line_manager', personId: (await api.person()).id })
  await api.respond(manager.token, fw, { ...rate, B1: 2 })
  await api.moveAssessment(b.id, 'closed')
  const one = (await api.get(`/v1/assessments/${b.id}/report`)).json()
  t.same(one.raterGroups, [{ group: 'line_manager', respondents: 1, treatment: 'identified' }])
  t.match(one.elements.find((e: { code: string }) => e.code === 'B1').groups, [{ group: 'line_manager', count: 1, mean: 2, suppressed: false }])
})

t.test('roll-ups give a distribution per column, summed over the shown cells only', async (t) => {
  const a = await api.assessment(subject.id, fw.id)
  await api.moveAssessment(a.id, 'open')
  const invite = async (relationship: string) => api.invite(a.id, relationship === 'self' ? { relationship } : { relationship, personId: (await api.person()).id })
  //                                            B1 B2    N1 B3 B4 N2
  await api.respond((await invite('self')).token, fw, { B1: 5, B2: 4, N1: 1, B3: 3, B4: 3, N2: 1 })
  await api.respond((await invite('peer')).token, fw, { B1: 2, B2: 5, N1: 1, B3: 4, B4: 4, N2: 2 })
  await api.respond((await invite('peer')).token, fw, { B1: 3, B2: 5, N1: 2, B3: 4, B4: 5, N2: 1 })
  await api.respond((await invite('peer')).token, fw, { B1: 4, B2: null, N1: 5, B3: 5, B4: 5, N2: 1 })
  // A lone `other`: under the threshold even pooled, suppressed, in no roll-up.
  await api.respond((await invite('other')).token, fw, { B1: 1, B2: 1, N1: 5, B3: 1, B4: 1, N2: 5 })
  await api.moveAssessment(a.id, 'closed')
  const report = (await api.get(`/v1/assessments/${a.id}/report`)).json()
  t.same(report.buckets, ['self', 'peer'])
  const cell = (code: string, group: string) => report.elements.find((e: { code: string }) => e.code === code).groups.find((g: { group: string }) => g.group === group)
  t.match(cell('B2', 'peer'), { count: 2, notObserved: 1, distribution: null, suppressed: true }, 'two peers rated B2: withheld')
  t.same(cell('B1', 'peer').distribution, [0, 1, 1, 1, 0])
  const v1 = report.rollups.find((r: { code: string }) => r.code === 'V1')
  // V1 positive = B1, B2. Self: 5, 4 → [0,0,0,1,1], mean 4.5. Peers: B1 2, 3, 4 only (the B2 cell
  // is withheld, so its 5, 5 stay out) → [0,1,1,1,0], mean 3.
  t.same(v1.positive.groups, [
    { group: 'self', mean: 4.5, count: 2, distribution: [0, 0, 0, 1, 1] },
    { group: 'peer', mean: 3, count: 3, distribution: [0, 1, 1, 1, 0] }
  ])
  // V1 negative = N1: self 1; peers 1, 2, 5.
  t.same(v1.negative.groups, [
    { group: 'self', mean: 1, count: 1, distribution: [1, 0, 0, 0, 0] },
    { group: 'peer', mean: 2.67, count: 3, distribution: [1, 1, 0, 0, 1] }
  ])
  // V2 positive = B3, B4. Self 3, 3; peers 4, 4, 5 and 4, 5, 5.
  const v2 = report.rollups.find((r: { code: string }) => r.code === 'V2')
  t.same(v2.positive.groups, [
    { group: 'self', mean: 3, count: 2, distribution: [0, 0, 2, 0, 0] },
    { group: 'peer', mean: 4.5, count: 6, distribution: [0, 0, 0, 3, 3] }
  ])
  for (const r of report.rollups) {
    for (const f of [r.positive, r.negative]) for (const g of f?.groups ?? []) t.equal(g.distribution.reduce((s: number, n: number) => s + n, 0), g.count, `${r.code} ${g.group}: the bars add up to the count`)
  }
})
