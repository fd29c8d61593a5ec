import type { Test } from 'tap'
import { planResults } from '../../../src/cli/demo/assessments.js'
import { COMPETENCY_CODE, VALUES_CODE } from '../../../src/cli/demo/assessments-content.js'
import { createRandom } from '../../../src/cli/demo/random.js'
import { DEFAULT_SEED, planDemo, type SeedDemoResult } from '../../../src/cli/seed-demo.js'
import { frameworkElements, latestPublishedFramework } from '../../../src/modules/assessments/frameworks.repository.js'
import type { TestContext } from '../../helpers/app.js'

const getter = (ctx: TestContext) => async (url: string) => {
  const res = await ctx.app.inject({ method: 'GET', url, headers: ctx.auth(['assessments:read']) })
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** After the first seed of a fresh database. */
export async function checkAssessmentsDemo(t: Test, ctx: TestContext, first: SeedDemoResult) {
  const db = ctx.database.db
  const get = getter(ctx)

  await t.test('the values framework of seed 003: four values, each with its “we will” and “we will not” behaviours, published', async (t) => {
    const values = await latestPublishedFramework(db, VALUES_CODE)
    t.ok(values, 'published')
    t.match(values, { version_number: 1, kind: 'values', status: 'published' })
    const elements = await frameworkElements(db, values!.id)
    const tops = elements.filter((e) => e.parent_id === null)
    t.same(tops.map((e) => e.title), [
      'We will be proud to deliver quality policing. There is no greater priority.',
      'We will build trust by listening and responding.',
      'We will respect and support each other and work as a team.',
      'We will learn from experience and find ways to be even better.'
    ])
    t.ok(tops.every((e) => e.kind === 'value'))
    // Counted from the seed: we will 6, 9, 9, 8; we will not 3, 2, 5, 4.
    const under = (id: string, polarity: string) => elements.filter((e) => e.parent_id === id && e.polarity === polarity && e.kind === 'behaviour')
    t.same(tops.map((v) => [under(v.id, 'positive').length, under(v.id, 'negative').length]), [[6, 3], [9, 2], [9, 5], [8, 4]])
    t.equal(elements.length, 4 + 46)
    const titles = elements.map((e) => e.title)
    t.ok(titles.includes('give consistent messages – our actions must match our words'), 'verbatim from the seed')
    t.ok(titles.includes('value police officers and police staff differently'))
    t.equal(under(tops[3].id, 'negative')[3].title, 'withhold information that could help others')
  })

  await t.test('the competency framework: a 2016 and a 2024 version side by side, sharing lineages', async (t) => {
    const versions = (await get(`/v1/frameworks?code=${COMPETENCY_CODE}`)).data
    t.same(versions.map((f: any) => [f.versionNumber, f.status]), [[1, 'published'], [2, 'published']])
    t.match(versions[0].name, /2016/)
    t.match(versions[1].name, /2024/)
    t.equal(versions[1].basedOnId, versions[0].id)
    const [v1, v2] = [await frameworkElements(db, versions[0].id), await frameworkElements(db, versions[1].id)]
    const lineage = (list: typeof v1) => new Map(list.map((e) => [e.code, e.lineage_id]))
    const [l1, l2] = [lineage(v1), lineage(v2)]
    const kept = [...l2.keys()].filter((code) => l1.has(code))
    t.ok(kept.length > 20)
    t.ok(kept.every((code) => l1.get(code) === l2.get(code)), 'elements carried over share their lineage')
    t.same([...l2.keys()].filter((code) => !l1.has(code)).sort(), ['C1-4', 'C5-3'], 'new in 2024')
    t.same([...l1.keys()].filter((code) => !l2.has(code)), ['C6-3'], 'dropped in 2024')
    t.same(v1.filter((e) => e.parent_id === null).map((e) => e.kind), ['cluster', 'cluster', 'cluster'])
    t.ok(v2.some((e) => e.polarity === 'negative'), 'negative indicators too')
    t.equal((await latestPublishedFramework(db, COMPETENCY_CODE))!.id, versions[1].id)
  })

  await t.test('two instruments and results for the planned people, scored on every scale', async (t) => {
    const instruments = (await get('/v1/instruments')).data
    t.same(instruments.map((i: any) => [i.code, i.kind, i.scales.length]), [['CAREER-MOTIVATION', 'motivation', 7], ['QUINTAX', 'personality', 5]])
    // Planned afresh from size and seed, not taken from the seed's own result.
    const people = first.plan.people.length
    const planned = planResults(planDemo(people, DEFAULT_SEED).people, createRandom(DEFAULT_SEED).fork('assessments'))
    const stored = Number((await db.selectFrom('psychometric_results').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
    t.equal(stored, planned.length)
    t.ok(planned.length >= 20, `${planned.length} results at ${people} people`)
    const scores = Number((await db.selectFrom('psychometric_scores').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
    t.equal(scores, planned.reduce((n, r) => n + Object.keys(r.scores).length, 0))
    t.ok(planned.every((r) => r.takenOn <= '2009-04-01'))
    t.match(first.modules.assessments[2], new RegExp(`^results\\s+${planned.length} created`))
  })
}

export interface AssessmentsBefore {
  /** The last event's sequence before the second run. */
  lastEvent: number
}

/** Taken just before the second seed. */
export async function assessmentsBeforeAgain(ctx: TestContext): Promise<AssessmentsBefore> {
  const db = ctx.database.db
  return { lastEvent: Number((await db.selectFrom('events').select((eb) => eb.fn.max('sequence').as('n')).executeTakeFirstOrThrow()).n) }
}

/** After seeding the same database again. */
export async function checkAssessmentsDemoAgain(t: Test, ctx: TestContext, second: SeedDemoResult, before: AssessmentsBefore) {
  const db = ctx.database.db
  const lines = second.modules.assessments
  t.match(lines[0], /MET-VALUES v1 unchanged, MET-COMPETENCY v1 unchanged, MET-COMPETENCY v2 unchanged/)
  t.match(lines[1], /^instruments\s+0 created, 2 unchanged/)
  t.match(lines[2], /^results\s+0 created, 0 updated, \d+ unchanged/)
  const assessmentEvents = await db
    .selectFrom('events')
    .select('type')
    .where('sequence', '>', before.lastEvent)
    .where((eb) => eb.or([eb('type', 'like', 'framework%'), eb('type', 'like', 'instrument%'), eb('type', 'like', 'psychometric%')]))
    .execute()
  t.same(assessmentEvents, [], 'no assessments event on the second run')
}
