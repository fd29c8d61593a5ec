import type { Test } from 'tap'
import type { SeedDemoResult } from '../../../src/cli/seed-demo.js'
import type { TestContext } from '../../helpers/app.js'

const getter = (ctx: TestContext) => async (url: string) => {
  const res = await ctx.app.inject({ method: 'GET', url, headers: ctx.auth(['assessments:read']) })
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** After the first seed of a fresh database. */
export async function checkFeedbackDemo(t: Test, ctx: TestContext, first: SeedDemoResult) {
  const db = ctx.database.db
  const get = getter(ctx)
  const demo = async () => (await get('/v1/assessments?limit=500')).data.filter((a: any) => a.externalId?.startsWith('DEMO-360-'))

  await t.test('360° assessments in every state, on the demo frameworks', async (t) => {
    t.match(first.modules.feedback[0], /7 created, 0 unchanged/)
    const assessments = await demo()
    t.same(assessments.map((a: any) => a.status).sort(), ['cancelled', 'closed', 'draft', 'open', 'released', 'released', 'released'])
    const codes = await db.selectFrom('feedback_assessments as a').innerJoin('frameworks as f', 'f.id', 'a.framework_id').select(['f.code', 'f.version_number', 'f.status']).where('a.external_id', 'like', 'DEMO-360-%').execute()
    t.same([...new Set(codes.map((c) => c.code))].sort(), ['MET-COMPETENCY', 'MET-VALUES'])
    t.ok(codes.filter((c) => c.code === 'MET-COMPETENCY').every((c) => c.version_number === 2), 'the latest published competency version')
    const open = assessments.find((a: any) => a.status === 'open')
    const invitations = (await get(`/v1/assessments/${open.id}/invitations?limit=500`)).data
    const statuses = invitations.map((i: any) => i.status)
    t.ok(statuses.includes('submitted') && statuses.includes('declined') && statuses.includes('invited'), 'the open one has answers, a decline and raters still to answer')
    t.ok(invitations.some((i: any) => i.draftSaved), 'and a saved draft')
  })

  await t.test('released reports: a full one, one with groups merged, one with a group suppressed', async (t) => {
    const released = (await demo()).filter((a: any) => a.status === 'released')
    const reports = await Promise.all(released.map((a: any) => get(`/v1/assessments/${a.id}/report`)))
    const treatments = (r: any) => Object.fromEntries(r.raterGroups.map((g: any) => [g.group, g.treatment]))
    const full = reports.find((r) => treatments(r).peer === 'reported' && treatments(r).direct_report === 'reported')
    t.ok(full, 'peers and direct reports each reported on their own')
    t.ok(full.elements.length >= 40, 'every values behaviour rated')
    t.ok(full.elements.every((e: any) => e.othersMean !== null))
    t.ok(full.comments.length > 0)
    const merged = reports.find((r) => r.buckets.includes('others'))
    t.ok(merged, 'small groups merged into others')
    t.ok(merged.raterGroups.filter((g: any) => g.treatment === 'merged').length >= 2)
    const suppressed = reports.find((r) => Object.values(treatments(r)).includes('suppressed') && !r.buckets.includes('peer') && !r.buckets.includes('others'))
    t.ok(suppressed, 'a group too small even merged is suppressed')
    t.same(suppressed.buckets, ['self', 'line_manager'])
    for (const r of reports) t.ok(r.responseRates.length > 0)
    // A distribution is one count per scale point, adding up to the cell's count (demo ratings are on the scale).
    const cells = reports.flatMap((r) => r.elements.flatMap((e: any) => e.groups.map((g: any) => ({ g, steps: r.scale.max - r.scale.min + 1 }))))
    const wrong = cells.filter(({ g, steps }) =>
      g.suppressed ? g.distribution !== null : g.distribution.length !== steps || g.distribution.reduce((s: number, n: number) => s + n, 0) !== g.count
    )
    t.ok(cells.length > 100, `${cells.length} cells`)
    t.same(wrong.map(({ g }) => g), [], 'every distribution matches its cell')
  })
}

export interface FeedbackBefore {
  trail: number
  responses: number
}

const trail = async (ctx: TestContext) =>
  Number((await ctx.database.db.selectFrom('audit_records').select((eb) => eb.fn.countAll().as('n')).where('entity_type', 'in', ['assessment', 'invitation']).executeTakeFirstOrThrow()).n)
const responses = async (ctx: TestContext) => Number((await ctx.database.db.selectFrom('feedback_responses').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

/** Taken just before the second seed. */
export async function feedbackBeforeAgain(ctx: TestContext): Promise<FeedbackBefore> {
  return { trail: await trail(ctx), responses: await responses(ctx) }
}

/** After seeding the same database again. */
export async function checkFeedbackDemoAgain(t: Test, ctx: TestContext, second: SeedDemoResult, before: FeedbackBefore) {
  t.match(second.modules.feedback[0], /0 created, 7 unchanged/)
  t.same({ trail: await trail(ctx), responses: await responses(ctx) }, before)
}
