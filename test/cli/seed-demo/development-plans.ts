import type { Test } from 'tap'
import type { SeedDemoResult } from '../../../src/cli/seed-demo.js'
import type { TestContext } from '../../helpers/app.js'

const TABLES = ['development_plans', 'development_objectives', 'development_activities', 'development_progress_notes', 'development_plan_transitions'] as const
type PlanTable = (typeof TABLES)[number]

const counter = (ctx: TestContext) => async (table: PlanTable) =>
  Number((await ctx.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

/** After the first seed of a fresh database. */
export async function checkDevelopmentPlansDemo(t: Test, ctx: TestContext, first: SeedDemoResult) {
  const db = ctx.database.db
  const count = counter(ctx)
  const lines = first.modules['development-plans']

  await t.test('plans in every status, moved through the rules', async (t) => {
    const statuses = await db.selectFrom('development_plans').select(['status', db.fn.countAll<number>().as('n')]).groupBy('status').execute()
    const by = Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)]))
    for (const status of ['draft', 'submitted', 'agreed', 'completed', 'lapsed']) t.ok(by[status] > 0, `some ${status}`)
    const actions = (await db.selectFrom('development_plan_transitions').select('action').distinct().execute()).map((r) => r.action).sort()
    t.same(actions, ['agree', 'complete', 'create', 'lapse', 'reopen', 'return', 'submit'], 'returned and reopened plans too')
    // Agreement is always by the owner's line manager.
    const agreed = await db
      .selectFrom('development_plans as d')
      .innerJoin('people as o', 'o.id', 'd.owner_id')
      .select(['d.agreed_by_person_id', 'o.line_manager_id'])
      .where('d.status', 'in', ['agreed', 'completed'])
      .execute()
    t.ok(agreed.length > 0)
    t.ok(agreed.every((p) => p.agreed_by_person_id === p.line_manager_id), 'agreed by the line manager')
    t.ok((await count('development_progress_notes')) > 0, 'agreed plans have progress')
    const enrolledThroughPlans = await db
      .selectFrom('development_activities as a')
      .innerJoin('enrolments as e', 'e.id', 'a.enrolment_id')
      .innerJoin('development_plans as d', 'd.id', 'a.plan_id')
      .select(['e.nominated_by', 'e.person_id', 'd.owner_id'])
      .where('d.template_id', 'is', null)
      .execute()
    t.ok(enrolledThroughPlans.length > 0, 'activities enrolled people on programmes')
    t.ok(enrolledThroughPlans.every((e) => e.person_id === e.owner_id))
    t.match(lines[0], /^plans written now: \d+/)
  })

  await t.test('a cohort’s plans from the promotability template follow the participants’ enrolments', async (t) => {
    const fromTemplate = await db
      .selectFrom('development_plans as d')
      .innerJoin('development_plan_templates as tp', 'tp.id', 'd.template_id')
      .select(['d.id', 'd.cohort_id', 'd.owner_id'])
      .where('tp.code', '=', 'PDR-PROMO-MGR')
      .execute()
    t.ok(fromTemplate.length > 0, 'plans made for cohorts')
    const followed = await db
      .selectFrom('development_activities as a')
      .innerJoin('development_plans as d', 'd.id', 'a.plan_id')
      .innerJoin('enrolments as e', 'e.id', 'a.enrolment_id')
      .select(['e.person_id', 'd.owner_id', 'e.cohort_id', 'd.cohort_id as plan_cohort'])
      .where('d.template_id', 'is not', null)
      .execute()
    t.ok(followed.length > 0, 'programme activities follow enrolments')
    t.ok(followed.every((f) => f.person_id === f.owner_id && f.cohort_id === f.plan_cohort))
  })

  await t.test('plans from released 360 reports have objectives from their gaps, when the feedback demo made reports', async (t) => {
    const released = Number((await db.selectFrom('feedback_assessments').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'released').executeTakeFirstOrThrow()).n)
    const gapObjectives = await db.selectFrom('development_objectives').select(['source_assessment_id', 'source_detail']).where('source', '=', 'feedback_gap').execute()
    if (released === 0) {
      t.equal(gapObjectives.length, 0, 'no reports, no gap objectives')
      return
    }
    t.ok(gapObjectives.length > 0, 'objectives from gaps')
    t.ok(gapObjectives.every((o) => typeof (o.source_detail as { code?: unknown }).code === 'string'), 'each names its behaviour')
    t.ok(
      gapObjectives.every((o) => !['othersMean', 'selfMean', 'need'].some((k) => k in (o.source_detail as object))),
      'and keeps none of the report’s figures'
    )
  })
}

/** Rows in each development-plans table, in TABLES order. */
export type DevelopmentPlansBefore = number[]

/** Taken just before the second seed. */
export async function developmentPlansBeforeAgain(ctx: TestContext): Promise<DevelopmentPlansBefore> {
  return Promise.all(TABLES.map(counter(ctx)))
}

/** After seeding the same database again. */
export async function checkDevelopmentPlansDemoAgain(t: Test, ctx: TestContext, second: SeedDemoResult, before: DevelopmentPlansBefore) {
  t.match(second.modules['development-plans'][0], /^plans written now: 0 /)
  t.same(await Promise.all(TABLES.map(counter(ctx))), before)
}
