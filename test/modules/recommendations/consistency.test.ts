import { sql } from 'kysely'
import t from 'tap'
import { buildRecommendationsApp, PANEL, READ } from './factories.js'

const api = await buildRecommendationsApp()
t.teardown(() => api.close())

const onPostgres = process.env.DATABASE_URL ? false : 'needs PostgreSQL: PGlite runs one transaction at a time'

/** Events appended since `after` (a trailMark's `events`). */
const eventsSince = async (after: number) => (await api.get(`/v1/events?after=${after}&limit=500`)).json().data as Array<Record<string, any>>

/** A recommendation in progress with one evidence item current from 2018 on, and a panel. */
async function reviewable() {
  const rec = await api.recommendation()
  await api.move(rec.id, 'in_progress')
  const evidence = await api.evidence(rec.id, { effectiveOn: '2018-01-01' })
  const { panel, members } = await api.panel()
  const review = (reviewedOn: string, verdict: string, nextReviewOn: string | null, evidenceIds: string[] = [evidence.id]) =>
    api.review(rec.id, { panelId: panel.id, reviewedOn, memberIds: members.map((m) => m.id), evidenceIds, verdict, rationale: `${verdict} on ${reviewedOn}`, nextReviewOn })
  return { rec, evidence, panel, review }
}

t.test('a back-dated panel review is recorded but does not overturn the newer one', async (t) => {
  const { rec, review } = await reviewable()
  const newer = await review('2024-03-01', 'not_embedded', '2025-03-01')
  t.equal(newer.statusCode, 201, newer.body)
  t.match(newer.json(), { statusBefore: 'in_progress', statusAfter: 'continuing_challenge', applied: true })
  const before = (await api.get(`/v1/recommendations/${rec.id}`)).json()
  t.match(before, { status: 'continuing_challenge', nextReviewDate: '2025-03-01' })
  const historyBefore = await api.history(rec.id)
  const mark = await api.trailMark()

  // A late write-up of a 2019 meeting (with evidence current then) finding it embedded.
  const late = await review('2019-06-01', 'embedded', '2019-12-01')
  t.equal(late.statusCode, 201, late.body)
  t.match(late.json(), { reviewedOn: '2019-06-01', verdict: 'embedded', nextReviewOn: '2019-12-01', statusBefore: 'continuing_challenge', statusAfter: 'continuing_challenge', applied: false })
  t.equal(late.headers.location, `/v1/panel-reviews/${late.json().id}`)
  const after = (await api.get(`/v1/recommendations/${rec.id}`)).json()
  t.match(after, { status: 'continuing_challenge', nextReviewDate: '2025-03-01', version: before.version }, 'status and next review date stand')
  t.ok(after.lastActivityAt >= before.lastActivityAt, 'the review still counts as activity')
  t.same(await api.history(rec.id), historyBefore, 'no status history entry')
  t.same((await eventsSince(mark.events)).map((e) => `${e.type}:${e.data.applied}`), ['panel-review.recorded:false'], 'no recommendation.embedded event')

  t.equal((await api.get(`/v1/panel-reviews/${late.json().id}`)).json().applied, false)
  t.equal((await api.get(`/v1/panel-reviews/${newer.json().id}`)).json().applied, true)
  const listed = (await api.get(`/v1/recommendations/${rec.id}/panel-reviews`)).json().data
  t.same(listed.map((r: any) => [r.reviewedOn, r.applied]), [['2019-06-01', false], ['2024-03-01', true]])

  // The same date as the latest: the later-recorded review applies.
  const sameDay = await review('2024-03-01', 'partially_embedded', null)
  t.equal(sameDay.statusCode, 201, sameDay.body)
  t.match(sameDay.json(), { statusBefore: 'continuing_challenge', statusAfter: 'partially_embedded', applied: true })
  t.match((await api.get(`/v1/recommendations/${rec.id}`)).json(), { status: 'partially_embedded', nextReviewDate: null })
  t.match((await api.history(rec.id)).at(-1), { from: 'continuing_challenge', to: 'partially_embedded', via: 'panel_review', panelReviewId: sameDay.json().id })

  // A late embedded verdict still needs evidence current on its own date: refused, nothing recorded.
  const stale = await review('2017-06-01', 'embedded', null)
  t.equal(stale.statusCode, 409)
  t.equal(stale.json().type, '/problems/embedding-requires-current-evidence')
  t.equal((await api.get(`/v1/recommendations/${rec.id}/panel-reviews`)).json().data.length, 3)
})

t.test('concurrent reviews of different dates: the later date stands whichever commits first', { skip: onPostgres }, async (t) => {
  for (let round = 0; round < 4; round++) {
    const { rec, review } = await reviewable()
    const [newer, older] = await Promise.all([review('2024-03-01', 'not_embedded', '2025-03-01'), review('2019-06-01', 'embedded', '2019-12-01')])
    t.equal(newer.statusCode, 201, newer.body)
    t.equal(older.statusCode, 201, older.body)
    t.equal(newer.json().applied, true)
    t.match((await api.get(`/v1/recommendations/${rec.id}`)).json(), { status: 'continuing_challenge', nextReviewDate: '2025-03-01' })
    t.equal((await api.history(rec.id)).at(-1)?.panelReviewId, newer.json().id, 'the 2024 review has the last word')
  }
})

t.test('linking an action waits for a close in flight and then sees the recommendation closed', { skip: onPostgres }, async (t) => {
  const rec = await api.recommendation()
  const db = api.ctx.database.db
  let locked!: () => void
  let release!: () => void
  const closing = new Promise<void>((resolve) => (locked = resolve))
  const released = new Promise<void>((resolve) => (release = resolve))
  // A close as the transitions run it: the row locked FOR UPDATE, the status written, not yet committed.
  const close = db.transaction().execute(async (trx) => {
    await trx.selectFrom('recommendations').select('id').where('id', '=', rec.id).forUpdate().execute()
    await trx.updateTable('recommendations').set({ status: 'closed', closure_reason: 'superseded' }).where('id', '=', rec.id).execute()
    locked()
    await released
  })
  await closing
  const linking = api.post('/v1/recommendation-actions', { title: 'Brief every borough', recommendationIds: [rec.id] })
  const waiting = sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`
  for (let i = 0; i < 300 && (await waiting.execute(db)).rows[0].n === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  release()
  await close
  const res = await linking
  t.equal(res.statusCode, 409, res.body)
  t.equal(res.json().type, '/problems/recommendation-closed')
  t.same(await api.all(`/v1/recommendation-actions?recommendationId=${rec.id}`), [], 'no action linked to the closed recommendation')
})

t.test('concurrent actions on the same recommendation all link (the lock does not deadlock)', { skip: onPostgres }, async (t) => {
  const a = await api.recommendation()
  const b = await api.recommendation()
  const made = await Promise.all(Array.from({ length: 8 }, (_, i) => api.post('/v1/recommendation-actions', { title: `Action ${i}`, recommendationIds: i % 2 ? [a.id, b.id] : [b.id, a.id] })))
  t.same(made.map((r) => r.statusCode), Array(8).fill(201), made.map((r) => r.body).join('\n'))
  t.equal((await api.all(`/v1/recommendation-actions?recommendationId=${a.id}`)).length, 8)
})

t.test('a PATCH that changes nothing keeps the version and writes no audit record or event', async (t) => {
  const source = await api.source({ issuingBody: 'Home Office', publishedOn: '1999-02-24' })
  const theme = await api.theme({ description: 'Trust and confidence' })
  const { panel, members } = await api.panel()
  const rec = await api.recommendation()
  const unit = await api.orgUnit()
  const indicator = await api.create('/v1/indicators', { code: 'NOOP-BME', title: 'BME strength', unit: '%', direction: 'higher_is_better', target: 7.5, recommendationIds: [rec.id] })
  const value = await api.create(`/v1/indicators/${indicator.id}/values`, { orgUnitId: unit.id, period: '2005', value: 7.7, note: 'as at March' })
  const cases: Array<[string, string, Record<string, unknown>, Record<string, unknown>]> = [
    ['source', `/v1/recommendation-sources/${source.id}`, { title: source.title, issuingBody: 'Home Office', publishedOn: '1999-02-24', kind: source.kind }, { title: 'Changed' }],
    ['theme', `/v1/themes/${theme.id}`, { code: theme.code, description: 'Trust and confidence' }, { description: 'Changed' }],
    ['challenge panel', `/v1/challenge-panels/${panel.id}`, { name: panel.name, status: 'active', termsOfReference: null }, { name: 'Changed' }],
    ['panel member', `/v1/challenge-panels/${panel.id}/members/${members[1].id}`, { organisation: 'CRE', membership: 'external', leftOn: null }, { role: 'adviser' }],
    ['indicator', `/v1/indicators/${indicator.id}`, { title: 'BME strength', target: 7.5, recommendationIds: [rec.id] }, { target: 25 }],
    ['indicator value', `/v1/indicators/${indicator.id}/values/${value.id}`, { value: 7.7, note: 'as at March' }, { value: 7.8 }]
  ]
  for (const [name, url, same, change] of cases) {
    const current = (await api.get(url)).json()
    const mark = await api.trailMark()
    for (const body of [{}, same]) {
      const res = await api.patch(url, body, { headers: { 'if-match': `"${current.version}"` } })
      t.equal(res.statusCode, 200, `${name}: ${res.body}`)
      t.equal(res.headers.etag, `"${current.version}"`, `${name} ${JSON.stringify(body)}: the same ETag`)
      t.same(res.json(), current, `${name}: unchanged, updatedAt included`)
    }
    t.same(await api.trailMark(), mark, `${name}: no audit record, no event`)
    t.same((await api.get(url)).json(), current)
    const stale = await api.patch(url, same, { headers: { 'if-match': `"${current.version + 1}"` } })
    t.equal(stale.statusCode, 412, `${name}: a stale If-Match is still refused`)
    const changed = await api.patch(url, change, { headers: { 'if-match': `"${current.version}"` } })
    t.equal(changed.statusCode, 200, changed.body)
    t.equal(changed.json().version, current.version + 1, `${name}: a real change is a new version`)
    t.equal((await eventsSince(mark.events)).length, 1, `${name}: and one event`)
  }
})

t.test('the Location of a new indicator value and panel member can be read, with an ETag', async (t) => {
  const unit = await api.orgUnit()
  const indicator = await api.create('/v1/indicators', { code: 'LOC-IND', title: 'Located', unit: '%', direction: 'higher_is_better' })
  const other = await api.create('/v1/indicators', { code: 'LOC-OTHER', title: 'Other', unit: '%', direction: 'higher_is_better' })
  const recorded = await api.post(`/v1/indicators/${indicator.id}/values`, { orgUnitId: unit.id, period: '2006', value: 8.1 })
  t.equal(recorded.statusCode, 201)
  const { panel } = await api.panel([])
  const added = await api.post(`/v1/challenge-panels/${panel.id}/members`, { name: 'Police Foundation representative', membership: 'external', organisation: 'Police Foundation' })
  t.equal(added.statusCode, 201)
  const { panel: otherPanel } = await api.panel([])

  for (const [res, readers] of [
    [recorded, READ],
    [added, PANEL]
  ] as const) {
    const location = res.headers.location as string
    const got = await api.get(location, { scopes: readers })
    t.equal(got.statusCode, 200, `${location}: ${got.body}`)
    t.same(got.json(), res.json())
    t.equal(got.headers.etag, `"${res.json().version}"`)
    t.equal((await api.app.inject({ method: 'GET', url: location })).statusCode, 401)
    t.equal((await api.get(location, { scopes: ['people:read'] })).statusCode, 403)
  }
  const corrected = await api.patch(recorded.headers.location as string, { value: 8.2 })
  t.equal((await api.get(recorded.headers.location as string)).headers.etag, `"${corrected.json().version}"`, 'the ETag follows the version')

  const missing = '00000000-0000-4000-8000-000000000000'
  t.equal((await api.get(`/v1/indicators/${other.id}/values/${recorded.json().id}`)).statusCode, 404, 'a value is read under its own indicator')
  t.equal((await api.get(`/v1/indicators/${indicator.id}/values/${missing}`)).statusCode, 404)
  t.equal((await api.get(`/v1/challenge-panels/${otherPanel.id}/members/${added.json().id}`)).statusCode, 404, 'a member is read under their own panel')
  t.equal((await api.get(`/v1/challenge-panels/${panel.id}/members/${missing}`)).statusCode, 404)
  t.equal((await api.get(`/v1/challenge-panels/${panel.id}/members/not-a-uuid`)).statusCode, 400)
})

t.test('panel members are listed a page at a time, by name', async (t) => {
  const names = ['Chair of the MPA', 'Adviser', 'CRE representative', 'Borough commander', 'Deputy Assistant Commissioner']
  const { panel } = await api.panel(names.map((name) => ({ name, membership: 'internal' })))
  const first = await api.get(`/v1/challenge-panels/${panel.id}/members?limit=2`, { scopes: READ })
  t.equal(first.statusCode, 200)
  t.equal(first.json().data.length, 2)
  t.type(first.json().page.nextCursor, 'string')
  const all = await api.all(`/v1/challenge-panels/${panel.id}/members?limit=2&sort=name`)
  t.same(all.map((m) => m.name), [...names].sort())
  t.same((await api.all(`/v1/challenge-panels/${panel.id}/members`)).map((m) => m.name), [...names].sort(), 'by name by default')
  t.equal((await api.get(`/v1/challenge-panels/${panel.id}/members?sort=joinedOn`)).statusCode, 400)
  t.equal((await api.get(`/v1/challenge-panels/${panel.id}/members?cursor=nonsense`)).statusCode, 400)
  t.equal((await api.get(`/v1/challenge-panels/${panel.id}/members?limit=0`)).statusCode, 400)
  t.equal((await api.get('/v1/challenge-panels/00000000-0000-4000-8000-000000000000/members')).statusCode, 404)
})
