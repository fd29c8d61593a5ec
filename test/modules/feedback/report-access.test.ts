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
  expectProblem(t, await readAs(subjectToken), 403, 'report-not-released')
  const stranger = api.ctx.token([], { sub: 'someone', personId: peers[0].personId })
  expectProblem(t, await readAs(stranger), 403, 'forbidden')
  expectProblem(t, await api.app.inject({ method: 'GET', url: `/v1/assessments/${a.id}/report` }), 401, 'unauthorized')

  const early = await api.get(`/v1/assessments/${a.id}/report`, { scopes: ['assessments:read'] })
  t.equal(early.statusCode, 200, 'assessments:read reads it before release')
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

  await api.moveAssessment(a.id, 'closed')
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
  const orders = new Set<string>()
  for (let i = 0; i < 6; i++) {
    const texts = (await api.get(`/v1/assessments/${a.id}/report`)).json().comments.map((c: { text: string }) => c.text)
    t.same([...texts].sort(), [...submitted].sort())
    orders.add(JSON.stringify(texts))
  }
  t.notOk(orders.has(JSON.stringify(submitted)) && orders.size === 1, 'not the submission order')
  t.ok(orders.size > 1, 'a new order per request (8! orders: repeats are vanishingly unlikely)')

  // The stored rows, too, lose the submission order when the assessment closes.
  await api.moveAssessment(a.id, 'closed')
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
