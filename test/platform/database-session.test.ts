import { sql } from 'kysely'
import t from 'tap'
import { descendantIds } from '../../src/platform/hierarchy.js'
import { buildPeopleApp, ndjson, unique } from '../modules/people/factories.js'

// The API's connections run without JIT: PostgreSQL's estimate for a recursive subtree query is
// hundreds of times the real row count, which put a sub-millisecond page over the JIT threshold
// and made it spend ~90 ms compiling itself (found by the soak: its p99 was that page).
const api = await buildPeopleApp()
t.teardown(() => api.close())

t.test('a page of people in a wide org subtree is planned and run without JIT compilation', async (t) => {
  const p = unique('wide')
  const root = await api.create<{ id: string }>('/v1/org-units', { name: `${p} root`, kind: 'team', externalId: `${p}-root` })
  const units = Array.from({ length: 100 }, (_, i) => ({ externalId: `${p}-u${i}`, name: `${p} unit ${i}`, kind: 'team', parentExternalId: `${p}-root` }))
  const imported = await api.import('org-units', ndjson(units), 'application/x-ndjson')
  t.equal(imported.statusCode, 200)
  t.equal(imported.json().counts.created, 100)
  const inRoot = await api.person({ orgUnitId: root.id })
  const below = await api.person({ orgUnitId: (await api.get(`/v1/org-units?externalId=${p}-u7`)).json().data[0].id })

  const page = await api.get(`/v1/people?orgUnitId=${root.id}&includeDescendants=true&limit=50`)
  t.equal(page.statusCode, 200)
  t.same(page.json().data.map((x: { id: string }) => x.id).sort(), [inRoot.id, below.id].sort(), 'the subtree’s people, and only them')

  // The statement the list runs, explained on one of the API's own connections with every
  // statement over the JIT threshold (jit_above_cost 0): only the session's JIT setting decides.
  const planned = (jit: 'as the API sets it' | 'on') =>
    api.ctx.database.db.transaction().execute(async (trx) => {
      await sql`set local jit_above_cost = 0`.execute(trx)
      if (jit === 'on') await sql`set local jit = on`.execute(trx)
      const plan = await trx
        .selectFrom('people')
        .selectAll()
        .where((eb) => eb.or([eb('org_unit_id', '=', root.id), eb('org_unit_id', 'in', descendantIds({ table: 'org_units', column: 'parent_id' }, root.id) as never)]))
        .orderBy('family_name')
        .orderBy('given_name')
        .orderBy('id')
        .limit(51)
        .explain('json', sql`analyze`)
      return (plan[0]['QUERY PLAN'] as Array<{ JIT?: unknown }>)[0]
    })
  t.equal((await planned('as the API sets it')).JIT, undefined, 'no JIT compilation on the API’s connections')
  if (api.ctx.app.databaseKind === 'postgres') {
    // The control: this server does compile when JIT is on, so the check above could fail.
    t.ok((await planned('on')).JIT, 'with JIT on, the same statement is compiled')
  }
})
