import t from 'tap'
import { problemFromDatabase, toProblem } from '../../src/platform/problems.js'

t.test('a database that is down or restarting is a 503 with Retry-After, not a 500', async (t) => {
  const outages = [
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    Object.assign(new Error('connection failure'), { code: '08006' }),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect')
  ]
  for (const error of outages) {
    const problem = problemFromDatabase(error)
    t.equal(problem?.status, 503, error.message)
    t.equal(problem?.headers['retry-after'], '2')
    t.equal(problem?.slug, 'service-unavailable')
  }
})

t.test('constraint violations are the caller’s conflict or mistake', async (t) => {
  t.equal(problemFromDatabase({ code: '23505', message: 'duplicate key' })?.status, 409)
  t.equal(problemFromDatabase({ code: '23503', message: 'insert or update on table "people" violates foreign key' })?.status, 422)
  t.equal(problemFromDatabase({ code: '23503', message: 'update or delete on table "grades" violates foreign key' })?.status, 409)
  t.equal(problemFromDatabase({ code: '23514', message: 'check' })?.status, 422)
  t.equal(problemFromDatabase({ code: '40001', message: 'serialization' })?.status, 409)
})

t.test('anything else is an internal error that says nothing about the internals', async (t) => {
  const problem = toProblem(Object.assign(new Error('relation "secret_table" does not exist'), { code: '42P01' }))
  t.equal(problem.status, 500)
  t.notMatch(JSON.stringify(problem.body('/x')), /secret_table/)
})
