import type { Test } from 'tap'
import type { SeedDemoResult } from '../../../src/cli/seed-demo.js'
import type { TestContext } from '../../helpers/app.js'

const SEED_KINDS = ['operational_debrief', 'employment_tribunal', 'health_and_safety', 'inspection', 'audit', 'complaint', 'high_profile_event', 'risk_assessment']
const STAGES = ['origin', 'challenge', 'accountability', 'platform', 'delivery', 'review', 'closed']

/** After the first seed of a fresh database. */
export async function checkLearningLogsDemo(t: Test, ctx: TestContext, first: SeedDemoResult) {
  const db = ctx.database.db

  await t.test('entries from every source of seed 002 at every stage, moved through the rules', async (t) => {
    const rows = await db.selectFrom('learning_log_entries').select(['source_kind', 'stage', 'kind', 'dissemination', 'closure_kind']).where('external_id', 'like', 'LL-DEMO-%').execute()
    for (const kind of SEED_KINDS) for (const stage of STAGES) t.ok(rows.some((r) => r.source_kind === kind && r.stage === stage), `${kind} at ${stage}`)
    t.ok(rows.filter((r) => r.kind === 'notable_practice').length >= 3, 'a few notable practices')
    t.ok(rows.some((r) => r.dissemination === 'public'))
    t.ok(rows.some((r) => r.closure_kind === 'reviewed') && rows.some((r) => r.closure_kind === 'no_action'))
    const moves = await db.selectFrom('learning_log_trail').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'moved').executeTakeFirstOrThrow()
    t.ok(Number(moves.n) > 100, 'stage moves are in the trail')
    const programmeLinks = await db.selectFrom('learning_log_links').select('programme_id').where('programme_id', 'is not', null).execute()
    t.ok(programmeLinks.length >= 3, 'deliveries link programmes')
    t.match(first.modules['learning-logs'][0], /created/)
  })

  await t.test('the demo text makes search meaningful', async (t) => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/learning-log-entries?q=cordon', headers: ctx.auth(['learning:read']) })
    t.equal(res.statusCode, 200)
    const titles = res.json().data.map((e: any) => e.title)
    t.ok(titles.length >= 2)
    t.match(titles[0], /cordon/i)
  })
}

export interface LearningLogsBefore {
  entries: number
  trail: number
  links: number
}

const counts = async (ctx: TestContext): Promise<LearningLogsBefore> => {
  const count = async (table: 'learning_log_entries' | 'learning_log_trail' | 'learning_log_links') =>
    Number((await ctx.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  return { entries: await count('learning_log_entries'), trail: await count('learning_log_trail'), links: await count('learning_log_links') }
}

/** Taken just before the second seed. */
export const learningLogsBeforeAgain = counts

/** After seeding the same database again. */
export async function checkLearningLogsDemoAgain(t: Test, ctx: TestContext, second: SeedDemoResult, before: LearningLogsBefore) {
  t.match(second.modules['learning-logs'][0], /^entries\s+0 created, 0 updated, \d+ unchanged; 0 stage moves/)
  t.match(second.modules['learning-logs'][2], /^links\s+0 written/)
  t.same(await counts(ctx), before)
}
