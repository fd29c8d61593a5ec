/**
 * End to end through the generated client: a source's recommendations are imported, actions are
 * worked, evidence is added, the challenge panel reviews, and the theme roll-up and the exceptions
 * report move as they should.
 */
import t from 'tap'
import type { components } from '../sdk/schema.js'
import { buildTestApp } from '../helpers/app.js'
import { sdkFor } from '../helpers/sdk.js'

const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' })
t.teardown(() => ctx.close())
const { clientWith } = await sdkFor(ctx)
const tracker = clientWith(ctx.token(['recommendations:write', 'people:write'], { sub: 'e2e-tracker' }))
const panelist = clientWith(ctx.token(['panel:review'], { sub: 'e2e-panel-secretary' }))

const today = new Date().toISOString().slice(0, 10)
const daysFrom = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
const csvBody = { bodySerializer: (body: unknown) => body as string, headers: { 'content-type': 'text/csv' } }
type Exceptions = components['schemas']['RecommendationExceptions']

let sourceId = ''
let themeId = ''
const recs = new Map<string, string>()

async function exceptions(): Promise<Exceptions> {
  const res = await tracker.GET('/v1/recommendations/exceptions', { params: { query: { sourceId } } })
  if (res.response.status !== 200) throw new Error(JSON.stringify(res.error))
  return res.data!
}
async function rollUp() {
  const res = await tracker.GET('/v1/themes/{id}/roll-up', { params: { path: { id: themeId } } })
  return res.data!
}

t.test('a source is imported', async (t) => {
  const unit = await tracker.POST('/v1/org-units', { body: { externalId: 'E2E-DCFD', name: 'Diversity and Citizen Focus Directorate', kind: 'department' } })
  t.equal(unit.response.status, 201)
  const source = await tracker.POST('/v1/recommendation-sources', {
    body: { code: 'E2E-SLIR', title: 'The Stephen Lawrence Inquiry Report', kind: 'inquiry', publishedOn: '1999-02-24', issuingBody: 'Home Office' }
  })
  t.equal(source.response.status, 201)
  sourceId = source.data!.id
  const theme = await tracker.POST('/v1/themes', { body: { code: 'E2E-TRUST', title: 'Trust and confidence' } })
  themeId = theme.data!.id

  const csv = [
    'externalId,sourceCode,number,title,area,themeCodes,ownerOrgUnitExternalId,directedTo',
    'E2E-12,E2E-SLIR,12,Definition of a racist incident,Racist incident definition,E2E-TRUST,E2E-DCFD,Police Services',
    'E2E-13,E2E-SLIR,13,Racist incidents recorded whether or not a crime,Racist incident definition,E2E-TRUST,E2E-DCFD,Police Services',
    'E2E-60,E2E-SLIR,60,Stop and search records,Stop and search,E2E-TRUST,,Police Services'
  ].join('\n')
  const dry = await tracker.POST('/v1/recommendations/import', { params: { query: { dryRun: true } }, body: csv, ...csvBody })
  t.match((dry.data as components['schemas']['ImportResult']).counts, { read: 3, created: 3 })
  const res = await tracker.POST('/v1/recommendations/import', { params: { query: {} }, body: csv, ...csvBody })
  t.equal(res.response.status, 200, JSON.stringify(res.error))
  t.match((res.data as components['schemas']['ImportResult']).counts, { created: 3, failed: 0 })

  const list = await tracker.GET('/v1/recommendations', { params: { query: { sourceId } } })
  for (const r of list.data!.data) recs.set(r.number, r.id)
  t.same([...recs.keys()], ['12', '13', '60'])
  t.same((await rollUp()).counts, { not_started: 3, in_progress: 0, partially_embedded: 0, continuing_challenge: 0, embedded: 0, closed: 0 })
  const before = await exceptions()
  t.equal(before.noOwner.count, 1, 'rec 60 has no owner')
})

t.test('actions are worked', async (t) => {
  const action = await tracker.POST('/v1/recommendation-actions', {
    body: { title: 'Adopt the Inquiry’s definition in policy', dueOn: daysFrom(-7), recommendationIds: [recs.get('12')!, recs.get('13')!] }
  })
  t.equal(action.response.status, 201)
  t.equal(action.data!.overdue, true)
  t.equal((await exceptions()).overdueActions.count, 1)
  for (const id of [recs.get('12')!, recs.get('13')!]) {
    const moved = await tracker.POST('/v1/recommendations/{id}/transitions', { params: { path: { id } }, body: { to: 'in_progress', rationale: 'policy drafted' } })
    t.equal(moved.response.status, 200)
  }
  const started = await tracker.POST('/v1/recommendation-actions/{id}/transitions', { params: { path: { id: action.data!.id } }, body: { to: 'in_progress' } })
  const done = await tracker.POST('/v1/recommendation-actions/{id}/transitions', {
    params: { path: { id: action.data!.id } },
    body: { to: 'done', note: 'published' },
    headers: { 'if-match': started.response.headers.get('etag')! }
  })
  t.equal(done.data!.status, 'done')
  t.equal((await exceptions()).overdueActions.count, 0)
})

t.test('evidence is added and the panel reviews', async (t) => {
  const rec = recs.get('12')!
  const refused = await tracker.POST('/v1/recommendations/{id}/transitions', { params: { path: { id: rec } }, body: { to: 'embedded', rationale: 'done, we think' } })
  t.equal(refused.response.status, 409)
  t.match(refused.error?.type, /embedding-requires-panel-review$/)

  const evidence = await tracker.POST('/v1/recommendations/{id}/evidence', {
    params: { path: { id: rec } },
    body: { kind: 'document', title: 'Racist incident policy', effectiveOn: '2006-01-01', expiresOn: daysFrom(30) }
  })
  t.equal(evidence.response.status, 201)
  const panel = await tracker.POST('/v1/challenge-panels', { body: { code: 'E2E-CP', name: 'SLIR Challenge Panel' } })
  const chair = await tracker.POST('/v1/challenge-panels/{id}/members', { params: { path: { id: panel.data!.id } }, body: { name: 'DAC Diversity', membership: 'internal', role: 'chair' } })
  const cre = await tracker.POST('/v1/challenge-panels/{id}/members', {
    params: { path: { id: panel.data!.id } },
    body: { name: 'CRE representative', membership: 'external', organisation: 'Commission for Racial Equality' }
  })
  const body = {
    panelId: panel.data!.id,
    reviewedOn: today,
    memberIds: [chair.data!.id, cre.data!.id],
    evidenceIds: [evidence.data!.id],
    verdict: 'embedded' as const,
    rationale: 'The definition is used in every borough',
    nextReviewOn: daysFrom(365)
  }
  const asTracker = await tracker.POST('/v1/recommendations/{id}/panel-reviews', { params: { path: { id: rec } }, body })
  t.equal(asTracker.response.status, 403, 'recording a verdict needs panel:review')
  const review = await panelist.POST('/v1/recommendations/{id}/panel-reviews', { params: { path: { id: rec } }, body })
  t.equal(review.response.status, 201, JSON.stringify(review.error))
  t.match(review.data, { statusBefore: 'in_progress', statusAfter: 'embedded', verdict: 'embedded' })

  const history = await panelist.GET('/v1/recommendations/{id}/history', { params: { path: { id: rec }, query: {} } })
  t.same(history.data!.data.map((h) => [h.to, h.via, h.actor]), [
    ['not_started', 'import', 'e2e-tracker'],
    ['in_progress', 'transition', 'e2e-tracker'],
    ['embedded', 'panel_review', 'e2e-panel-secretary']
  ])
  t.same((await rollUp()).counts, { not_started: 1, in_progress: 1, partially_embedded: 0, continuing_challenge: 0, embedded: 1, closed: 0 })
  t.equal((await rollUp()).embeddedShare, 0.333)
  t.equal((await exceptions()).embeddedWithoutCurrentEvidence.count, 0)

  // The evidence is withdrawn: the recommendation stays embedded but is flagged until a panel looks again.
  const withdrawn = await tracker.POST('/v1/evidence/{id}/withdrawal', { params: { path: { id: evidence.data!.id } }, body: { reason: 'the policy was replaced' } })
  t.equal(withdrawn.data!.current, false)
  const after = await exceptions()
  t.same(after.embeddedWithoutCurrentEvidence.items.map((i) => i.number), ['12'])
  const future = await tracker.GET('/v1/recommendations/exceptions', { params: { query: { sourceId, asOf: daysFrom(400) } } })
  t.same(future.data!.reviewsOverdue.items.map((i) => i.number), ['12'], 'the next review falls due')
})
