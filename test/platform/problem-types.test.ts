import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

const ctx = await buildTestApp()
t.teardown(() => ctx.close())

t.test('a problem’s type is a URL that explains it', async (t) => {
  const refused = await ctx.app.inject({ method: 'GET', url: '/v1/people' })
  const type = refused.json().type
  t.equal(type, '/problems/unauthorized')
  const explained = await ctx.app.inject({ method: 'GET', url: type })
  t.equal(explained.statusCode, 200)
  t.match(explained.json(), { type, status: 401, title: 'Authentication required', description: /token/ })
})

t.test('the catalogue lists every kind, modules’ own included, once each', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/problems' })
  t.equal(res.statusCode, 200)
  const types: string[] = res.json().data.map((p: { type: string }) => p.type)
  for (const expected of ['validation', 'precondition-failed', 'idempotency-key-reused', 'import-rejected', 'hierarchy-cycle', 'invalid-client']) {
    t.ok(types.includes(`/problems/${expected}`), expected)
  }
  t.equal(new Set(types).size, types.length)
})

t.test('an unknown kind is itself a 404 problem', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/problems/no-such-thing' })
  t.equal(res.statusCode, 404)
  t.equal(res.headers['content-type'], 'application/problem+json')
})
