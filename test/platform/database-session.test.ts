import { CompiledQuery, sql } from 'kysely'
import t from 'tap'
import { captureQueries } from '../../bench/compile.js'
import { listPeople } from '../../src/modules/people/people.repository.js'
import { buildPeopleApp, ndjson, unique } from '../modules/people/factories.js'

// Subtree pages stay fast in a wide org tree, where PostgreSQL estimates the recursive walk at
// hundreds of times its real size. Found by the soak, whose p99 was this page: the estimate put a
// sub-millisecond page over the JIT threshold (90 ms compiling), and made the planner read the
// whole walk again for every person tested rather than hash it (4.6 s among 20,000 people).
const api = await buildPeopleApp()
t.teardown(() => api.close())

t.test('a page of people in a wide org subtree: no JIT compilation, the subtree walked once and hashed', async (t) => {
  const p = unique('wide')
  const root = await api.create<{ id: string }>('/v1/org-units', { name: `${p} root`, kind: 'team', externalId: `${p}-root` })
  const units = Array.from({ length: 300 }, (_, i) => ({ externalId: `${p}-u${i}`, name: `${p} unit ${i}`, kind: 'team', parentExternalId: `${p}-root` }))
  const imported = await api.import('org-units', ndjson(units), 'application/x-ndjson')
  t.equal(imported.statusCode, 200)
  t.equal(imported.json().counts.created, 300)
  const inRoot = await api.person({ orgUnitId: root.id })
  const below = await api.person({ orgUnitId: (await api.get(`/v1/org-units?externalId=${p}-u7`)).json().data[0].id })

  const page = await api.get(`/v1/people?orgUnitId=${root.id}&includeDescendants=true&limit=50`)
  t.equal(page.statusCode, 200)
  t.same(page.json().data.map((x: { id: string }) => x.id).sort(), [inRoot.id, below.id].sort(), 'the subtree’s people, and only them')

  // The statement the list runs (captured from listPeople itself), explained on one of the API's
  // own connections with every statement over the JIT threshold (jit_above_cost 0): only the
  // session's JIT setting decides.
  const [statement] = await captureQueries((db) => listPeople(db, { orgUnitId: root.id, includeDescendants: true, limit: 50 }))
  const planned = (jit: 'as the API sets it' | 'on', workMem = '4MB') =>
    api.ctx.database.db.transaction().execute(async (trx) => {
      await sql`select set_config('jit_above_cost', '0', true), set_config('work_mem', ${workMem}, true)`.execute(trx)
      if (jit === 'on') await sql`set local jit = on`.execute(trx)
      const { rows } = await trx.executeQuery<{ 'QUERY PLAN': Array<{ JIT?: unknown; Plan: PlanNode }> }>(
        CompiledQuery.raw(`explain (analyze, format json) ${statement.text}`, statement.params)
      )
      return rows[0]['QUERY PLAN'][0]
    })
  t.equal((await planned('as the API sets it')).JIT, undefined, 'no JIT compilation on the API’s connections')
  if (api.ctx.app.databaseKind === 'postgres') {
    // The control: this server does compile when JIT is on, so the check above could fail.
    t.ok((await planned('on')).JIT, 'with JIT on, the same statement is compiled')
  }

  // The subtree is walked once and looked up by hash, even when memory is tight (64 kB: a
  // subquery the planner expects to be large is then read again for every person tested), with
  // the statistics autovacuum gathers (the recursive estimate explodes with them).
  await sql`analyze org_units`.execute(api.ctx.database.db)
  const filters = (node: PlanNode): string[] => [...(node.Filter ? [node.Filter] : []), ...(node.Plans ?? []).flatMap(filters)]
  const subtreeFilter = filters((await planned('as the API sets it', '64kB')).Plan).find((f) => f.includes('SubPlan'))
  t.match(subtreeFilter, /hashed SubPlan/, `the subtree is a hashed lookup: ${subtreeFilter}`)
})

interface PlanNode {
  Filter?: string
  Plans?: PlanNode[]
}
