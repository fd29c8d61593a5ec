import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

const ctx = await buildTestApp()
t.teardown(() => ctx.close())

t.test('readiness reports the database and a current schema', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(res.statusCode, 200)
  t.equal(res.json().schema, 'current')
})
