import type { Test } from 'tap'
import type { SeedDemoResult } from '../../../src/cli/seed-demo.js'
import type { TestContext } from '../../helpers/app.js'

const RECOMMENDATION_ENTITIES = ['recommendation', 'recommendation-source', 'theme', 'evidence', 'recommendation-action', 'challenge-panel', 'panel-member', 'panel-review', 'indicator', 'indicator-value']

/** After the first seed of a fresh database. */
export async function checkRecommendationsDemo(t: Test, ctx: TestContext, first: SeedDemoResult) {
  const read = ctx.auth(['recommendations:read'])
  const get = async (url: string) => {
    const res = await ctx.app.inject({ method: 'GET', url, headers: read })
    if (res.statusCode !== 200) throw new Error(`${url} → ${res.statusCode} ${res.body}`)
    return res.json()
  }

  const slir = await get('/v1/recommendation-sources?code=SLIR')
  const sourceId = slir.data[0].id
  const all: any[] = []
  for (let cursor: string | null = null; ; ) {
    const page: any = await get(`/v1/recommendations?sourceId=${sourceId}&limit=500${cursor ? `&cursor=${cursor}` : ''}`)
    all.push(...page.data)
    cursor = page.page.nextCursor
    if (!cursor) break
  }
  const byNumber = new Map(all.map((r) => [Number(r.number), r]))
  const statusOf = (from: number, to: number) => new Set(Array.from({ length: to - from + 1 }, (_, i) => byNumber.get(from + i).status))

  await t.test('the Stephen Lawrence Inquiry: 70 recommendations, 39 at the police, statuses as the 2007 report states', async (t) => {
    t.equal(all.length, 70)
    t.equal(all.filter((r) => r.directedTo === 'Police Services').length, 39)
    t.same(statusOf(12, 28), new Set(['embedded']))
    t.same(statusOf(60, 63), new Set(['continuing_challenge']))
    t.same(statusOf(45, 54), new Set(['continuing_challenge']))
    t.same(statusOf(64, 66), new Set(['continuing_challenge']))
    t.same(statusOf(29, 31), new Set(['partially_embedded']))
    t.same(statusOf(55, 59), new Set(['partially_embedded']))
    t.equal(byNumber.get(2).status, 'partially_embedded')
    t.equal(byNumber.get(14).area, 'The definition of racist incident')
  })

  await t.test('every embedded one got there through a panel review with current evidence', async (t) => {
    for (let n = 12; n <= 28; n++) {
      const id = byNumber.get(n).id
      const history = (await get(`/v1/recommendations/${id}/history`)).data
      const last = history.at(-1)
      t.equal(last.via, 'panel_review')
      const review = await get(`/v1/panel-reviews/${last.panelReviewId}`)
      t.equal(review.verdict, 'embedded')
      t.ok(review.evidence.some((e: any) => e.current), `rec ${n}`)
    }
    const members = (await get(`/v1/challenge-panels/${(await get('/v1/challenge-panels')).data[0].id}/members`)).data
    t.ok(members.some((m: any) => m.membership === 'internal') && members.some((m: any) => m.membership === 'external'))
  })

  await t.test('indicators, themes, actions, other sources and exceptions', async (t) => {
    const indicator = (await get('/v1/indicators?code=BME-OFFICERS')).data[0]
    const series = await get(`/v1/indicators/${indicator.id}/series`)
    t.same(series.series[0].points.map((p: any) => p.value), [4, 7.7])
    const outcomes = await get('/v1/indicators/annual-outcomes?year=2005')
    const line = outcomes.orgUnits[0].indicators.find((i: any) => i.code === 'BME-OFFICERS')
    t.match(line, { value: 7.7, baselineValue: 4, change: 3.7, improved: true, targetMet: false })
    const themes = (await get('/v1/themes?limit=50')).data
    t.ok(themes.length >= 7)
    const oversight = themes.find((th: any) => th.code === 'OVERSIGHT')
    const rollUp = await get(`/v1/themes/${oversight.id}/roll-up`)
    t.ok(rollUp.bySource.length >= 4, 'the theme spans the inquiry and seed 002’s sources')
    const sources = (await get('/v1/recommendation-sources')).data.map((s: any) => s.code)
    t.ok(['HMIC-2008', 'MPA-IA-2008', 'AC-2008'].every((c) => sources.includes(c)))
    const actions = (await get('/v1/recommendation-actions?limit=50')).data
    t.ok(actions.length >= 6 && actions.some((a: any) => a.status === 'done'))
    const exceptions = await get('/v1/recommendations/exceptions')
    t.equal(exceptions.embeddedWithoutCurrentEvidence.count, 3, 'recs 15–17: the recording audit expired at the end of 2008')
    t.ok(exceptions.noOwner.count >= 4)
    t.ok(exceptions.overdueActions.count >= 1)
    t.ok(first.modules.recommendations.length > 0)
  })
}

export interface RecommendationsBefore {
  /** The last audit record's id before the second run. */
  lastAudit: number
  history: number
}

const historyCount = async (ctx: TestContext) =>
  Number((await ctx.database.db.selectFrom('recommendation_status_history').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

/** Taken just before the second seed. */
export async function recommendationsBeforeAgain(ctx: TestContext): Promise<RecommendationsBefore> {
  const last = await ctx.database.db.selectFrom('audit_records').select((eb) => eb.fn.max('id').as('max')).executeTakeFirstOrThrow()
  return { lastAudit: Number(last.max), history: await historyCount(ctx) }
}

/** After seeding the same database again. */
export async function checkRecommendationsDemoAgain(t: Test, ctx: TestContext, second: SeedDemoResult, before: RecommendationsBefore) {
  t.match(second.modules.recommendations[1], /0 created, 0 updated, 77 unchanged; 0 walked to their status, 0 panel reviews/)
  t.equal(await historyCount(ctx), before.history)
  const recAudit = await ctx.database.db
    .selectFrom('audit_records')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', '>', before.lastAudit)
    .where('entity_type', 'in', RECOMMENDATION_ENTITIES)
    .executeTakeFirstOrThrow()
  t.equal(Number(recAudit.n), 0, 'no recommendations audit records on the second run')
}
