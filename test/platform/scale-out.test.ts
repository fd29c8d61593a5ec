import t from 'tap'
import { buildApp } from '../../src/app.js'
import { LEASE_MS } from '../../src/platform/bulk/jobs.js'
import { buildTestApp } from '../helpers/app.js'

// Two replicas over one database: what one process knows, the other must not need to.
const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '5' })
t.teardown(() => ctx.close())
const db = ctx.database.db

t.test('an import job is failed only when its owner stopped proving it is alive', async (t) => {
  const job = (owner: string, heartbeatAgoMs: number | null) =>
    db
      .insertInto('import_jobs')
      .values({
        resource: 'people', state: 'running', format: 'csv', dry_run: false, atomic: true, principal: 'hr', owner,
        heartbeat_at: heartbeatAgoMs === null ? null : new Date(Date.now() - heartbeatAgoMs),
        created_at: new Date(Date.now() - 2 * LEASE_MS)
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  const alive = await job('replica-b', 1_000)
  const dead = await job('replica-c', 2 * LEASE_MS)
  const neverBeat = await job('replica-d', null)
  await ctx.app.importJobs.recoverInterrupted()
  const state = async (id: string) => (await db.selectFrom('import_jobs').select(['state', 'error']).where('id', '=', id).executeTakeFirstOrThrow())
  t.match(await state(dead.id), { state: 'failed', error: /interrupted/ })
  t.match(await state(neverBeat.id), { state: 'failed' })
  if (ctx.app.databaseKind === 'postgres') {
    t.equal((await state(alive.id)).state, 'running', 'a job another live replica runs is left alone')
    const seen = await ctx.app.inject({ method: 'GET', url: `/v1/imports/${alive.id}`, headers: ctx.auth(['admin']) })
    t.equal(seen.json().state, 'running', 'and any replica reports it from the table')
  } else {
    t.equal((await state(alive.id)).state, 'failed', 'the embedded database is one process: whatever was running died with it')
  }
})

t.test('rate-limit budgets are shared by replicas on PostgreSQL', { skip: ctx.app.databaseKind !== 'postgres' && 'PGlite runs one process: counters stay in memory' }, async (t) => {
  const other = await buildApp({ config: ctx.config, database: ctx.database })
  await other.ready()
  t.teardown(() => other.close())
  const headers = ctx.auth(['people:read'], { sub: 'shared-budget' })
  const get = (app: typeof other) => app.inject({ method: 'GET', url: '/v1/org-units', headers })
  for (let i = 1; i <= 5; i++) t.equal((await get(ctx.app)).statusCode, 200, `request ${i} on replica A`)
  await ctx.app.sharedRateLimits!.flush()
  // Replica B has not heard of this caller yet: its first request is counted, and on its next
  // sync it learns that the budget is spent. The overshoot is bounded by one sync interval.
  t.equal((await get(other)).statusCode, 200)
  await other.sharedRateLimits!.flush()
  const refused = await get(other)
  t.equal(refused.statusCode, 429, 'replica B refuses once it knows what A admitted')
  t.equal(refused.headers['x-ratelimit-remaining'], '0')
  // The refused request is counted too (as in the plugin's own store), and with a budget this
  // small every count is sent at once: wait for that sync rather than race it.
  await other.sharedRateLimits!.flush()
  const row = await db.selectFrom('rate_limit_counters').select('count').where('key', '=', 'shared-budget').executeTakeFirstOrThrow()
  t.equal(row.count, 7, 'the shared row counts what both replicas saw, the refused request included')
})
