/**
 * A cohort's 360° from invitation to released report, end to end through the client generated
 * from the committed contract (test/sdk/schema.d.ts) against the app on a real socket: an
 * administrator sets up people (two participants with their managers and reports) and publishes a
 * values framework through the assessments API; HR runs a programme cohort and selects the
 * participants; HR creates the cohort's 360s in one call (raters from the people data plus named
 * peers) and sends the tokens out; each rater, holding only a token, reads the questionnaire,
 * saves a draft and submits (one declines); HR follows the non-respondents, closes and releases;
 * each participant, with a token acting for them, reads their own report — with figures checked
 * by hand, a group too small to show suppressed, and no way to see anyone else's.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { sdkFor, type Client } from '../helpers/sdk.js'

const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000', RATER_RATE_LIMIT_PER_MINUTE: '1000000' })
t.teardown(() => ctx.close())
const { clientWith, anonymous } = await sdkFor(ctx)

const admin = clientWith(ctx.token(['admin'], { sub: 'e2e-admin' }))
const hr = clientWith(ctx.token(['assessments:write', 'programmes:write', 'people:read'], { sub: 'e2e-hr' }))
const actingFor = (personId: string): Client => clientWith(ctx.token([], { sub: `e2e-person-${personId.slice(0, 8)}`, personId }))
const asRater = (token: string) => ({ headers: { 'x-rater-token': token } })

const ids: Record<string, string> = {}
async function person(key: string, givenName: string, lineManager?: string) {
  const res = await admin.POST('/v1/people', {
    body: { externalId: `E2E-360-${key}`, givenName, familyName: 'Tester', staffType: 'staff', ...(lineManager ? { lineManagerId: ids[lineManager] } : {}) }
  })
  if (res.response.status !== 201) throw new Error(JSON.stringify(res.error))
  ids[key] = res.data!.id
}

let frameworkId = ''
const element: Record<string, string> = {}
let cohortId = ''

t.test('people, a published values framework and a cohort with two selected participants', async (t) => {
  await person('HEAD', 'Hana')
  await person('M', 'Mel', 'HEAD')
  await person('P1', 'Priya', 'M')
  await person('P2', 'Paul', 'M')
  for (const r of ['R1', 'R2', 'R3']) await person(r, `Report ${r}`, 'P1')
  await person('R4', 'Report R4', 'P2')
  for (const x of ['X1', 'X2', 'X3']) await person(x, `Peer ${x}`)

  const fw = await admin.POST('/v1/frameworks', { body: { code: 'E2E-VALUES', name: 'Values for the end-to-end test', kind: 'values' } })
  t.equal(fw.response.status, 201, JSON.stringify(fw.error))
  frameworkId = fw.data!.id
  const add = async (code: string, kind: 'value' | 'behaviour', polarity: 'positive' | 'negative', parent?: string) => {
    const res = await admin.POST('/v1/frameworks/{id}/elements', {
      params: { path: { id: frameworkId } },
      body: { code, kind, title: `Title ${code}`, polarity, ...(parent ? { parentId: element[parent] } : {}) }
    })
    t.equal(res.response.status, 201, JSON.stringify(res.error))
    element[code] = (res.data as { id: string }).id
  }
  await add('TRUST', 'value', 'positive')
  await add('LISTEN', 'behaviour', 'positive', 'TRUST')
  await add('EXPLAIN', 'behaviour', 'positive', 'TRUST')
  await add('INTIMIDATE', 'behaviour', 'negative', 'TRUST')
  const published = await admin.POST('/v1/frameworks/{id}/transitions', { params: { path: { id: frameworkId } }, body: { to: 'published' } })
  t.equal(published.response.status, 200, JSON.stringify(published.error))

  const programme = await hr.POST('/v1/programmes', { body: { code: 'E2E-PROMO', title: 'Promotability Programme', kind: 'programme', defaultCapacity: 12 } })
  t.equal(programme.response.status, 201, JSON.stringify(programme.error))
  await hr.POST('/v1/programmes/{id}/transitions', { params: { path: { id: programme.data!.id } }, body: { to: 'active' } })
  const cohort = await hr.POST('/v1/cohorts', { body: { programmeId: programme.data!.id, startsOn: '2030-05-01', endsOn: '2030-05-03' } })
  t.equal(cohort.response.status, 201, JSON.stringify(cohort.error))
  cohortId = cohort.data!.id
  await hr.POST('/v1/cohorts/{id}/transitions', { params: { path: { id: cohortId } }, body: { to: 'open' } })
  for (const p of ['P1', 'P2']) {
    const enrolment = await hr.POST('/v1/cohorts/{id}/enrolments', { params: { path: { id: cohortId } }, body: { personId: ids[p], source: 'hr' } })
    t.equal(enrolment.response.status, 201, JSON.stringify(enrolment.error))
    // The programme needs no selection: approval gives the place.
    const approved = await hr.POST('/v1/enrolments/{id}/transitions', { params: { path: { id: enrolment.data!.id } }, body: { action: 'approve' } })
    t.equal(approved.data?.status, 'selected', JSON.stringify(approved.error))
  }
})

/** Tokens by rater key, as the HR system would mail them out. */
const tokens: Record<string, string> = {}
const assessmentOf: Record<string, string> = {}

t.test('HR creates the cohort’s 360s in one call; a repeat creates nothing', async (t) => {
  const body = {
    frameworkId,
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
    peers: [{ subjectId: ids.P1, personIds: [ids.X1, ids.X2, ids.X3] }],
    open: true
  }
  const res = await hr.POST('/v1/cohorts/{id}/assessments', { params: { path: { id: cohortId } }, body })
  t.equal(res.response.status, 200, JSON.stringify(res.error))
  t.match(res.data, { participants: 2, created: 2, invitationsCreated: 11 })
  const key = (personId: string | null) => Object.keys(ids).find((k) => ids[k] === personId)!
  for (const outcome of res.data!.assessments) {
    const subject = key(outcome.assessment.subjectId)
    assessmentOf[subject] = outcome.assessment.id
    t.equal(outcome.assessment.status, 'open')
    for (const inv of outcome.invitations) tokens[`${subject}:${inv.relationship === 'self' ? 'SELF' : key(inv.personId)}`] = inv.token
  }
  t.same(Object.keys(tokens).sort(), ['P1:M', 'P1:R1', 'P1:R2', 'P1:R3', 'P1:SELF', 'P1:X1', 'P1:X2', 'P1:X3', 'P2:M', 'P2:R4', 'P2:SELF'])
  const again = await hr.POST('/v1/cohorts/{id}/assessments', { params: { path: { id: cohortId } }, body })
  t.match(again.data, { created: 0, unchanged: 2, invitationsCreated: 0 })
})

// Ratings of LISTEN, EXPLAIN and INTIMIDATE (negative: how often seen, 1 = never).
const ANSWERS: Record<string, [number | null, number | null, number | null, string?]> = {
  'P1:SELF': [5, 4, 1, 'I listen to my team'],
  'P1:M': [3, 4, 2],
  'P1:R1': [2, 3, 3, 'Could listen more in meetings'],
  'P1:R2': [3, 4, 2],
  'P1:R3': [2, null, 4],
  'P1:X1': [4, 5, 1, 'A pleasure to work with'],
  'P1:X2': [4, 4, 1],
  'P1:X3': [5, 3, 1],
  'P2:SELF': [3, 3, 1],
  'P2:M': [4, 4, 1],
  'P2:R4': [1, 1, 5, 'This comment must stay hidden']
}

t.test('raters answer with only their token', async (t) => {
  for (const [rater, [listen, explain, intimidate, comment]] of Object.entries(ANSWERS)) {
    const token = tokens[rater]
    const q = await anonymous.GET('/v1/questionnaire', asRater(token))
    t.equal(q.response.status, 200, JSON.stringify(q.error))
    t.equal(q.data!.subjectName, `${rater.startsWith('P1') ? 'Priya' : 'Paul'} Tester`)
    t.same(q.data!.elements.filter((e) => e.rated).map((e) => e.code), ['LISTEN', 'EXPLAIN', 'INTIMIDATE'])
    const draft = await anonymous.PUT('/v1/questionnaire/draft', { ...asRater(token), body: { ratings: [{ elementId: element.LISTEN, value: listen }] } })
    t.equal(draft.response.status, 200, JSON.stringify(draft.error))
    const body = {
      ratings: [
        { elementId: element.LISTEN, value: listen },
        { elementId: element.EXPLAIN, value: explain },
        { elementId: element.INTIMIDATE, value: intimidate }
      ],
      comments: comment ? [{ text: comment }] : []
    }
    const submitted = await anonymous.POST('/v1/questionnaire/submission', { ...asRater(token), body })
    t.equal(submitted.response.status, 200, JSON.stringify(submitted.error))
    const again = await anonymous.POST('/v1/questionnaire/submission', { ...asRater(token), body })
    t.equal(again.response.status, 401, 'a token is used once')
  }
})

t.test('HR follows up, then closes and releases', async (t) => {
  // Everyone has answered: nobody left to remind.
  const waiting = await hr.GET('/v1/assessments/{id}/non-respondents', { params: { path: { id: assessmentOf.P1 } } })
  t.same(waiting.data!.data, [])
  for (const subject of ['P1', 'P2']) {
    for (const to of ['closed', 'released'] as const) {
      const moved = await hr.POST('/v1/assessments/{id}/transitions', { params: { path: { id: assessmentOf[subject] } }, body: { to } })
      t.equal(moved.response.status, 200, JSON.stringify(moved.error))
    }
  }
})

t.test('each participant reads their own released report, and only theirs', async (t) => {
  const priya = actingFor(ids.P1)
  const res = await priya.GET('/v1/assessments/{id}/report', { params: { path: { id: assessmentOf.P1 } } })
  t.equal(res.response.status, 200, JSON.stringify(res.error))
  const report = res.data!
  t.same(report.buckets, ['self', 'line_manager', 'peer', 'direct_report'])
  const listen = report.elements.find((e) => e.code === 'LISTEN')!
  // Others: manager 3; reports 2, 3, 2; peers 4, 4, 5 → 23/7 = 3.29; gap 5 − 3.29 = 1.71: a blind spot.
  t.match(listen, { selfMean: 5, othersMean: 3.29, gap: 1.71 })
  t.match(listen.groups.find((g) => g.group === 'direct_report'), { mean: 2.33, count: 3 })
  // Counts per scale point, 1 to 5: reports 2, 3, 2; peers 4, 4, 5.
  const distribution: number[] | null | undefined = listen.groups.find((g) => g.group === 'direct_report')!.distribution
  t.same(distribution, [0, 2, 1, 0, 0])
  t.same(listen.groups.find((g) => g.group === 'peer')!.distribution, [0, 0, 0, 2, 1])
  t.ok(report.blindSpots.some((b) => b.code === 'LISTEN'))
  // EXPLAIN: one report said not observed, so only 2 of 3 rated it: their cell is withheld.
  const explain = report.elements.find((e) => e.code === 'EXPLAIN')!
  t.match(explain.groups.find((g) => g.group === 'direct_report'), { count: 2, notObserved: 1, mean: null, distribution: null, suppressed: true })
  // Others without the withheld cell: manager 4, peers 5, 4, 3 → 16/4 = 4.
  t.equal(explain.othersMean, 4)
  const intimidate = report.elements.find((e) => e.code === 'INTIMIDATE')!
  // Seen (above 1) by the manager (2) and the three reports (3, 2, 4), not by the peers: 4/7.
  t.match(intimidate, { polarity: 'negative', othersSeenRate: 0.57 })
  t.same(report.comments.map((c) => c.text).sort(), ['A pleasure to work with', 'Could listen more in meetings', 'I listen to my team'])
  t.notOk(JSON.stringify(report).includes(ids.R1) || JSON.stringify(report).includes(ids.X1), 'no rater named')

  const paul = await actingFor(ids.P2).GET('/v1/assessments/{id}/report', { params: { path: { id: assessmentOf.P2 } } })
  t.equal(paul.response.status, 200)
  t.same(paul.data!.buckets, ['self', 'line_manager'], 'a lone direct report is suppressed')
  t.equal(paul.data!.withheldComments, 1)
  t.notOk(JSON.stringify(paul.data).includes('must stay hidden'))
  t.match(paul.data!.elements.find((e) => e.code === 'LISTEN'), { othersMean: 4 }, 'the manager’s rating alone')

  const nosy = await priya.GET('/v1/assessments/{id}/report', { params: { path: { id: assessmentOf.P2 } } })
  t.equal(nosy.response.status, 403, 'not someone else’s')
})
